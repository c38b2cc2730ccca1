"""Speed and memory of the query strategies, measured side by side in one run.

Prints:

* GSx at the paper's per-fold scale (N=800 pool, K=720, d=9216 float32 conv features):
  seconds, and the speed-up over the literal transcription of Table 2's pseudocode (the
  reference kept in tests/active/test_greedy.py), which runs at K=200 because it is slow, against
  GSx at K=200; also a bare loop of the same 720 matrix-vector products, the floor of any
  implementation with O(N) extra memory;
* GSx on N=100000, K=1000, d=256: seconds and peak memory;
* MCDUE with T=50 over an N=800 pool of 9216-d features through AlexNet's dense head:
  seconds and achieved GFLOP/s against a float32 4096x4096 matmul timed in the same run.

Targets (issue 4): GSx >= 100x the literal version at N=800, K=200, under 0.3 s for K=720;
under 2 GB at N=100000; MCDUE at >= 60% of the matmul's GFLOP/s.

Run: ``python benchmarks/bench_sampling.py [--skip-literal]``
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
from tests.active.test_greedy import literal_gsx  # noqa: E402  (the reference transcription)


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def matmul_gflops(repeats=8):
    a, b = torch.randn(4096, 4096), torch.randn(4096, 4096)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * 4096**3 / statistics.median(times) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-literal", action="store_true", help="skip the slow reference")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads {torch.get_num_threads()}")

    # -- GSx at the paper's scale --------------------------------------------------------
    pool = np.maximum(rng.normal(0.5, 1.0, size=(800, 9216)), 0).astype(np.float32)
    gsx = GreedySampler("x")
    picks = gsx.select(pool, 720)

    def bare_products():
        for k in picks:
            pool @ pool[k]

    # Interleaved rounds: the machine's speed drifts, so compare within each round.
    rounds = []
    for _ in range(args.repeats):
        t720, _ = best_of(lambda: gsx.select(pool, 720), 1)
        t_bare, _ = best_of(bare_products, 1)
        rounds.append((t720, t_bare))
    t720 = statistics.median(r[0] for r in rounds)
    t_bare = statistics.median(r[1] for r in rounds)
    t200, picks200 = best_of(lambda: gsx.select(pool, 200), args.repeats)
    print("\nGSx, N=800, d=9216 (float32 post-ReLU features)")
    print(
        f"  K=720: {t720:.3f} s (median of {args.repeats}; target < 0.3 s); the same 720 "
        f"bare float32 mat-vec products: {t_bare:.3f} s -> overhead {t720 / t_bare:.2f}x"
    )
    print(f"  K=200: {t200:.3f} s")
    if not args.skip_literal:
        start = time.perf_counter()
        reference = literal_gsx(pool, 200)
        t_literal = time.perf_counter() - start
        same = reference == picks200.tolist()
        print(
            f"  literal pseudocode, K=200: {t_literal:.1f} s -> speed-up "
            f"{t_literal / t200:.0f}x (target >= 100x); same selection: {same}"
        )

    # -- GSx at scale: time and memory ---------------------------------------------------
    big = rng.normal(size=(100_000, 256)).astype(np.float32)
    tracemalloc.start()
    start = time.perf_counter()
    GreedySampler("x").select(big, 1000)
    t_big = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("\nGSx, N=100000, K=1000, d=256 (float32)")
    print(
        f"  {t_big:.2f} s; peak memory allocated during selection {peak / 2**20:.1f} MiB "
        f"(input itself {big.nbytes / 2**20:.0f} MiB; target < 2 GB)"
    )

    # -- MCDUE through the AlexNet head --------------------------------------------------
    pretrained = AlexNetRegressor(random_state=0).initialize()
    head = DenseHeadRegressor(pretrained).initialize()
    features = np.maximum(rng.normal(size=(800, 9216)), 0).astype(np.float32)
    sampler = MCDropoutSampler(n_iter=50, p=0.5, random_state=0)
    sampler.select(features[:64], 8, estimator=head)  # warm-up
    start = time.perf_counter()
    sampler.select(features, 80, estimator=head)
    t_mc = time.perf_counter() - start
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


if __name__ == "__main__":
    main()
