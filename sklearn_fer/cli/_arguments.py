"""Argument types and checks shared by the commands: each bad value becomes one line
of message and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import sys

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def positive_float(text):
    """argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def non_negative_int(text):
    """argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return value


def jobs(text):
    """argparse type: a positive number of jobs, or -1 for all cores."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a positive int or -1, got {text!r}")
    return value


def fail(message):
    """Print ``sklearn-fer: error: message`` on standard error; return exit status 2."""
    print(f"sklearn-fer: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def device_problem(device):
    """Why ``--device`` cannot be used here, or None."""
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
