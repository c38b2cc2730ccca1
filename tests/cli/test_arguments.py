"""Arguments of the workflow commands, the defaults they share with the Python side, and
the rule that building the parser imports nothing heavy."""

import argparse
import ast
from pathlib import Path

import pytest

from sklearn_fer import cli
from sklearn_fer.cli import _personalise, _query
from sklearn_fer.workflow import SAMPLERS, default_head


@pytest.mark.parametrize(
    "argv, message",
    [
        (["query", "v.mp4", "--model", "m"], "one of the arguments --n --fraction"),
        (["query", "v.mp4", "--model", "m", "--n", "0"], "whole number >= 1"),
        (["query", "v.mp4", "--model", "m", "--fraction", "1.5"], "(0, 1]"),
        (["query", "v.mp4", "--model", "m", "--n", "1", "--sampler", "best"], "invalid choice"),
        (["label", "folder", "--port", "70000"], "[0, 65535]"),
        (["predict", "v.mp4", "--model", "m", "--smooth", "-3"], "positive"),
        (["personalise", "f", "--model", "m"], "--out"),
        (["pretrain", "--out", "o", "--optimizer", "lbfgs"], "invalid choice"),
        (["pretrain", "--out", "o", "--images", "a", "--affectnet-root", "b"], "not allowed"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_sampler_choices_are_the_workflows():
    assert _query.SAMPLER_NAMES == SAMPLERS


def test_the_personalise_defaults_are_the_default_heads():
    commands = argparse.ArgumentParser().add_subparsers()
    _personalise.add_parser(commands)
    args = commands.choices["personalise"].parse_args(["f", "--model", "m", "--out", "o"])
    head = default_head()
    assert (args.epochs, args.lr, args.batch_size) == (head.max_epochs, head.lr, head.batch_size)


HEAVY = {"torch", "skorch", "cv2", "pandas", "numpy", "sklearn", "matplotlib", "scipy"}


def test_command_modules_import_nothing_heavy_until_they_run():
    folder = Path(cli.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only: imports inside run() are fine
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            heavy = [n for n in names if n.split(".")[0] in HEAVY | {"sklearn_fer"}]
            assert not heavy, f"{path.name} imports {heavy} at module level"
