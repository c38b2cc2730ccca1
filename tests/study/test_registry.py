"""The registry of studies (sklearn_fer/study/_registry.py): one entry per study, from
which STUDIES, the package's __all__, the command line and the API page are built."""

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_fer import study as study_package
from sklearn_fer.cli import _reproduce
from sklearn_fer.study import STUDIES
from sklearn_fer.study._registry import ENTRIES, REGISTRY, StudyEntry, api_listing

ROOT = Path(__file__).resolve().parents[2]


def _parser(entries, monkeypatch):
    monkeypatch.setattr(_reproduce, "_entries", lambda: entries)
    parser = argparse.ArgumentParser()
    _reproduce.add_parser(parser.add_subparsers())
    return parser


def test_every_entry_loads_its_study_and_they_agree():
    assert list(STUDIES) == [entry.name for entry in ENTRIES]
    for entry in ENTRIES:
        study = STUDIES[entry.name]
        assert study.name == entry.name
        assert sorted(study.profiles) == sorted(entry.profiles)
        for profile in entry.profiles:
            config = study.configure(profile)
            assert isinstance(config, study.config_class) and config.profile == profile


def test_the_package_exports_every_entrys_public_names():
    for entry in ENTRIES:
        for spec in entry.api:
            module, name = spec.split(":")
            assert name in study_package.__all__
            value = getattr(study_package, name)
            assert name.isupper() or value.__module__ == f"sklearn_fer.study.{module}"
    shared_names = ("STUDIES", "Study", "StudyContext", "StudyError", "Report", "reproduce")
    for shared in (*shared_names, "PretrainConfig"):
        assert shared in study_package.__all__
    with pytest.raises(AttributeError, match="no attribute 'NoSuchStudy'"):
        study_package.NoSuchStudy  # noqa: B018


def test_the_api_page_lists_the_studies_as_the_registry_builds_them():
    text = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    begin, end = ".. studies: begin\n\n", "\n.. studies: end"
    listed = text[text.index(begin) + len(begin) : text.index(end)]
    assert listed == api_listing(), "paste sklearn_fer.study._registry.api_listing() there"


def test_an_entry_refuses_unknown_options_and_profiles():
    with pytest.raises(ValueError, match="unknown options \\['colour'\\]"):
        dataclasses.replace(ENTRIES[1], options=("colour",))
    with pytest.raises(ValueError, match="profiles \\['huge'\\]"):
        dataclasses.replace(ENTRIES[1], profiles=("huge",))


def test_a_study_that_disagrees_with_its_entry_is_refused():
    renamed = dataclasses.replace(REGISTRY["nasri"], name="other")
    with pytest.raises(TypeError, match="does not match its registry entry"):
        renamed.load()


def test_a_new_entry_reaches_the_command_line_with_no_other_change(monkeypatch, capsys):
    extra = StudyEntry(
        name="extra",
        paper="Someone 2030",
        summary="a study of nothing",
        does="write nothing",
        study="_nasri:NasriStudy",
        api=(),
        profiles=("quick",),
        options=("backbone", "group_folds"),
    )
    monkeypatch.setenv("COLUMNS", "10000")  # no line breaks (argparse breaks at hyphens)
    parser = _parser((*ENTRIES, extra), monkeypatch)
    with pytest.raises(SystemExit):
        parser.parse_args(["reproduce", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "{rescigno,nasri,zhou-shi,extra}" in shown
    assert "extra: a study of nothing (Someone 2030), profiles quick" in shown
    assert "extra: write nothing." in shown
    assert "(--study nasri, extra)" in shown  # --backbone
    assert "(--study rescigno, extra)" in shown  # --group-folds
    assert "<study>-<profile> for nasri, zhou-shi, extra" in shown
    args = parser.parse_args(["reproduce", "--study", "extra", "--group-folds"])
    assert args.study == "extra" and args.group_folds
    assert _reproduce._foreign_option(args, extra, (*ENTRIES, extra)) is None
    assert _reproduce._foreign_option(args, REGISTRY["nasri"], (*ENTRIES, extra)) == (
        "--group-folds goes with --study rescigno or --study extra"
    )


def test_the_command_line_reads_the_registry_without_importing_a_study():
    code = (
        "import sys; from sklearn_fer.cli._main import main\n"
        "try:\n    main(['reproduce', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sklearn_fer.study._run', 'sklearn_fer.study._nasri') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in shown
