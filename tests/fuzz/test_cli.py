"""Every value-taking option of every command, fed generated bad values.

The options are read off the parser (a new option is covered the day it lands). Each run
points at inputs that do not exist, so even a value the parser accepts ends in a refusal
before any work: the property is exit status 2, exactly one ``sklearn-fer: error:`` line
on stderr and no traceback, whatever the value.
"""

import argparse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sklearn_fer import cli
from sklearn_fer.cli._main import _parser

from ._clean import count

FUZZ = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _commands():
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def _value_options():
    """(command, option) for every option that takes a checked value (a type or choices)."""
    for name, parser in sorted(_commands().items()):
        for action in parser._actions:
            if action.option_strings and action.nargs != 0 and (action.type or action.choices):
                yield name, action.option_strings[-1]


#: Paths: tried by tests/cli; a random name here would be a real folder.
PATH_OPTIONS = {
    "--model",
    "--out",
    "--plot",
    "--images",
    "--labels",
    "--affectnet-root",
    "--amigos-root",
}
OPTIONS = sorted({(c, o) for c, o in _value_options() if o not in PATH_OPTIONS})


def _base(command, tmp):
    """Arguments that make the command stop with a refusal even if the option is fine."""
    missing = str(tmp / "missing")
    foreign = tmp / "foreign"
    foreign.mkdir(exist_ok=True)
    (foreign / "thesis.tex").write_text("precious")
    return {
        "reproduce": ["reproduce", "--profile", "smoke", "--out", str(foreign)],
        "pretrain": ["pretrain", "--images", missing, "--out", str(foreign)],
        "query": ["query", missing + ".avi", "--model", missing],
        "label": ["label", missing],
        "personalise": ["personalise", missing, "--model", missing, "--out", missing + "-o"],
        "predict": ["predict", missing + ".avi", "--model", missing],
    }[command]


VALUES = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "-0.5",
            "nan",
            "inf",
            "-inf",
            "1e999",
            "",
            " ",
            "abc",
            "1.5",
            "0x10",
            "1_000",
            "True",
            "None",
            "--",
            "999999999999999999999",
        ]
    ),
    st.text(max_size=6),
    st.integers(-(10**6), 10**6).map(str),
)


def test_the_walk_sees_the_options():
    # Sanity check of the parser walk: the options the issue names are among them.
    assert ("reproduce", "--n-jobs") in OPTIONS and ("predict", "--every-seconds") in OPTIONS


@pytest.mark.parametrize(("command", "option"), OPTIONS)
@FUZZ
@example(value="--")  # found here: argparse gave "--folds=--" as [] and personalise crashed
@given(value=VALUES)
def test_any_value_ends_in_one_line_and_exit_2(
    command, option, value, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    argv = _base(command, tmp_path)
    if command == "query" and option not in ("--n", "--fraction"):
        argv += ["--n", "2"]
    count("cli")
    code = cli.main([*argv, f"{option}={value}"])
    err = capsys.readouterr().err
    assert code == 2, (argv, option, value, err)
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("sklearn-fer")]
    assert len(errors) == 1, err
    count("cli", "clean error")
    assert (tmp_path / "foreign" / "thesis.tex").read_text() == "precious"
