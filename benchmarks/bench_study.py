"""Wall time of the README's main job, where it goes, and what caching conv features saves.

Prints, measured in one run:

* the wall time of ``sklearn-fer reproduce --profile quick --n-jobs 2`` from nothing
  (fresh output folder and model cache; target: at most 4 minutes on 2 CPU cores), and
  its breakdown: the pre-training time the run logs, and the ``fit_seconds`` of its
  ``results.csv`` summed per condition and sampler (a sampler's row includes its
  selection); these are single-thread seconds of units that run two at a time;
* the per-subject fine-tuning loop of the sampling study (7 fractions x 5 folds of one
  subject's frames) with conv features computed once and reused by every fit, against a
  ``Pipeline(FrozenConvFeaturizer, DenseHeadRegressor)`` that recomputes them in every fit,
  at 64 px (the quick profile) and 227 px (the paper's AlexNet input): the ratio;
* that loop (features once) with a dense part of 512 (the quick profile's) and 256 units: what a
  narrower head would save;
* that loop on a trained general net's features (the quick run's, or with
  ``--skip-quick`` one trained here), heads leaving out the features that are zero on
  every training row against heads trained on every column, rounds interleaved;
* the same fits written as a bare torch loop (the same live columns, batches, fused
  Adam and full-width dropout, no skorch), and that loop without dropout: how far the
  estimator is from the arithmetic of its fits, rounds interleaved; and what a dropout
  mask of a 32 x 9216 batch costs from ``bernoulli_`` (torch's) and from ``rand_like``.

Run: ``python benchmarks/bench_study.py [--skip-quick]``
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from sklearn_fer import AlexNetRegressor, FrozenConvFeaturizer
from sklearn_fer._threads import one_thread
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import DEFAULT_FRACTIONS
from sklearn_fer.nets import dense_part
from sklearn_fer.study import PROFILES
from sklearn_fer.study._estimators import head as study_head


def quick_wall_time():
    """Wall seconds of the quick study from nothing, its log, its results and its
    general valence net."""
    import pandas as pd

    from sklearn_fer.persistence import load_pretrained

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
        run = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        results = pd.read_csv(os.path.join(folder, "out", "results.csv"))
        nets, _ = load_pretrained(os.path.join(folder, "out", "model"))
        return seconds, run.stdout, results, nets["valence"]


def quick_general_net():
    """The quick profile's general valence net, trained here (about 100 s, one thread)."""
    from sklearn_fer._general_nets import general_net as general_model
    from sklearn_fer.study._data import load_data

    config = PROFILES["quick"]
    wild, _ = load_data(config, None, None, lambda message: None)
    with one_thread():
        return general_model(config, 0).fit(wild.images, wild.valence)


def print_breakdown(log, results):
    for line in log.splitlines():
        if line.startswith("general model"):
            print(f"  {line}")
    rows = results.drop_duplicates(
        ["study", "condition", "sampler", "subject", "fold", "target", "fraction"]
    )
    sampler = rows["sampler"].fillna("none")
    label = rows["study"] + ": " + rows["condition"]
    label = label.where(sampler == "none", label + ", " + sampler)
    sums = rows.groupby(label)["fit_seconds"].agg(["sum", "count"])
    for name, (total, count) in sums.sort_values("sum", ascending=False).iterrows():
        print(f"  {name:<32s} {total:7.1f} s over {int(count):4d} fits")
    print(f"  {'all fits':<32s} {sums['sum'].sum():7.1f} s (two units run at a time)")


def loop_sizes(n_frames):
    """(train, test, n) of one subject's 35 fits: each fraction of each of 5 folds."""
    folds = KFold(5, shuffle=True, random_state=0).split(range(n_frames))
    return [
        (train, test, math.ceil(f * len(train))) for train, test in folds for f in DEFAULT_FRACTIONS
    ]


def fine_tuning_loop(
    image_size,
    n_frames=60,
    hidden_units=None,
    recompute=True,
    prune_dead_inputs=True,
    pretrained=None,
):
    config = PROFILES["quick"]
    faces = make_faces(1, n_frames, image_size=image_size, random_state=0)
    hidden_units = hidden_units or config.pretraining.hidden_units
    if pretrained is None:
        pretrained = AlexNetRegressor(module__hidden_units=hidden_units, random_state=0)
        pretrained.initialize()
    head = study_head(config).set_params(pretrained=pretrained, random_state=0)
    head._prune_dead_inputs = prune_dead_inputs
    sizes = loop_sizes(n_frames)

    start, dead = time.perf_counter(), []
    features = FrozenConvFeaturizer(pretrained).fit_transform(faces.images)
    for train, test, n in sizes:
        head.fit(features[train[:n]], faces.valence[train[:n]]).predict(features[test])
        dead.append(float((features[train[:n]] == 0).all(axis=0).mean()))
    cached = time.perf_counter() - start
    fine_tuning_loop.dead_fraction = sum(dead) / len(dead)
    if not recompute:
        return len(sizes), cached, None

    pipeline = make_pipeline(FrozenConvFeaturizer(pretrained), head)
    start = time.perf_counter()
    for train, test, n in sizes:
        pipeline.fit(faces.images[train[:n]], faces.valence[train[:n]])
        pipeline.predict(faces.images[test])
    recomputed = time.perf_counter() - start
    return len(sizes), cached, recomputed


def bare_fit(head, X, y, *, epochs, batch_size, lr, dropout, generator):
    """The fine-tuning of one head in plain torch: live columns only, fused Adam."""
    head = copy.deepcopy(head)
    live = torch.as_tensor(np.flatnonzero((X != 0).any(axis=0)))
    first = head[1]
    weight = torch.nn.Parameter(first.weight.detach()[:, live].contiguous())
    rest = head[2:]
    optimizer = torch.optim.Adam([weight, first.bias, *rest.parameters()], lr=lr, fused=True)
    X, y = torch.from_numpy(X), torch.from_numpy(y.reshape(-1, 1))
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            rows = order[start : start + batch_size]
            xb = torch.dropout(X[rows], 0.5, True) if dropout else X[rows]
            out = rest(torch.nn.functional.linear(xb.index_select(1, live), weight, first.bias))
            loss = torch.nn.functional.mse_loss(out, y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return head


def floor_loop(pretrained, n_frames=60, rounds=3):
    """Seconds of one subject's 35 fits: the estimator, bare torch, bare torch without
    dropout (medians of interleaved rounds, one thread)."""
    config = PROFILES["quick"]
    faces = make_faces(1, n_frames, image_size=64, random_state=0)
    features = FrozenConvFeaturizer(pretrained).fit_transform(faces.images)
    y = faces.valence.astype(np.float32)
    subsets = [train[:n] for train, _, n in loop_sizes(n_frames)]
    estimator = study_head(config).set_params(pretrained=pretrained, random_state=0)
    source = dense_part(pretrained.module_)
    settings = dict(epochs=config.head_epochs, batch_size=config.head_batch_size, lr=config.head_lr)

    def run(name):
        generator = torch.Generator().manual_seed(0)
        start = time.perf_counter()
        for rows in subsets:
            if name == "DenseHeadRegressor":
                estimator.fit(features[rows], y[rows])
            else:
                bare_fit(
                    source,
                    features[rows],
                    y[rows],
                    dropout=name == "bare torch",
                    generator=generator,
                    **settings,
                )
        return time.perf_counter() - start

    names = ("DenseHeadRegressor", "bare torch", "bare torch, no dropout")
    times = {name: [] for name in names}
    with one_thread():
        for name in names:
            run(name)  # warm-up
        for _ in range(rounds):
            for name in names:
                times[name].append(run(name))
    return {name: float(np.median(values)) for name, values in times.items()}


#: A head batch of the quick profile's conv features.
MASK_SHAPE = (32, 9216)


def mask_microseconds(n_calls=200):
    """Microseconds per dropout mask of a MASK_SHAPE batch: torch's, and from rand_like."""
    batch = torch.randn(*MASK_SHAPE)
    ways = {
        "torch.dropout (bernoulli_)": lambda: torch.dropout(batch, 0.5, True),
        "rand_like(x) >= p, scaled": lambda: batch * ((torch.rand_like(batch) >= 0.5) * 2.0),
    }
    times = {}
    with one_thread():
        for name, way in ways.items():
            way()
            start = time.perf_counter()
            for _ in range(n_calls):
                way()
            times[name] = (time.perf_counter() - start) / n_calls * 1e6
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-quick", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_quick:
        seconds, log, results, general = quick_wall_time()
        print(
            f"sklearn-fer reproduce --profile quick --n-jobs 2: {seconds / 60:.1f} min "
            f"(target <= 4 min on 2 CPU cores)"
        )
        print_breakdown(log, results)
    else:
        print("training the quick profile's general valence net (12 epochs, one thread)...")
        general = quick_general_net()
    print("\nfine-tuning loop of one subject (60 frames, 7 fractions x 5 folds):")
    for size in (64, 227):
        n_fits, cached, recomputed = fine_tuning_loop(size)
        print(
            f"  {size:3d} px, {n_fits} fits: features once {cached:.1f} s, recomputed in "
            f"every fit {recomputed:.1f} s -> {recomputed / cached:.2f}x"
        )
    # The head fits dominate the quick study; what a narrower dense part would save.
    print("\nthe same loop at 64 px, features once, by dense width (one thread each):")
    with one_thread():
        widths = {
            width: fine_tuning_loop(64, hidden_units=width, recompute=False)[1]
            for width in (512, 256)
        }
    print(
        f"  512 (quick profile) {widths[512]:.1f} s, 256 {widths[256]:.1f} s -> "
        f"{widths[512] / widths[256]:.2f}x"
    )
    # Heads train without the features that are zero on every training row
    # (sklearn_fer._dead_inputs); the same loop on every column, rounds interleaved, on
    # the features of a trained general net (an untrained one has few dead features).
    times = {True: [], False: []}
    with one_thread():
        for _ in range(3):
            for prune in (True, False):
                loop = fine_tuning_loop(
                    64, recompute=False, prune_dead_inputs=prune, pretrained=general
                )
                times[prune].append(loop[1])
    pruned, full = (sorted(times[k])[1] for k in (True, False))
    print(
        f"\nthe same loop, dead inputs left out / every column (medians of 3, "
        f"{fine_tuning_loop.dead_fraction:.0%} of the columns dead on a fit's rows on "
        f"average): {pruned:.1f} s / {full:.1f} s -> {full / pruned:.2f}x"
    )
    # How much of a fit is the fit's own arithmetic: the first layer's product on the live
    # columns, its gradient and Adam's update, against skorch and dropout around them.
    floor = floor_loop(general)
    print("\nthe same 35 fits (dead inputs left out), medians of 3 interleaved rounds:")
    for name, seconds in floor.items():
        ratio = floor["DenseHeadRegressor"] / seconds
        print(f"  {name:<24s} {seconds:5.2f} s (the estimator takes {ratio:.2f}x this)")
    masks = mask_microseconds()
    print(f"dropout on a {MASK_SHAPE[0]} x {MASK_SHAPE[1]} batch, one thread:")
    for name, microseconds in masks.items():
        per_element = microseconds * 1000 / math.prod(MASK_SHAPE)
        print(f"  {name:<28s} {microseconds:6.0f} us ({per_element:.1f} ns an element)")


if __name__ == "__main__":
    main()
