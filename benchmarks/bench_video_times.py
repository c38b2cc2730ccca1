"""Sample times on the real videos: the frames' own timestamps against the average rate.

Before issue 26, a sample's time was ``k * every_seconds`` and its frame
``round(k * every_seconds * fps)`` with the container's average ``fps``; a run stopped
once two samples rounded to one frame. :class:`~sklearn_fer.datasets.VideoFrames` now
takes the first frame at or after each requested time and gives its own timestamp. Both
are run here side by side on the real videos ``make venv`` fetches: rows, distinct
frames, and how far each row's ``time_s`` is from its frame's own timestamp (read with
OpenCV after every ``grab``; ``tests/datasets/test_video.py`` checks those against the
files' own ``stts``/``elst`` tables).

Run: ``python benchmarks/bench_video_times.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from sklearn_fer.datasets import VideoFrames

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from fetch_real_media import COMPLETE, default_destination  # noqa: E402

CASES = [
    ("face_noface.mov", 0.5),
    ("noface_face.mov", 0.5),
    ("obama_speech.mp4", 1.0),
    ("WolfgangLanger_Pexels.mp4", 4.0),
    ("WolfgangLanger_Pexels.mp4", 0.04),
]


def own_timestamps(path):
    """Every frame's presentation time (s), in decoding order."""
    capture = cv2.VideoCapture(str(path))
    times = []
    while capture.grab():
        times.append(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    capture.release()
    return np.array(times)


def average_rate_samples(path, every_seconds):
    """(time_s, frame index) as the earlier VideoFrames gave them."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    rows, index, k, wanted = [], 0, 0, 0
    while capture.grab():
        if index == wanted:
            rows.append((k * every_seconds, index))
            k += 1
            wanted = int(round(k * every_seconds * fps))
        index += 1
    capture.release()
    return rows


def main():
    folder = default_destination()
    if not (folder / COMPLETE).is_file():
        print(f"the real videos are not in {folder}: run make venv (tools/fetch_real_media.py)")
        return
    steps = {}
    print(
        f"{'video':27s} {'every':>6s} {'sampling':>14s} {'rows':>5s} {'frames':>6s} "
        f"{'max |error| s':>13s} {'mean':>6s}"
    )
    for name, every in CASES:
        path = folder / name
        own = own_timestamps(path)
        steps[name] = (VideoFrames(path).fps, np.diff(own))
        new = [(t, i) for i, t, _ in VideoFrames(path, every_seconds=every).iter_frames()]
        for label, rows in (
            ("average rate", average_rate_samples(path, every)),
            ("own timestamps", new),
        ):
            errors = np.array([abs(t - own[i]) for t, i in rows])
            print(
                f"{name:27s} {every:6g} {label:>14s} {len(rows):5d} {len(own):6d} "
                f"{errors.max():13.3f} {errors.mean():6.3f}"
            )
    print("\nthe reported average rate against the frames' own steps:")
    for name, (fps, diffs) in steps.items():
        common = np.median(diffs)
        share = np.mean(np.isclose(diffs, common, atol=5e-4))
        print(
            f"{name:27s} {fps:7.3f} frames/s (1/fps = {1 / fps:.4f} s); steps "
            f"{diffs.min():.4f} to {diffs.max():.4f} s, {share:.0%} of them {common:.4f} s"
        )


if __name__ == "__main__":
    main()
