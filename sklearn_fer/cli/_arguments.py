"""Argument types and checks shared by the commands: each bad value becomes one line
of message and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: sklearn_fer.workflow.FER2013_MODEL (a test checks), kept here so that --help imports
#: nothing heavy.
FER2013_NAME = "fer2013-mini-xception"


def model_argument(text):
    """argparse type: a model folder, or the name of the real FER2013 model."""
    return text if text == FER2013_NAME else Path(text)


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


def positive_int(text):
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def fraction(text):
    """argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}")
    return value


def port(text):
    """argparse type: a TCP port, 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in [0, 65535], got {text!r}")
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


def interrupted(what):
    """Print that the command was interrupted and what was kept; return exit status 130."""
    print(f"\ninterrupted: {what}", file=sys.stderr)
    return EXIT_INTERRUPTED


def add_device_argument(parser):
    """``--device`` as every command takes it."""
    parser.add_argument(
        "--device", default="cpu", help="torch device: cpu (default), cuda or cuda:N"
    )


def add_detector_argument(parser):
    """``--detector`` as predict and query take it."""
    parser.add_argument(
        "--detector",
        choices=("haar", "mtcnn"),
        default="haar",
        help="face detector: haar (OpenCV's Haar cascade, the paper's; default) or mtcnn "
        "(MTCNN with the weights of the facenet-pytorch wheel: pip install --no-deps "
        "facenet-pytorch==2.6.0; finds turned and tilted faces, takes no text for a face, "
        "follows the face from frame to frame)",
    )


def add_progress_argument(parser):
    """``--no-progress`` as every long command takes it."""
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def device_problem(device):
    """Why ``--device`` cannot be used here, or None after saying on standard error which
    device the command computes on and why (:func:`device_line`)."""
    import torch

    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        return f"unknown --device {device!r}; expected cpu, cuda or cuda:N"
    if parsed.type not in ("cpu", "cuda"):
        return f"unsupported --device {device!r}; expected cpu, cuda or cuda:N"
    if parsed.type == "cuda" and not torch.cuda.is_available():
        return (
            f"--device {device} was asked for but CUDA is not available: "
            f"{_no_cuda_reason(torch)} (docs/install.rst, 'GPU': how to install a CUDA build)"
        )
    if parsed.type == "cuda" and (parsed.index or 0) >= torch.cuda.device_count():
        return (
            f"--device {device} was asked for but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s): cuda:0 to "
            f"cuda:{torch.cuda.device_count() - 1}"
        )
    print(device_line(device), file=sys.stderr, flush=True)
    return None


def _no_cuda_reason(torch):
    """Why ``torch.cuda.is_available()`` is False, in words."""
    if torch.version.cuda is None:
        return "this torch is a CPU build"
    return f"this torch is built for CUDA {torch.version.cuda} but finds no usable GPU or driver"


def device_line(device):
    """One line saying which device a command computes on and why.

    Examples
    --------
    >>> import torch
    >>> device_line("cpu").startswith(f"device: cpu (torch {torch.__version__}")
    True
    """
    import torch

    parsed = torch.device(device)
    build = f"torch {torch.__version__}"
    if parsed.type == "cuda":
        index = torch.cuda.current_device() if parsed.index is None else parsed.index
        return (
            f"device: {device} ({torch.cuda.get_device_name(index)}, {build}, "
            f"CUDA {torch.version.cuda})"
        )
    if not torch.cuda.is_available():
        return f"device: cpu ({build}, CUDA not available: {_no_cuda_reason(torch)})"
    return (
        f"device: cpu ({build}; {torch.cuda.device_count()} CUDA device(s) available, "
        f"first {torch.cuda.get_device_name(0)}: pass --device cuda to use it)"
    )
