"""Speed and memory of the query strategies, measured side by side in one run.

Prints:

* GSx and iGS at the paper's per-fold scale (N=800 pool, K=720, d=9216 float32 conv
  features): seconds on the Gram route (the default at this size) and on the streaming
  route (``max_gram_mib=0``, one matrix-vector product per pick), against a float32
  matrix product of the Gram route's FLOPs (the floor of the Gram route), the bare 720
  matrix-vector products (the floor of the streaming route) and scikit-activeml's
  ``GreedySamplingX`` (when installed), all timed in the same run;
* GSx against the literal transcription of Table 2's pseudocode (the reference kept in
  tests/active/test_greedy.py) at K=200, since the literal version is slow;
* GSx on N=100000, K=1000, d=256 (streaming: its N x N matrix would be 37 GiB): seconds
  and peak memory;
* MCDUE with T=50 over an N=800 pool of 9216-d features through AlexNet's dense head:
  seconds and achieved GFLOP/s against a float32 4096x4096 matmul timed in the same run.

Targets (issues 4 and 15): GSx at K=720 <= 0.1 s and >= 60x scikit-activeml's
GreedySamplingX; >= 100x the literal version at K=200; under 2 GB at N=100000; MCDUE at
>= 60% of the matmul's GFLOP/s.

Run: ``python benchmarks/bench_sampling.py [--skip-literal] [--skip-skactiveml]``
(``pip install scikit-activeml`` for the comparison with it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np
import torch

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor
from sklearn_fer.active import GreedySampler, MCDropoutSampler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.active.test_greedy import FixedFunction, literal_gsx  # noqa: E402


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(candidates, repeats):
    """Median seconds of each candidate, run in alternation (the machine's speed drifts)."""
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            times[name].append(seconds(fn)[0])
    return {name: statistics.median(values) for name, values in times.items()}


def matmul_gflops(repeats=8):
    a, b = torch.randn(4096, 4096), torch.randn(4096, 4096)
    a @ b
    times = [seconds(lambda: a @ b)[0] for _ in range(repeats)]
    return 2 * 4096**3 / statistics.median(times) / 1e9


def skactiveml_gsx(pool, n_select):
    """scikit-activeml's GreedySamplingX on an unlabelled pool, or None if not installed."""
    try:
        from skactiveml.pool import GreedySamplingX
    except ImportError:
        return None
    y = np.full(len(pool), np.nan)
    strategy = GreedySamplingX(random_state=0)
    return lambda: strategy.query(pool, y, batch_size=n_select)


def bench_greedy_at_paper_scale(rng, repeats, with_skactiveml):
    pool = np.maximum(rng.normal(0.5, 1.0, size=(800, 9216)), 0).astype(np.float32)
    f = FixedFunction(rng.normal(size=9216) / 200)
    picks = GreedySampler("x").select(pool, 720)
    same = picks.tolist() == GreedySampler("x", max_gram_mib=0).select(pool, 720).tolist()
    candidates = {
        "gsx gram": lambda: GreedySampler("x").select(pool, 720),
        "gsx streaming": lambda: GreedySampler("x", max_gram_mib=0).select(pool, 720),
        "igs gram": lambda: GreedySampler("xy").select(pool, 720, estimator=f),
        "igs streaming": lambda: GreedySampler("xy", max_gram_mib=0).select(pool, 720, estimator=f),
        "matmul of Gram FLOPs": lambda: pool @ pool.T,
        "720 bare mat-vecs": lambda: [pool @ pool[k] for k in picks],
    }
    t = interleaved(candidates, repeats)
    print("\nGSx / iGS, N=800, K=720, d=9216 (float32 post-ReLU features)")
    for name, value in t.items():
        print(f"  {name:22s} {value:.3f} s (median of {repeats})")
    print(f"  same picks on both routes: {same}")
    print(
        f"  GSx Gram route: {t['gsx gram']:.3f} s (target <= 0.1 s) = "
        f"{t['gsx gram'] / t['matmul of Gram FLOPs']:.2f}x its matmul floor; "
        f"{t['gsx streaming'] / t['gsx gram']:.1f}x faster than streaming"
    )
    gsx_skal = skactiveml_gsx(pool, 720) if with_skactiveml else None
    if gsx_skal is not None:
        t_skal, skal_picks = seconds(gsx_skal)
        agree = np.mean(np.asarray(skal_picks) == picks)
        print(
            f"  scikit-activeml GreedySamplingX: {t_skal:.2f} s -> ours is "
            f"{t_skal / t['gsx gram']:.0f}x faster (goal >= 60x); picks in the same "
            f"position: {agree:.0%} (its first pick and tie-breaking differ from Table 2's)"
        )
    return pool


def bench_against_literal(pool, repeats):
    t200 = min(seconds(lambda: GreedySampler("x").select(pool, 200))[0] for _ in range(repeats))
    picks = GreedySampler("x").select(pool, 200)
    t_literal, reference = seconds(lambda: literal_gsx(pool, 200))
    print(
        f"\nGSx K=200: {t200:.3f} s; literal pseudocode {t_literal:.1f} s -> speed-up "
        f"{t_literal / t200:.0f}x (target >= 100x); same selection: "
        f"{reference == picks.tolist()}"
    )


def bench_big_pool(rng):
    big = rng.normal(size=(100_000, 256)).astype(np.float32)
    tracemalloc.start()
    t_big, _ = seconds(lambda: GreedySampler("x").select(big, 1000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("\nGSx, N=100000, K=1000, d=256 (float32; streaming route)")
    print(
        f"  {t_big:.2f} s; peak memory allocated during selection {peak / 2**20:.1f} MiB "
        f"(input itself {big.nbytes / 2**20:.0f} MiB; target < 2 GB)"
    )


def bench_mcdue(rng):
    pretrained = AlexNetRegressor(random_state=0).initialize()
    head = DenseHeadRegressor(pretrained).initialize()
    features = np.maximum(rng.normal(size=(800, 9216)), 0).astype(np.float32)
    sampler = MCDropoutSampler(n_iter=50, p=0.5, random_state=0)
    sampler.select(features[:64], 8, estimator=head)  # warm-up
    t_mc, _ = seconds(lambda: sampler.select(features, 80, estimator=head))
    head_flops = 2 * sum(
        m.in_features * m.out_features for m in head.module_ if isinstance(m, torch.nn.Linear)
    )
    achieved = head_flops * 800 * 50 / t_mc / 1e9
    reference = matmul_gflops()
    print("\nMCDUE, T=50, N=800 pool of 9216-d features, AlexNet dense head (9216-4096-4096-1)")
    print(
        f"  {t_mc:.1f} s; {achieved:.0f} GFLOP/s vs float32 4096x4096 matmul {reference:.0f} "
        f"GFLOP/s = {achieved / reference:.0%} (target >= 60%)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-literal", action="store_true", help="skip the slow reference")
    parser.add_argument("--skip-skactiveml", action="store_true")
    parser.add_argument("--skip-mcdue", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    pool = bench_greedy_at_paper_scale(rng, args.repeats, not args.skip_skactiveml)
    if not args.skip_literal:
        bench_against_literal(pool, args.repeats)
    bench_big_pool(rng)
    if not args.skip_mcdue:
        bench_mcdue(rng)


if __name__ == "__main__":
    main()
