"""Peak memory of ``sklearn-fer predict`` for two lengths of video, side by side with
the old way (every sampled frame held in memory before predicting).

Writes a 640x480 video of synthetic faces at 1 frame/s for each length, runs the command
(the real one, through ``sklearn_fer.cli.main``) in a fresh process per run, and reads the
process's peak resident memory (``ru_maxrss``). The old way is the same pipeline with the
sampled frames gathered into a list first, as ``predict`` did before it streamed.

    python benchmarks/bench_predict_memory.py            # 10 and 40 minutes of video
    python benchmarks/bench_predict_memory.py --minutes 5 20
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

RUN = """
import resource, sys
from sklearn_fer import cli
code = cli.main(sys.argv[1:])
assert code == 0, code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

OLD_WAY = """
import resource, sys
import numpy as np
from sklearn_fer import FaceCropper
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.persistence import load_pretrained
video, model, every = sys.argv[1], sys.argv[2], float(sys.argv[3])
nets, size = load_pretrained(model)
frames = [frame for _, frame in VideoFrames(video, every_seconds=every)]  # all held
cropper = FaceCropper(output_size=size)
boxes = cropper.detect(frames)
found = [f for f, b in zip(frames, boxes) if b is not None]
faces = cropper.crop(found, [b for b in boxes if b is not None])
for net in nets.values():
    net.predict(faces)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _faces():
    """Synthetic faces pasted where the video puts them, kept if the Haar cascade finds them."""
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import make_faces

    faces = make_faces(6, 20, domain="lab", image_size=200, random_state=0).images
    frames = np.full((len(faces), 480, 640, 3), 100, dtype=np.uint8)
    frames[:, 140:340, 220:420] = faces
    found = [box is not None for box in FaceCropper().detect(frames)]
    return faces[np.asarray(found)]


def write_video(path, minutes):
    faces = _faces()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 1.0, (640, 480))
    frame = np.full((480, 640, 3), 100, dtype=np.uint8)
    for second in range(int(minutes * 60)):
        frame[140:340, 220:420] = faces[second % len(faces)]
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def peak_mib(script, *args):
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip().splitlines()[-1]) / 1024  # Linux reports KiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs=2, default=[10.0, 40.0])
    parser.add_argument("--every-seconds", type=float, default=4.0)
    args = parser.parse_args()

    from sklearn_fer import AlexNetRegressor
    from sklearn_fer.persistence import save_pretrained

    work = Path(tempfile.mkdtemp(prefix="bench-predict-"))
    # Weights do not change memory: an initialised paper-width AlexNet per target.
    nets = {
        t: AlexNetRegressor(random_state=i).initialize()
        for i, t in enumerate(("valence", "arousal"))
    }
    model = save_pretrained(nets, work / "model", image_size=227)
    rows = []
    for minutes in args.minutes:
        video = write_video(work / f"{minutes:g}min.avi", minutes)
        start = time.perf_counter()
        streamed = peak_mib(
            RUN,
            "predict",
            video,
            "--model",
            model,
            "--every-seconds",
            args.every_seconds,
            "--out",
            work / "out.csv",
            "--no-progress",
        )
        seconds = time.perf_counter() - start
        held = peak_mib(OLD_WAY, video, model, args.every_seconds)
        rows.append((minutes, int(minutes * 60 / args.every_seconds), streamed, held, seconds))
    print(
        "sklearn-fer predict, 640x480 video at 1 frame/s, one frame every "
        f"{args.every_seconds:g} s, twin AlexNets (4096 units) at 227 px; peak RSS of the process"
    )
    header = ("video", "sampled", "streamed", "all frames held", "predict s")
    print("{:>8s} {:>8s} {:>12s} {:>16s} {:>10s}".format(*header))
    for minutes, sampled, streamed, held, seconds in rows:
        print(f"{minutes:6g} m {sampled:8d} {streamed:8.0f} MiB {held:12.0f} MiB {seconds:10.1f}")
    (m0, _, s0, h0, _), (m1, _, s1, h1, _) = rows
    print(
        f"{m1 / m0:g}x longer video: streamed peak x{s1 / s0:.2f}, "
        f"all-frames-held peak x{h1 / h0:.2f}"
    )


if __name__ == "__main__":
    main()
