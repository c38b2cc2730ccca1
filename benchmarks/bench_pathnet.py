"""Wall time of PathNet's evolution against dense-head fine-tuning, and the study's budget.

Prints, measured side by side in one run (rounds interleaved, medians reported, because
these machines are noisy), on the conv features of **synthetic** faces
(:func:`~sklearn_fer.datasets.make_faces`) from an AlexNet with the quick profile's
512-unit dense layers (its weights are initialised, not trained: timing does not depend
on them):

* the general PathNet fit on the wild set's features (once per target in a study);
* a personal ``PathNetRegressor(source=general)`` fit on one subject's 48 training frames
  (a 5-fold split of 60 lab frames, as in the quick profile), with the defaults;
* ``DenseHeadRegressor`` fine-tuning of the same frames with the quick profile's settings
  (FusedAdam, lr 3e-4, batch 32, 10 epochs), and the ratio of the two;
* personal fits on the training subsets of the sampling curves (5%..90% of 48 frames);
* the extra cost of adding PathNet to the quick study: 5 subjects x 5 folds x 2 targets
  of "PathNet transfer", plus the sampling-curve points of random and GSx, plus the two
  general fits, in core-seconds and on ``--n-jobs`` workers (target: within 3 minutes on
  2 cores).

Run: ``python benchmarks/bench_pathnet.py [--rounds 3] [--threads 1] [--wild 2000]``

``--threads 1`` (the default) is what each of joblib's worker processes gets when the
study runs with ``--n-jobs 2`` on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
import torch

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import DEFAULT_FRACTIONS
from sklearn_fer.pathnet import PathNetRegressor


def timed(fit):
    start = time.perf_counter()
    model = fit()
    return time.perf_counter() - start, model


def features(args):
    pretrained = AlexNetRegressor(module__hidden_units=512, random_state=0).initialize()
    featurizer = FrozenConvFeaturizer(pretrained, batch_size=64).fit()
    wild = make_faces(args.wild // 4, 4, domain="wild", random_state=0)
    lab = make_faces(1, 60, domain="lab", random_state=1)
    return (
        pretrained,
        featurizer.transform(wild.images),
        wild.valence,
        featurizer.transform(lab.images),
        lab.valence,
    )


def steps(model, n_rows):
    """Gradient steps a PathNet fit took: tournaments, then epochs of the final training."""
    per_epoch = math.ceil(n_rows / min(model.batch_size, n_rows))
    return 2 * model.n_generations_ * model.steps_per_path + model.n_epochs_ * per_epoch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--wild", type=int, default=2000, help="wild images (quick: 2000)")
    parser.add_argument("--n-jobs", type=int, default=2, help="workers of the study")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); SYNTHETIC faces")

    pretrained, X_wild, y_wild, X_lab, y_lab = features(args)
    train = np.arange(48)
    print(f"features: wild {X_wild.shape}, one lab subject's training fold {X_lab[train].shape}")

    general_seconds, general = timed(lambda: PathNetRegressor(random_state=0).fit(X_wild, y_wild))
    print(
        f"general PathNet on {len(X_wild)} wild frames: {general_seconds:.1f} s "
        f"({steps(general, len(X_wild))} steps)"
    )

    def personal(n_rows, seed):
        rows = train[:n_rows]
        return PathNetRegressor(source=general, random_state=seed).fit(X_lab[rows], y_lab[rows])

    def dense_head(seed):
        head = DenseHeadRegressor(
            pretrained,
            optimizer=FusedAdam,
            lr=3e-4,
            batch_size=32,
            max_epochs=10,
            random_state=seed,
        )
        return head.fit(X_lab[train], y_lab[train])

    personal(48, 0), dense_head(0)  # warm-up (imports, oneDNN primitives)
    sizes = sorted({max(2, math.ceil(f * 48)) for f in DEFAULT_FRACTIONS})
    pathnet_times, head_times, n_steps = [], [], []
    curve_times = {size: [] for size in sizes}
    for round_ in range(args.rounds):
        seconds, model = timed(lambda seed=round_: personal(48, seed))
        pathnet_times.append(seconds)
        n_steps.append(steps(model, 48))
        head_times.append(timed(lambda seed=round_: dense_head(seed))[0])
        for size in sizes:
            curve_times[size].append(timed(lambda n=size, seed=round_: personal(n, seed))[0])
    t_pathnet, t_head = statistics.median(pathnet_times), statistics.median(head_times)
    t_curve = {size: statistics.median(times) for size, times in curve_times.items()}

    print()
    print(f"{'one personal fit, 48 frames':40s} {'seconds':>8s}")
    median_steps = statistics.median(n_steps)
    print(
        f"{'PathNetRegressor(source=general)':40s} {t_pathnet:8.3f}  "
        f"({median_steps:.0f} steps, {1e3 * t_pathnet / median_steps:.1f} ms/step)"
    )
    print(f"{'DenseHeadRegressor (quick profile)':40s} {t_head:8.3f}")
    print(f"PathNet / dense head = {t_pathnet / t_head:.2f}x")
    print("\npersonal fits on sampling-curve subsets:")
    for size, seconds in t_curve.items():
        print(f"  {size:3d} frames {seconds:8.3f} s")

    units = 5 * 5 * 2  # subjects x folds x targets
    curve_points = 2 * units * sum(t_curve[max(2, math.ceil(f * 48))] for f in DEFAULT_FRACTIONS)
    transfer = units * t_pathnet
    total = 2 * general_seconds + transfer + curve_points
    print("\nextra cost of PathNet in the quick study (5 subjects x 5 folds x 2 targets):")
    n_curve_fits = 2 * units * len(DEFAULT_FRACTIONS)
    print(f"  {'2 general fits':36s} {2 * general_seconds:7.1f} core-s")
    print(f"  {f'PathNet transfer, {units} fits':36s} {transfer:7.1f} core-s")
    print(f"  {f'random + GSx curves, {n_curve_fits} fits':36s} {curve_points:7.1f} core-s")
    print(
        f"  total {total:.0f} core-s = {total / args.n_jobs:.0f} s on {args.n_jobs} workers "
        f"(target: 180 s on 2 cores)"
    )


if __name__ == "__main__":
    main()
