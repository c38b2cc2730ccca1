"""Does ``results.csv`` depend on the CPU's instruction set, and what does AVX2 cost?

Runs ``sklearn-fer reproduce --profile smoke`` from an empty output folder and an empty
data home (so the general nets are pre-trained in each run) four ways:

* ``default``: as it is (MKL, oneDNN and torch's kernels restricted to AVX2);
* ``avx2 exported``: the same with ``MKL_ENABLE_INSTRUCTIONS=AVX2
  ONEDNN_MAX_CPU_ISA=AVX2`` exported, what a CPU without AVX-512 would run;
* ``native``: ``--native-kernels`` (the CPU's widest kernels, AVX-512/AMX where present);
* ``native, avx2 exported``: ``--native-kernels`` with the two variables exported.

and prints, for each, the wall time and the CPU time (user + system of the command and
its workers; on a shared machine the wall time grows with the other load), then the
largest difference of each metric between the runs' ``results.csv`` files (timings left
out). On a CPU with AVX-512 the first two must be identical and the last two differ; on
a CPU without it, all four agree.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_portable_kernels.py [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import pandas as pd

AVX2 = {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
RUNS = {
    "default": ([], {}),
    "avx2 exported": ([], AVX2),
    "native": (["--native-kernels"], {}),
    "native, avx2 exported": (["--native-kernels"], AVX2),
}
METRICS = ["rmse", "ccc", "pcc", "sagr"]


def run(folder, name, options, variables):
    out = os.path.join(folder, name.replace(" ", "_").replace(",", ""), "out")
    environ = {**os.environ, **variables}
    environ["SKLEARN_FER_DATA"] = os.path.join(os.path.dirname(out), "data_home")
    for variable in ("MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA"):
        if variable not in variables:
            environ.pop(variable, None)
    command = [sys.executable, "-m", "sklearn_fer", "reproduce", "--profile", "smoke"]
    command += ["--out", out, "--no-progress", *options]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environ)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return wall, cpu, pd.read_csv(os.path.join(out, "results.csv"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way (default 1)")
    args = parser.parse_args()
    times = {name: [] for name in RUNS}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeat):
            for name, (options, variables) in RUNS.items():
                wall, cpu, frame = run(os.path.join(folder, str(repeat)), name, options, variables)
                times[name].append((wall, cpu))
                results.setdefault(name, frame)
    print(f"sklearn-fer reproduce --profile smoke, {args.repeat} run(s) each, from nothing:")
    print(f"{'run':<24}{'wall s':>10}{'CPU s':>10}")
    for name, pairs in times.items():
        wall = sum(p[0] for p in pairs) / len(pairs)
        cpu = sum(p[1] for p in pairs) / len(pairs)
        print(f"{name:<24}{wall:>10.1f}{cpu:>10.1f}")
    print("\nlargest difference between results.csv files (rmse, ccc, pcc, sagr):")
    for first, second in (
        ("default", "avx2 exported"),
        ("native", "native, avx2 exported"),
        ("default", "native, avx2 exported"),
        ("default", "native"),
    ):
        a, b = results[first], results[second]
        gaps = (a[METRICS] - b[METRICS]).abs().max()
        text = ", ".join(f"{gaps[m]:.2g}" for m in METRICS)
        verdict = "identical" if not gaps.any() else "differ"
        print(f"  {first} vs {second}: {verdict} ({text})")


if __name__ == "__main__":
    main()
