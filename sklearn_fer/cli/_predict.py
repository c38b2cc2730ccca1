"""``sklearn-fer predict``: per-frame valence and arousal of a video."""

from __future__ import annotations

import sys
from pathlib import Path

from ._arguments import device_problem, fail, positive_float


def add_parser(commands):
    """Add the ``predict`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "predict",
        help="per-frame valence and arousal of a video",
        description="Sample a video every --every-seconds, crop the face of each frame with "
        "the Haar cascade, and predict valence and arousal with a model folder written by "
        "'sklearn-fer reproduce' (its 'model' subfolder).",
    )
    parser.add_argument("video", type=Path, help="video file")
    parser.add_argument("--model", type=Path, required=True, help="model folder")
    parser.add_argument(
        "--every-seconds",
        type=positive_float,
        default=4.0,
        help="seconds between sampled frames (default: 4, the paper's)",
    )
    parser.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    parser.add_argument(
        "--device", default="cpu", help="torch device: cpu (default), cuda or cuda:N"
    )
    parser.set_defaults(run=run)


def _predictions(nets, image_size, frames, times):
    import numpy as np
    import pandas as pd

    from ..cropping import FaceCropper

    table = pd.DataFrame({"time_s": times, "face_found": False})
    for target in nets:
        for name in target.split("+"):
            table[name] = np.nan
    if not frames:
        return table
    cropper = FaceCropper(output_size=image_size)
    boxes = cropper.detect(frames)
    found = np.array([box is not None for box in boxes])
    table["face_found"] = found
    if found.any():
        faces = cropper.crop(
            [f for f, ok in zip(frames, found) if ok], [b for b in boxes if b is not None]
        )
        for target, net in nets.items():
            prediction = np.asarray(net.predict(faces)).reshape(len(faces), -1)
            for j, name in enumerate(target.split("+")):
                table.loc[found, name] = prediction[:, j]
    return table


def run(args):
    """Run the command; return the exit status."""
    from ..datasets._amigos import _sample_frames
    from ..persistence import load_pretrained

    problem = device_problem(args.device)
    if problem:
        return fail(problem)
    if not args.video.is_file():
        return fail(f"video {str(args.video)!r} does not exist")
    try:
        nets, image_size = load_pretrained(args.model, device=args.device)
    except ValueError as error:
        return fail(str(error))
    try:
        frames, times = _sample_frames(args.video, args.every_seconds)
    except OSError as error:
        return fail(str(error))
    table = _predictions(nets, image_size, frames, times)
    if args.out is None:
        table.to_csv(sys.stdout, index=False, float_format="%.4f")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False, float_format="%.4f")
        print(
            f"{int(table['face_found'].sum())} of {len(table)} frames with a face; wrote {args.out}"
        )
    return 0
