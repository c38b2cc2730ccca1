"""``sklearn-fer pretrain``: a general model from AffectNet, your own labelled faces, or
synthetic faces."""

from __future__ import annotations

from pathlib import Path

from ._arguments import (
    add_device_argument,
    add_progress_argument,
    device_problem,
    fail,
    interrupted,
    non_negative_int,
    positive_float,
    positive_int,
)

OPTIMIZERS = ("adam", "sgd-nesterov")

# Command-line option -> the PretrainConfig field it overrides (--image-size overrides
# the study configuration's image_size).
_OVERRIDES = {
    "epochs": "epochs",
    "hidden_units": "hidden_units",
    "optimizer": "optimizer",
    "lr": "lr",
    "batch_size": "batch_size",
    "synthetic_people": "wild_subjects",
    "images_per_person": "wild_images_per_subject",
}


def _profiles():
    # The Rescigno study's profiles (its registry entry; reading it imports no study): the
    # general model is that study's pre-training.
    from ..study._registry import REGISTRY

    return list(REGISTRY["rescigno"].profiles)


def add_parser(commands):
    """Add the ``pretrain`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "pretrain",
        help="train a general model (one AlexNet per target) and write a model folder",
        description="Train the general model of Rescigno et al. (2020): one AlexNet for "
        "valence and one for arousal, on AffectNet (--affectnet-root), on a folder of your "
        "own labelled face images (--images: a CSV of path, valence, arousal[, expression], "
        "paths relative to the folder; the expression column is carried through but not "
        "trained on yet), or on synthetic faces (the default). A checkpoint is written "
        "after every epoch: re-running the same command resumes. The settings come from "
        "--profile (those of 'sklearn-fer reproduce'), each overridable below.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--affectnet-root", type=Path, help="AffectNet folder")
    source.add_argument("--images", type=Path, help="folder of your own labelled face images")
    parser.add_argument(
        "--labels", type=Path, help="the CSV of --images (default: IMAGES/labels.csv)"
    )
    parser.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help="with --images: leave out rows with a missing path, a missing or out-of-range "
        "label or an invalid face box, saying how many (default: refuse them, naming each)",
    )
    parser.add_argument("--out", type=Path, required=True, help="model folder to write")
    parser.add_argument(
        "--profile",
        choices=_profiles(),
        default="quick",
        help="settings to start from: those of the study's profiles (default: quick; "
        "smoke: seconds, too short to learn; paper: the paper's, hours)",
    )
    parser.add_argument("--image-size", type=positive_int, help="side of the face images")
    parser.add_argument("--epochs", type=positive_int, help="passes over the training images")
    parser.add_argument("--hidden-units", type=positive_int, help="width of the dense layers")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="the optimiser of the training")
    parser.add_argument("--lr", type=positive_float, help="learning rate")
    parser.add_argument("--batch-size", type=positive_int, help="images per gradient step")
    parser.add_argument(
        "--synthetic-people", type=positive_int, help="synthetic data: number of people"
    )
    parser.add_argument(
        "--images-per-person", type=positive_int, help="synthetic data: images per person"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    add_device_argument(parser)
    add_progress_argument(parser)
    parser.set_defaults(run=run)


def _config(args):
    import dataclasses

    from ..study import make_config

    config = make_config(args.profile, seed=args.seed, device=args.device)
    overrides = {
        field: getattr(args, option)
        for option, field in _OVERRIDES.items()
        if getattr(args, option) is not None
    }
    pretraining = dataclasses.replace(config.pretraining, **overrides)
    source = "affectnet" if args.affectnet_root else "folder" if args.images else "synthetic"
    image_size = config.image_size if args.image_size is None else args.image_size
    return dataclasses.replace(
        config, dataset=source, image_size=image_size, pretraining=pretraining
    )


def _fingerprint(args):
    from ..workflow._pretrain import data_fingerprint

    if args.affectnet_root:
        from ..study._pretraining import SPLIT_STREAM, TRAIN_FRACTION

        csv_path = Path(args.affectnet_root) / "Manually_Annotated_file_lists" / "training.csv"
        fingerprint = data_fingerprint("affectnet", args.affectnet_root, csv_path)
        # the paper's split, drawn from the seed (in the settings' key)
        fingerprint["split"] = {"train_fraction": TRAIN_FRACTION, "stream": SPLIT_STREAM}
        return fingerprint
    if args.images:
        labels = Path(args.labels or "labels.csv")
        csv_path = labels if labels.is_absolute() else Path(args.images) / labels
        if not csv_path.is_file():
            raise ValueError(f"labels file {str(csv_path)!r} does not exist")
        return data_fingerprint("folder", args.images, csv_path)
    return data_fingerprint("synthetic")


def _labelled_faces(args, config):
    """The faces of ``--images``; bad rows refused, named by line, unless --drop-bad-rows."""
    import warnings

    from ..datasets import load_labelled_faces
    from ..datasets._labelled import NOT_LABELLED

    with warnings.catch_warnings():
        if not args.drop_bad_rows:  # refused below, with every row named: no warning first
            warnings.simplefilter("ignore")
        data = load_labelled_faces(
            args.images,
            labels=args.labels or "labels.csv",
            image_size=config.image_size,
            lazy=True,
            errors="drop",
        )
    bad = data.dropped[data.dropped["reason"] != NOT_LABELLED]
    if len(bad) and not args.drop_bad_rows:
        shown = "; ".join(
            f"line {row + 2} ({path or 'no path'}): {reason}"  # the header is line 1
            for row, path, reason in bad[["row", "path", "reason"]].head(5).itertuples(False)
        )
        more = f"; and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ValueError(
            f"{args.labels or 'labels.csv'} of {str(args.images)!r} has {len(bad)} bad "
            f"row(s): {shown}{more}. Fix them, or pass --drop-bad-rows to leave them out."
        )
    return data


def _loader(args, config):
    """A function loading the training faces and targets, saying what it loaded."""
    import numpy as np

    from ..datasets import load_affectnet, make_faces
    from ..study._pretraining import wild_split

    def load():
        validation = None
        if args.affectnet_root:
            data = load_affectnet(args.affectnet_root, image_size=config.image_size, lazy=True)
            if len(data.images) < 2:
                raise ValueError(
                    f"AffectNet has {len(data.images)} usable face(s): too few to split into "
                    "training (60%) and validation (40%)"
                )
            rows, validation = wild_split(config, data)
            print(
                f"AffectNet: {len(data.images)} faces ({len(data.dropped)} rows dropped); "
                f"the paper's split, by image with seed {config.seed}: {len(rows)} train "
                f"(60%), {len(validation.images)} validate (40%)"
            )
            return (
                data.images[rows],
                {t: np.asarray(data[t])[rows] for t in ("valence", "arousal")},
                validation,
            )
        if args.images:
            data = _labelled_faces(args, config)
            left_out = data.dropped["reason"].value_counts()
            dropped = "".join(f", {n} left out: {reason}" for reason, n in left_out.items())
            print(f"{args.images}: {len(data.images)} labelled faces{dropped}")
        else:
            data = make_faces(
                config.pretraining.wild_subjects,
                config.pretraining.wild_images_per_subject,
                domain="wild",
                image_size=config.image_size,
                random_state=config.seed,
            )
            print(
                f"synthetic faces (SYNTHETIC DATA): {len(data.images)} images of "
                f"{config.pretraining.wild_subjects} people"
            )
            _, validation = wild_split(config, data)
        if len(data.images) == 0:
            raise ValueError("there are no faces to train on")
        return data.images, {"valence": data.valence, "arousal": data.arousal}, validation

    return load


def run(args):
    """Run the command; return the exit status."""
    problem = device_problem(args.device)
    if problem:
        return fail(problem)
    if args.labels and not args.images:
        return fail("--labels goes with --images")
    if args.drop_bad_rows and not args.images:
        return fail("--drop-bad-rows goes with --images")
    from ..workflow._pretrain import pretrain

    try:
        config = _config(args)
        out = pretrain(
            _loader(args, config),
            args.out,
            config=config,
            fingerprint=_fingerprint(args),
            progress=not args.no_progress,
        )
    except (ValueError, OSError) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return interrupted(
            f"finished epochs are saved in {args.out}; run the same command to resume."
        )
    print(f"general model: {out}")
    return 0
