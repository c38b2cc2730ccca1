"""Speed of the synthetic face generator (target: >= 1000 images/s at 64 px on one core).

Run: ``python benchmarks/bench_faces.py [--sizes 64 112 227]``

Wall-clock images/s is the figure the target is about; CPU images/s (process time) is
printed beside it because on a shared machine the wall clock also counts other people's
work.
"""

from __future__ import annotations

import argparse
import time

import cv2

from sklearn_fer.datasets import make_faces


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 112, 227])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # one core: OpenCV would otherwise spread blur over threads
    print("synthetic faces (make_faces), one core; best of", args.rounds, "rounds")
    print(f"{'domain':6s} {'size':>5s} {'images/s':>9s} {'cpu images/s':>13s}")
    for domain in ("lab", "wild"):
        for size in args.sizes:
            n_subjects = args.images // 100
            best = best_cpu = 0.0
            for round_ in range(args.rounds):
                start, start_cpu = time.perf_counter(), time.process_time()
                make_faces(n_subjects, 100, domain=domain, image_size=size, random_state=round_)
                best = max(best, n_subjects * 100 / (time.perf_counter() - start))
                best_cpu = max(best_cpu, n_subjects * 100 / (time.process_time() - start_cpu))
            print(f"{domain:6s} {size:5d} {best:9.0f} {best_cpu:13.0f}")


if __name__ == "__main__":
    main()
