"""The Zhou & Shi study end to end (smoke profile), its configuration and its verdicts."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sklearn_fer import cli  # noqa: E402
from sklearn_fer._general_nets import pretrain_key  # noqa: E402
from sklearn_fer.study import (  # noqa: E402
    STUDIES,
    StudyError,
    ZhouShiConfig,
    make_zhou_shi_config,
    reproduce,
)
from sklearn_fer.study._zhou_shi_report import layer_verdict, robustness_verdict  # noqa: E402


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zhou_shi")
    config = STUDIES["zhou-shi"].configure("smoke")
    with pytest.warns(UserWarning, match="do not vary across"):
        paths = reproduce(
            config,
            folder / "out",
            progress=False,
            data_home=folder / "cache",
            log=lambda message: None,
        )
    return config, folder, paths


def test_the_smoke_study_writes_results_figures_and_a_labelled_report(smoke):
    config, _, paths = smoke
    assert sorted(paths) == ["layers", "model", "report", "results", "robustness", "selectivity"]
    for name in ("layers", "robustness", "selectivity"):
        assert paths[name].stat().st_size > 1000
    report = paths["report"].read_text()
    assert "These results come from synthetic data." in report
    assert "KDEF, RaFD, CK+" in report
    assert "### What is taken from Zhou & Shi (2017)" in report
    assert "the package's own design, not the paper's" in report  # the selectivity statistic
    assert "## Claim 1: higher layers are more AU-selective" in report
    assert "## Claim 2: AU-selective maps matter most for robustness" in report
    assert report.count("the claim holds here") + report.count("the claim does not hold here") == 2
    results = pd.read_csv(paths["results"], low_memory=False)
    assert set(results["study"]) == {"robustness", "selectivity"}
    robustness = results[results["study"] == "robustness"]
    assert set(robustness["perturbation"]) == {"none", *config.perturbations}
    assert set(robustness["selection"]) == {"all", "top", "random", "bottom"}
    assert robustness["subject"].nunique() == config.lab_subjects
    selectivity = results[results["study"] == "selectivity"]
    assert set(selectivity["net"]) == {"valence", "arousal"}
    assert set(selectivity["layer"]) == {"conv1", "conv2", "conv3", "conv4", "conv5"}
    assert set(robustness.loc[robustness["selection"] == "all", "k"]) == {256}  # conv5's maps
    assert set(robustness.loc[robustness["selection"] != "all", "k"]) == set(config.ks)


def test_a_second_run_resumes_and_another_configuration_is_refused(smoke):
    config, folder, paths = smoke
    before = pd.read_csv(paths["results"], low_memory=False)
    with pytest.warns(UserWarning):
        again = reproduce(
            config,
            folder / "out",
            progress=False,
            data_home=folder / "cache",
            log=lambda message: None,
        )
    pd.testing.assert_frame_equal(pd.read_csv(again["results"], low_memory=False), before)
    other = make_zhou_shi_config("smoke", seed=1)
    with pytest.raises(StudyError, match="holds results of another configuration"):
        reproduce(other, folder / "out", progress=False, data_home=folder / "cache")


@pytest.mark.parametrize(
    "profile, choices, match",
    [
        ("paper", {}, "profile must be one of \\['quick', 'smoke'\\] for the zhou-shi study"),
        ("quick", {"seed": -1}, "seed must be a non-negative int"),
    ],
)
def test_bad_choices_are_refused(profile, choices, match):
    with pytest.raises(StudyError, match=match):
        make_zhou_shi_config(profile, **choices)


@pytest.mark.parametrize(
    "option", [["--dataset", "amigos"], ["--group-folds"], ["--participants", "3"]]
)
def test_the_command_line_refuses_other_studies_options(option, capsys, tmp_path):
    out = str(tmp_path / "out")
    argv = ["reproduce", "--study", "zhou-shi", "--profile", "smoke", "--out", out, *option]
    assert cli.main(argv) == 2
    assert f"{option[0]} goes with --study rescigno" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_its_configuration_takes_only_its_own_choices():
    with pytest.raises(TypeError, match="group_folds"):
        make_zhou_shi_config("smoke", group_folds=True)


def test_the_command_line_refuses_the_paper_profile_in_one_line(capsys, tmp_path):
    code = cli.main(
        ["reproduce", "--study", "zhou-shi", "--profile", "paper", "--out", str(tmp_path / "out")]
    )
    assert code == 2
    assert "no paper profile" in capsys.readouterr().err


def test_the_quick_profile_is_registered_and_shares_the_pretraining_fields():
    config = STUDIES["zhou-shi"].configure("quick")
    assert isinstance(config, ZhouShiConfig) and config.profile == "quick"
    assert pretrain_key(config) != pretrain_key(make_zhou_shi_config("quick", seed=1))


def _summary(fractions):
    return pd.DataFrame(
        {
            "net": "valence",
            "layer": [f"conv{i + 1}" for i in range(3)],
            "depth": [1, 2, 3],
            "fraction_selective": fractions,
        }
    )


def test_the_layer_verdict_follows_the_fractions():
    assert "the claim holds here" in layer_verdict(_summary([0.1, 0.3, 0.6]))[0]
    falling = layer_verdict(_summary([0.6, 0.3, 0.1]))[0]
    assert "the claim does not hold here" in falling and "-1.00" in falling
    flat = layer_verdict(_summary([0.2, 0.2, 0.2]))[0]
    assert "does not hold" in flat and "no trend" in flat


def _counts(better, worse, cells=10):
    return pd.DataFrame(
        [
            {
                "comparison": "top vs random",
                "cells": cells,
                "better (significant)": better,
                "worse (significant)": worse,
            }
        ]
    )


def test_the_robustness_verdict_counts_significant_cells():
    assert "The claim holds here" in robustness_verdict(_counts(7, 0), 8)
    assert "holds only in part" in robustness_verdict(_counts(2, 0), 8)
    assert "holds only in part" in robustness_verdict(_counts(7, 1), 8)
    assert "does not hold" in robustness_verdict(_counts(0, 3), 8)
    assert "no p-value falls below 0.0078" in robustness_verdict(_counts(0, 0), 8)
