"""The ``sklearn-fer`` command line.

``sklearn-fer reproduce`` runs the paper's study end to end (see :mod:`sklearn_fer.study`);
``sklearn-fer predict`` gives per-frame valence and arousal for a new video with a model
that ``reproduce`` wrote. Bad arguments, missing data and foreign output folders exit with
status 2 and a one-line message; an interrupt exits with 130 and keeps finished work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return value


def _jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a positive int or -1, got {text!r}")
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-fer",
        description="Personalised facial emotion recognition (Rescigno et al. 2020).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    reproduce = commands.add_parser(
        "reproduce",
        help="pre-train, run the transfer and sampling studies, write a report",
        description="Pre-train the general model (or reuse a cached one), run the transfer "
        "conditions and the sampling curves per subject, and write results.csv, report.md, "
        "transfer.png, sampling.png and the model's weights into --out. Re-running the "
        "same command resumes an interrupted run.",
    )
    reproduce.add_argument(
        "--dataset",
        choices=["synthetic", "amigos"],
        default="synthetic",
        help="synthetic faces (default) or AffectNet + AMIGOS",
    )
    reproduce.add_argument("--affectnet-root", type=Path, help="AffectNet folder (amigos)")
    reproduce.add_argument("--amigos-root", type=Path, help="AMIGOS folder (amigos)")
    reproduce.add_argument(
        "--participants",
        type=int,
        nargs="+",
        help="AMIGOS participants to use (default: all found)",
    )
    reproduce.add_argument(
        "--profile",
        choices=["smoke", "quick", "paper"],
        default="quick",
        help="smoke: under a minute; quick (default): at most 10 minutes "
        "on 2 CPU cores; paper: the paper's settings",
    )
    reproduce.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: sklearn_fer_results/<profile>)",
    )
    reproduce.add_argument(
        "--n-jobs",
        type=_jobs,
        default=None,
        help="parallel jobs over subjects and folds (-1: all cores)",
    )
    reproduce.add_argument(
        "--device", default="cpu", help="torch device: cpu (default), cuda or cuda:N"
    )
    reproduce.add_argument("--seed", type=_non_negative_int, default=0)
    reproduce.add_argument(
        "--group-folds",
        action="store_true",
        help="keep each video segment within one fold (no frame leakage)",
    )
    reproduce.add_argument("--no-progress", action="store_true", help="no progress bars")

    predict = commands.add_parser(
        "predict",
        help="per-frame valence and arousal of a video",
        description="Sample a video every --every-seconds, crop the face of each frame with "
        "the Haar cascade, and predict valence and arousal with a model folder written by "
        "'sklearn-fer reproduce' (its 'model' subfolder).",
    )
    predict.add_argument("video", type=Path, help="video file")
    predict.add_argument("--model", type=Path, required=True, help="model folder")
    predict.add_argument("--every-seconds", type=_positive_float, default=4.0)
    predict.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    predict.add_argument("--device", default="cpu")
    return parser


def _fail(message):
    print(f"sklearn-fer: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _device_ok(device):
    import torch

    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        return f"unknown --device {device!r}; expected cpu, cuda or cuda:N"
    if parsed.type == "cuda" and not torch.cuda.is_available():
        return f"--device {device} was asked for but CUDA is not available"
    if parsed.type not in ("cpu", "cuda"):
        return f"unsupported --device {device!r}; expected cpu, cuda or cuda:N"
    return None


def _reproduce(args):
    from .study import StudyError, estimate_seconds, make_config, reproduce

    problem = _device_ok(args.device)
    if problem:
        return _fail(problem)
    if args.dataset == "synthetic" and (args.affectnet_root or args.amigos_root):
        return _fail("--affectnet-root and --amigos-root go with --dataset amigos")
    out = args.out or Path("sklearn_fer_results") / args.profile
    try:
        config = make_config(
            args.profile,
            dataset=args.dataset,
            seed=args.seed,
            device=args.device,
            participants=args.participants,
            group_folds=args.group_folds,
        )
        if args.profile == "paper":
            estimate = estimate_seconds(config)
            hours = estimate["total"] / 3600
            print(
                f"The paper profile is long: about {hours:.1f} h on {config.device} "
                f"(pre-training {estimate['pretraining'] / 3600:.1f} h, No Transfer "
                f"{estimate['no_transfer'] / 3600:.1f} h, fine-tuning "
                f"{estimate['fine_tuning'] / 3600:.1f} h), estimated from timed steps.",
                flush=True,
            )
        paths = reproduce(
            config,
            out,
            affectnet_root=args.affectnet_root,
            amigos_root=args.amigos_root,
            n_jobs=args.n_jobs,
            progress=not args.no_progress,
        )
    except StudyError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished work is saved in {out}; run the same command to resume.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(f"report: {paths['report']}")
    return 0


def _predict(args):
    import numpy as np
    import pandas as pd

    from .cropping import FaceCropper
    from .datasets._amigos import _sample_frames
    from .persistence import load_pretrained

    problem = _device_ok(args.device)
    if problem:
        return _fail(problem)
    if not args.video.is_file():
        return _fail(f"video {str(args.video)!r} does not exist")
    try:
        nets, image_size = load_pretrained(args.model, device=args.device)
    except ValueError as error:
        return _fail(str(error))
    try:
        frames, times = _sample_frames(args.video, args.every_seconds)
    except OSError as error:
        return _fail(str(error))
    table = pd.DataFrame({"time_s": times, "face_found": False})
    for target in nets:
        for name in target.split("+"):
            table[name] = np.nan
    if frames:
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
    if args.out is None:
        table.to_csv(sys.stdout, index=False, float_format="%.4f")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False, float_format="%.4f")
        print(
            f"{int(table['face_found'].sum())} of {len(table)} frames with a face; wrote {args.out}"
        )
    return 0


def main(argv=None):
    """Entry point of the ``sklearn-fer`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for bad arguments or missing data, 130 on interrupt.

    Examples
    --------
    >>> main(["predict", "no-such-video.mov", "--model", "no-such-model"])
    2
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse prints its message and exits with 2
        return int(exit_.code or 0)
    if args.command == "reproduce":
        return _reproduce(args)
    return _predict(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
