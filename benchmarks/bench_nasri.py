"""Wall time of the Nasri study's quick profile, from nothing, serial and on 2 jobs.

Prints, measured in one run, the wall time and the CPU time (user + system, of the
command and its worker processes) of ``sklearn-fer reproduce --study nasri --profile
quick`` in a fresh output folder with ``--n-jobs 1`` and ``--n-jobs 2`` (target: at
most 5 minutes on 2 CPU cores), their ratio, and the stages' times from each run's
``report.md``. On a shared machine the wall time grows with the other load; the CPU
time is what the run itself costs (one core's worth of it is the wall time of a serial
run on an idle core).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_nasri.py [--jobs 2] [--backbone NAME]``
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 300


def wall_time(n_jobs, backbone):
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out")
        command = [
            sys.executable,
            "-m",
            "sklearn_fer",
            "reproduce",
            "--study",
            "nasri",
            "--profile",
            "quick",
            "--out",
            out,
            "--n-jobs",
            str(n_jobs),
            "--no-progress",
        ]
        if backbone:
            command += ["--backbone", backbone]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
        with open(os.path.join(out, "report.md")) as stream:
            report = stream.read()
    timing = report.split("## Timing", 1)[1]
    stages = re.findall(r"^\| ([a-z -]+?) +\| ([0-9.]+ (?:s|min|h)) +\|$", timing, re.M)
    return seconds, cpu, stages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--backbone", default=None)
    args = parser.parse_args(argv)
    times = {}
    for n_jobs in args.jobs:
        seconds, cpu, stages = wall_time(n_jobs, args.backbone)
        times[n_jobs] = seconds
        print(
            f"reproduce --study nasri --profile quick --n-jobs {n_jobs}: wall {seconds:.0f} s "
            f"({seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS} s target), CPU "
            f"{cpu:.0f} s; stages: " + ", ".join(f"{name} {value}" for name, value in stages)
        )
    if len(times) > 1:
        first, last = min(times), max(times)
        print(f"wall, --n-jobs {first} / --n-jobs {last}: {times[first] / times[last]:.2f}x")
    print(f"load average while it ran (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
