"""Time of PathNet's evolution against dense-head fine-tuning, and the study's budget.

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
* one tournament's training, serial as published (path A for T steps, then path B)
  against both paths trained together on shared batches (one backward pass and one
  optimiser step per batch for the pair): whether batching the population would pay;
* the extra cost of adding PathNet to the quick study: 5 subjects x 5 folds x 2 targets
  of "PathNet transfer", plus the sampling-curve points of random and GSx, plus the two
  general fits, in core-seconds and on ``--n-jobs`` workers (target: within 3 minutes on
  2 cores).

With ``--study``, instead, the quick profile's Rescigno study runs in this process
(``RescignoStudy.run``, as ``sklearn-fer reproduce --profile quick --n-jobs 2`` does,
pre-training included unless ``--data-home`` holds the general model) and its stages'
wall times are printed side by side: the paper's stages against PathNet's (target for
PathNet's: within 3 minutes on 2 cores), with the evolution's wall time per fold.

Run: ``python benchmarks/bench_pathnet.py [--rounds 3] [--threads 1] [--wild 2000]``,
or ``python benchmarks/bench_pathnet.py --study [--n-jobs 2] [--data-home DIR]``

``--threads 1`` (the default) is what each of joblib's worker processes gets when the
study runs with ``--n-jobs 2`` on 2 cores. Every time is printed twice: wall seconds, and
CPU seconds of this process. On a shared machine busy with other work the wall time also
counts the other processes' turns; with one thread the CPU time is close to what the
same work takes on an idle core, so the budget is printed from both.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import DEFAULT_FRACTIONS
from sklearn_fer.pathnet import PathNet, PathNetRegressor
from sklearn_fer.pathnet._training import PathTrainer, TaskLoss


def timed(fit):
    """(wall seconds, CPU seconds of this process, result) of ``fit()``.

    On a busy shared machine wall time counts other processes' turns too; with one torch
    thread, CPU time is close to what the same work takes on an idle core.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = fit()
    return time.perf_counter() - wall, time.process_time() - cpu, result


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


def tournament_training(X, y, rounds, n_steps=40):
    """CPU ms per batch of a tournament's pair: serial (published) vs jointly trained."""
    net = PathNet(X.shape[1], generator=torch.Generator().manual_seed(0))
    net.add_head(1, generator=torch.Generator().manual_seed(1))
    X, y = torch.tensor(X), torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    trainer = PathTrainer(
        net,
        0,
        X,
        y,
        task_loss=TaskLoss("regression"),
        batch_size=16,
        lr=1e-3,
        rng=np.random.default_rng(0),
    )
    a, b = ((0, 3, 5), (1, 2, 6), (4, 8)), ((1, 3, 7), (2, 6), (0, 8, 9))

    def serial():
        trainer.train_steps(a, n_steps)
        trainer.train_steps(b, n_steps)

    def joint():
        for _ in range(n_steps):
            xb, yb = trainer._next_batch()
            loss = F.mse_loss(net(xb, a, 0), yb) + F.mse_loss(net(xb, b, 0), yb)
            trainer.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            trainer.optimizer.step()

    times = {"serial": [], "joint": []}
    for fn in (serial, joint):
        fn()  # warm-up
    for _ in range(rounds):
        for name, fn in (("serial", serial), ("joint", joint)):
            times[name].append(1e3 * timed(fn)[1] / n_steps)
    return {name: statistics.median(values) for name, values in times.items()}


def measure_personal_fits(general, pretrained, X_lab, y_lab, rounds):
    """Median (wall, CPU) seconds of personal fits, the dense head, and the curve subsets."""
    train = np.arange(48)

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
    runs = {"pathnet": [], "head": [], **{size: [] for size in sizes}}
    n_steps = []
    for round_ in range(rounds):
        wall, cpu, model = timed(lambda seed=round_: personal(48, seed))
        runs["pathnet"].append((wall, cpu))
        n_steps.append(steps(model, 48))
        runs["head"].append(timed(lambda seed=round_: dense_head(seed))[:2])
        for size in sizes:
            runs[size].append(timed(lambda n=size, seed=round_: personal(n, seed))[:2])
    medians = {
        key: tuple(statistics.median(column) for column in zip(*values))
        for key, values in runs.items()
    }
    return medians, statistics.median(n_steps)


def print_budget(general_times, medians, n_jobs):
    """The extra cost of PathNet in the quick study, from wall and from CPU seconds."""
    units = 5 * 5 * 2  # subjects x folds x targets
    n_curve_fits = 2 * units * len(DEFAULT_FRACTIONS)
    print("\nextra cost of PathNet in the quick study (5 subjects x 5 folds x 2 targets):")
    print(f"  {'':36s} {'wall':>8s} {'CPU':>8s}  core-s")
    totals = []
    for column in (0, 1):
        curves = (
            2 * units * sum(medians[max(2, math.ceil(f * 48))][column] for f in DEFAULT_FRACTIONS)
        )
        parts = (2 * general_times[column], units * medians["pathnet"][column], curves)
        totals.append((parts, sum(parts)))
    labels = (
        "2 general fits",
        f"PathNet transfer, {units} fits",
        f"random + GSx curves, {n_curve_fits} fits",
    )
    for index, label in enumerate(labels):
        print(f"  {label:36s} {totals[0][0][index]:8.1f} {totals[1][0][index]:8.1f}")
    wall, cpu = totals[0][1], totals[1][1]
    print(f"  {'total':36s} {wall:8.1f} {cpu:8.1f}")
    print(
        f"  on {n_jobs} workers: {wall / n_jobs:.0f} s measured here, {cpu / n_jobs:.0f} s "
        "on idle cores (target: within 180 s on 2 cores)"
    )


_PATHNET_STAGES = (
    "general PathNet",
    "PathNet transfer",
    "PathNet sampling",
    "cross-domain transfer",
)


def study_stages(n_jobs, data_home):
    """Run the quick profile's study in process; print its stages side by side."""
    import tempfile
    from pathlib import Path

    from sklearn_fer.study import STUDIES, StudyContext, make_config

    config = make_config("quick")
    with tempfile.TemporaryDirectory() as folder:
        home = data_home or Path(folder) / "data"
        context = StudyContext(
            out=Path(folder) / "out", data_home=home, n_jobs=n_jobs, progress=False
        )
        context.out.mkdir()
        start = time.perf_counter()
        results = STUDIES["rescigno"].run(config, context)
        total = time.perf_counter() - start
    timings = context.timings
    paper = {k: v for k, v in timings.items() if k not in _PATHNET_STAGES}
    extra = {k: v for k, v in timings.items() if k in _PATHNET_STAGES}
    print(f"\nquick profile, --n-jobs {n_jobs}: stage wall seconds (SYNTHETIC faces)")
    width = max(map(len, timings))
    for (a, ta), (b, tb) in zip(
        list(paper.items()) + [("", None)] * (len(extra) - len(paper)),
        list(extra.items()) + [("", None)] * (len(paper) - len(extra)),
    ):
        left = f"{a:{width}s} {ta:7.1f}" if ta is not None else " " * (width + 8)
        right = f"{b:{width}s} {tb:7.1f}" if tb is not None else ""
        print(f"  {left}   |  {right}")
    paper_s, extra_s = sum(paper.values()), sum(extra.values())
    print(
        f"  {'paper total':{width}s} {paper_s:7.1f}   |  {'PathNet total':{width}s} "
        f"{extra_s:7.1f}  ({extra_s / paper_s:.2f}x the paper's; target <= 180 s)"
    )
    print(f"  whole run {total:.1f} s")
    fits = results[(results["condition"] == "pathnet") & (results["study"] == "transfer")]
    per_fold = fits.groupby(["subject", "fold", "target"])["fit_seconds"].first()
    heads = results[(results["condition"] == "transfer_100") & (results["study"] == "transfer")]
    print(
        f"  evolution + final training per fold (PathNet transfer, {len(per_fold)} fits): "
        f"mean {per_fold.mean():.2f} s, median {per_fold.median():.2f} s, max "
        f"{per_fold.max():.2f} s; dense-head fine-tuning (Transfer 100%) mean "
        f"{heads['fit_seconds'].mean():.2f} s"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--wild", type=int, default=2000, help="wild images (quick: 2000)")
    parser.add_argument("--n-jobs", type=int, default=2, help="workers of the study")
    parser.add_argument("--study", action="store_true", help="time the quick study's stages")
    parser.add_argument("--data-home", help="where a cached general model may be (--study)")
    args = parser.parse_args(argv)
    if args.study:
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return study_stages(args.n_jobs, args.data_home)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); SYNTHETIC faces")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    pretrained, X_wild, y_wild, X_lab, y_lab = features(args)
    print(f"features: wild {X_wild.shape}, one lab subject's training fold (48, {X_lab.shape[1]})")
    *general_times, general = timed(lambda: PathNetRegressor(random_state=0).fit(X_wild, y_wild))
    print(
        f"general PathNet on {len(X_wild)} wild frames: {general_times[0]:.1f} s wall, "
        f"{general_times[1]:.1f} s CPU ({steps(general, len(X_wild))} steps)"
    )
    medians, n_steps = measure_personal_fits(general, pretrained, X_lab, y_lab, args.rounds)
    pathnet, head = medians["pathnet"], medians["head"]
    print(f"\n{'one personal fit, 48 frames':40s} {'wall s':>8s} {'CPU s':>8s}")
    print(f"{'PathNetRegressor(source=general)':40s} {pathnet[0]:8.3f} {pathnet[1]:8.3f}")
    print(f"{'DenseHeadRegressor (quick profile)':40s} {head[0]:8.3f} {head[1]:8.3f}")
    print(
        f"PathNet / dense head = {pathnet[0] / head[0]:.2f}x wall, {pathnet[1] / head[1]:.2f}x "
        f"CPU; PathNet: {n_steps:.0f} steps, {1e3 * pathnet[1] / n_steps:.1f} CPU ms/step"
    )
    print("\npersonal fits on sampling-curve subsets (wall s, CPU s):")
    for size in sorted(key for key in medians if isinstance(key, int)):
        print(f"  {size:3d} frames {medians[size][0]:8.3f} {medians[size][1]:8.3f}")
    pair = tournament_training(X_lab[:48], y_lab[:48], args.rounds)
    print(
        f"\none tournament, CPU ms per batch for the pair: serial (published) "
        f"{pair['serial']:.1f}, joint {pair['joint']:.1f} "
        f"(joint / serial = {pair['joint'] / pair['serial']:.2f}x)"
    )
    print_budget(general_times, medians, args.n_jobs)


if __name__ == "__main__":
    main()
