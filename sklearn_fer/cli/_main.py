"""The ``sklearn-fer`` entry point: builds the parser from the commands, dispatches."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from . import _label, _personalise, _predict, _pretrain, _query, _reproduce
from ._arguments import fail

# In the order of the workflow: the study, then a person's own model from their video.
COMMANDS = (_reproduce, _pretrain, _query, _label, _personalise, _predict)


def _parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-fer",
        description="Personalised facial emotion recognition (Rescigno et al. 2020).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="show the version"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


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
        for arg in sys.argv[1:] if argv is None else argv:
            # argparse turns "--option=--" into [] without calling the option's type.
            if arg.startswith("--") and arg.endswith("=--"):
                parser.error(f"argument {arg[:-3]}: expected a value, got '--'")
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse prints its message and exits with 2
        return int(exit_.code or 0)
    try:
        return args.run(args)
    except ImportError as error:
        # An optional package missing (fer, h5py, scikit-image): the package's own message
        # says what to install; anything else is a bug and keeps its traceback.
        if "pip install" not in str(error):
            raise
        return fail(str(error))
