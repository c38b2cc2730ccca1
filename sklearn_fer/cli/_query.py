"""``sklearn-fer query``: choose the frames of a video to label."""

from __future__ import annotations

from pathlib import Path

from ._arguments import FER2013_NAME as _FER2013
from ._arguments import (
    add_detector_argument,
    add_device_argument,
    add_progress_argument,
    device_problem,
    fail,
    fraction,
    interrupted,
    model_argument,
    non_negative_int,
    positive_float,
    positive_int,
)

# The names of sklearn_fer.workflow.SAMPLERS (a test checks), here so that building the
# parser imports nothing heavy.
SAMPLER_NAMES = ("gsx", "gsy", "igs", "mcdue", "random")


def add_parser(commands):
    """Add the ``query`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "query",
        help="choose the frames of a video to label",
        description="Sample a video every --every-seconds, crop the face of each frame, "
        "and choose --n frames (or a --fraction of those with a face) to label with a "
        "sampler: greedy sampling on the conv features (gsx), on the model's outputs (gsy), "
        "on both (igs), Monte-Carlo dropout uncertainty (mcdue), or random. Each sample is "
        "the first frame at or after its time, and its row gives that frame's own "
        "timestamp and index. Faces are cut as the model was trained (its folder's crop; "
        "fer's for the FER2013 model). The chosen faces go to OUT/faces/ at 224 px (the "
        "model's input is made from them), each beside its whole frame with the face's box drawn, "
        "and a row each to OUT/labels.csv with empty valence and arousal (and an "
        "expression column, carried through but not trained on yet). Files are named by "
        "the video's content (SHA-256) and the frame's index: nothing is ever overwritten. "
        "Query the same folder again for another round, from this video or another: frames "
        "already in it (the same frame of the same video) count as labelled, are not "
        "chosen again and are never changed. Then: sklearn-fer label OUT.",
    )
    parser.add_argument("video", type=Path, help="the person's video")
    parser.add_argument(
        "--model",
        type=model_argument,
        required=True,
        help=f"model folder, or {_FER2013}: the real FER2013 model, its expressions mapped "
        "to valence and arousal (every sampler)",
    )
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument("--n", type=positive_int, help="how many frames to choose")
    amount.add_argument(
        "--fraction", type=fraction, help="what fraction of the frames with a face, in (0, 1]"
    )
    parser.add_argument(
        "--sampler", choices=SAMPLER_NAMES, default="gsx", help="how to choose (default gsx)"
    )
    parser.add_argument(
        "--every-seconds",
        type=positive_float,
        default=4.0,
        help="seconds of video between candidate frames (default 4, the paper's; below "
        "the frame interval: every frame)",
    )
    parser.add_argument(
        "--out", type=Path, help="labelling folder (default: VIDEO's name + '-labels')"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    add_detector_argument(parser)
    add_device_argument(parser)
    add_progress_argument(parser)
    parser.set_defaults(run=run)


def run(args):
    """Run the command; return the exit status."""
    problem = device_problem(args.device)
    if problem:
        return fail(problem)
    if not args.video.is_file():
        return fail(f"video {str(args.video)!r} does not exist")
    out = args.out or Path(f"{args.video.stem}-labels")
    from ..workflow import query_video

    try:
        chosen = query_video(
            args.video,
            args.model,
            out,
            n=args.n,
            fraction=args.fraction,
            sampler=args.sampler,
            every_seconds=args.every_seconds,
            random_state=args.seed,
            detector=args.detector,
            device=args.device,
            progress=not args.no_progress,
        )
    except (ValueError, OSError, ImportError) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return interrupted(f"nothing in {out} was changed.")
    print(_summary(chosen, args, out))
    return 0


def _summary(chosen, args, out):
    """What was chosen, and why the other frames were not."""
    counts = chosen.attrs
    no_face = counts["n_sampled"] - counts["n_faces"]
    short = (
        f" (asked for {counts['n_wanted']}: only {len(chosen)} left)"
        if len(chosen) < counts["n_wanted"]
        else ""
    )
    return (
        f"chose {len(chosen)} frame{'s' * (len(chosen) != 1)} with {args.sampler} "
        f"(round {counts['round']}){short} "
        f"among {counts['n_sampled']} sampled every {args.every_seconds:g} s; skipped "
        f"{no_face} without a face and {counts['n_already']} already in {out} (the same "
        f"frame of the same video). Faces in {out / 'faces'}, to label in "
        f"{out / 'labels.csv'}. Next: sklearn-fer label {out}"
    )
