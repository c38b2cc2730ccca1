"""The Rescigno study's PathNet part: its settings, held-out wild set and report sections."""

import numpy as np
import pandas as pd

from sklearn_fer.study import make_config
from sklearn_fer.study._data import load_data
from sklearn_fer.study._report import Report
from sklearn_fer.study._rescigno_pathnet import held_out_wild, pathnet_template
from sklearn_fer.study._rescigno_pathnet_report import (
    paper_rows,
    pathnet_sections,
    sampling_figure_rows,
)


def test_the_held_out_wild_set_is_new_people_of_the_wild_domain():
    config = make_config("smoke")
    wild, _ = load_data(config, None, None, lambda message: None)
    holdout = held_out_wild(config, None)
    assert (
        len(holdout.images)
        == config.pathnet_holdout_subjects * config.pretraining.wild_images_per_subject
    )
    assert holdout.target.shape == (len(holdout.images), 2)
    seen = {image.tobytes() for image in wild.images}
    assert not any(image.tobytes() in seen for image in holdout.images)


def test_every_pathnet_fit_gets_the_profiles_budget():
    config = make_config("smoke")
    model = pathnet_template(config, head="new", random_state=3)
    params = model.get_params()
    assert (params["population"], params["n_generations"]) == (4, 2)
    assert (params["steps_per_path"], params["max_epochs"], params["head"]) == (2, 2, "new")
    assert make_config("quick").pathnet and make_config("quick").pathnet_samplers == (
        "random",
        "gsx",
    )


def _results(pathnet_gain):
    """Six subjects; PathNet's RMSE is transfer_100's minus ``pathnet_gain``."""
    rows = []
    for subject in range(6):
        base = 0.3 + 0.01 * subject
        for study, condition, rmse in (
            ("transfer", "transfer_100", base),
            ("transfer", "pathnet", base - pathnet_gain),
            ("cross_domain", "transfer_100", base),
            ("cross_domain", "pathnet", base + 0.1),
            ("forgetting", "dense_head_general", 0.5),
            ("forgetting", "dense_head_personal", 0.5 + 0.01 * (subject + 1)),
            ("forgetting", "pathnet_general", 0.45),
            ("forgetting", "pathnet_general_after", 0.45),
            ("forgetting", "pathnet_personal", 0.6),
            ("sampling", "fine_tuned", base),
            ("sampling", "pathnet", base),
        ):
            target = "arousal" if study == "cross_domain" else "valence"
            sampler = "random" if study == "sampling" else "none"
            rows.append(
                dict(
                    subject=subject,
                    fold=0,
                    target=target,
                    study=study,
                    condition=condition,
                    sampler=sampler,
                    fraction=0.5,
                    n_train=10,
                    rmse=rmse,
                    ccc=0.1,
                    pcc=0.1,
                    sagr=0.5,
                    fit_seconds=0.2,
                )
            )
    return pd.DataFrame(rows)


def test_report_gives_an_honest_verdict_and_both_forgetting_measures():
    report = Report()
    pathnet_sections(report, make_config("smoke"), _results(pathnet_gain=0.05))
    text = report.text()
    assert "## PathNet personalisation (synthetic data)" in text
    assert "they test the code, not the method" in text
    # six subjects all better by 0.05: Wilcoxon's exact p = 2/64 = 0.031 < 0.05
    assert "wild -> lab, valence: PathNet's RMSE is lower than fine-tuning's by 0.050" in text
    assert "PathNet beats fine-tuning." in text
    # cross-domain: PathNet worse by 0.1 for every subject
    assert "valence -> arousal, arousal: PathNet's RMSE is higher" in text
    assert "fine-tuning wins." in text
    assert "changes its wild RMSE by +0.035 on average" in text
    assert "keeps its wild RMSE exactly in 6 of 6 folds" in text


def test_report_says_no_difference_when_there_is_none():
    report = Report()
    pathnet_sections(report, make_config("smoke"), _results(pathnet_gain=0.0))
    assert (
        "wild -> lab, valence: PathNet's RMSE equals fine-tuning's in every pair: no "
        "significant difference." in report.text()
    )


def test_the_papers_sections_and_figures_see_pathnet_apart():
    results = _results(pathnet_gain=0.05)
    paper = paper_rows(results)
    assert set(paper["condition"]) == {"transfer_100", "fine_tuned"}
    figure = sampling_figure_rows(results)
    sampling = figure[figure["study"] == "sampling"]
    assert set(sampling["sampler"]) == {"random", "PathNet, random"}
    assert set(sampling["condition"]) == {"fine_tuned"}
    assert not np.any((figure["study"] == "transfer") & (figure["condition"] == "pathnet"))
