# Two entry points that work on a fresh machine: `make reproduce` and `make test`.
# Each builds .venv on first use, installing the package with constraints.txt so that
# torch resolves to the local CPU build (2.13.0) and never to a multi-GB CUDA build.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: venv test test-all lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# The test suite: fast tests and doctests (a few minutes on 2 cores).
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

# Everything, the slow end-to-end checks included.
test-all: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check sklearn_fer tests benchmarks examples

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_featurizer.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
