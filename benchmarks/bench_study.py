"""Wall time of the README's main job, and what caching conv features saves.

Prints, measured in one run:

* the wall time of ``sklearn-fer reproduce --profile quick --n-jobs 2`` from nothing
  (fresh output folder and model cache; target: at most 10 minutes on 2 CPU cores);
* the per-subject fine-tuning loop of the sampling study (7 fractions x 5 folds of one
  subject's frames) with conv features computed once and reused by every fit, against a
  ``Pipeline(FrozenConvFeaturizer, DenseHeadRegressor)`` that recomputes them in every fit,
  at 64 px (the quick profile) and 227 px (the paper's AlexNet input): the ratio.

Run: ``python benchmarks/bench_study.py [--skip-quick]``
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from sklearn_fer import AlexNetRegressor, FrozenConvFeaturizer
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import DEFAULT_FRACTIONS
from sklearn_fer.study import PROFILES, _head


def quick_wall_time():
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, SKLEARN_FER_DATA=os.path.join(folder, "data"))
        command = [
            sys.executable,
            "-m",
            "sklearn_fer",
            "reproduce",
            "--profile",
            "quick",
            "--out",
            os.path.join(folder, "out"),
            "--n-jobs",
            "2",
            "--no-progress",
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def fine_tuning_loop(image_size, n_frames=60):
    config = PROFILES["quick"]
    faces = make_faces(1, n_frames, image_size=image_size, random_state=0)
    pretrained = AlexNetRegressor(
        module__hidden_units=config.pretrain_hidden_units, random_state=0
    ).initialize()
    head = _head(config).set_params(pretrained=pretrained, random_state=0)
    folds = list(KFold(5, shuffle=True, random_state=0).split(faces.images))
    sizes = [
        (train, test, math.ceil(f * len(train))) for train, test in folds for f in DEFAULT_FRACTIONS
    ]

    start = time.perf_counter()
    features = FrozenConvFeaturizer(pretrained).fit_transform(faces.images)
    for train, test, n in sizes:
        head.fit(features[train[:n]], faces.valence[train[:n]]).predict(features[test])
    cached = time.perf_counter() - start

    pipeline = make_pipeline(FrozenConvFeaturizer(pretrained), head)
    start = time.perf_counter()
    for train, test, n in sizes:
        pipeline.fit(faces.images[train[:n]], faces.valence[train[:n]])
        pipeline.predict(faces.images[test])
    recomputed = time.perf_counter() - start
    return len(sizes), cached, recomputed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-quick", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_quick:
        seconds = quick_wall_time()
        print(
            f"sklearn-fer reproduce --profile quick --n-jobs 2: {seconds / 60:.1f} min "
            f"(target <= 10 min on 2 CPU cores)"
        )
    print("\nfine-tuning loop of one subject (60 frames, 7 fractions x 5 folds):")
    for size in (64, 227):
        n_fits, cached, recomputed = fine_tuning_loop(size)
        print(
            f"  {size:3d} px, {n_fits} fits: features once {cached:.1f} s, recomputed in "
            f"every fit {recomputed:.1f} s -> {recomputed / cached:.2f}x"
        )


if __name__ == "__main__":
    main()
