"""Wall time of the Zhou & Shi study's quick profile, from nothing, against its budget.

Prints the wall time of ``sklearn-fer reproduce --study zhou-shi --profile quick
--n-jobs 2`` with a fresh output folder and model cache (target: at most 5 minutes on 2
CPU cores), side by side with the budget, and the wall time of each stage read off the
report it writes. The machine's load average is printed too: on a shared machine the
time is an upper bound.

Run: ``python benchmarks/bench_zhou_shi.py``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 300.0


def quick_run():
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, SKLEARN_FER_DATA=os.path.join(folder, "data"), OMP_NUM_THREADS="1")
        out = Path(folder) / "out"
        command = [
            sys.executable,
            "-m",
            "sklearn_fer",
            "reproduce",
            "--study",
            "zhou-shi",
            "--profile",
            "quick",
            "--out",
            str(out),
            "--n-jobs",
            "2",
            "--no-progress",
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        report = (out / "report.md").read_text()
    timing = report.split("## Timing", 1)[1].split("\n\n", 2)[1]
    return wall, timing


def main():
    load = os.getloadavg()[0]
    wall, timing = quick_run()
    print(f"load average at start: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':48s}{'measured':>10s}{'target':>10s}{'ratio':>8s}")
    print(
        f"{'reproduce --study zhou-shi --profile quick':48s}{wall:9.0f}s{TARGET_SECONDS:9.0f}s"
        f"{wall / TARGET_SECONDS:8.2f}"
    )
    print("stages (from report.md):")
    print(timing)


if __name__ == "__main__":
    main()
