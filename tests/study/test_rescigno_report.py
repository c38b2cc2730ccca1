"""The Rescigno study's report says when a condition's predictions barely move."""

import dataclasses

import numpy as np
import pandas as pd

from sklearn_fer.study import make_config
from sklearn_fer.study._report import Report
from sklearn_fer.study._rescigno_report import FLAT_CCC_MAX, _transfer_section, flat_predictions


def _summary(ccc, pcc):
    return pd.DataFrame(
        {
            "target": ["valence"] * len(ccc),
            "condition": [f"c{i}" for i in range(len(ccc))],
            "ccc_mean": ccc,
            "pcc_mean": pcc,
        }
    )


def test_flat_means_a_ccc_near_zero_with_a_positive_or_undefined_correlation():
    summary = _summary(
        ccc=[0.02, 0.02, 0.9, FLAT_CCC_MAX, 0.0],
        pcc=[0.8, 0.1, 0.95, 0.8, np.nan],
    )
    # c1: uncorrelated, not flat; c2: a good net; c3: at the bound; c4: a constant
    assert flat_predictions(summary)["condition"].tolist() == ["c0", "c4"]


def _transfer_rows(no_transfer_ccc):
    rows = []
    for subject in range(3):
        for target in ("valence", "arousal"):
            for condition, ccc in (
                ("no_transfer", no_transfer_ccc),
                ("transfer_0", 0.8),
                ("transfer_100", 0.9),
            ):
                rows.append(
                    dict(
                        study="transfer",
                        condition=condition,
                        sampler="none",
                        fraction=1.0,
                        target=target,
                        subject=subject,
                        fold=0,
                        rmse=0.5 if condition == "no_transfer" else 0.2,
                        ccc=ccc,
                        pcc=0.85,
                        sagr=0.9,
                    )
                )
    return pd.DataFrame(rows)


def test_the_report_names_a_barely_moving_baseline_and_its_epochs():
    config = make_config("quick")
    report = Report()
    _transfer_section(report, _transfer_rows(no_transfer_ccc=0.01), config)
    text = report.text()
    assert "Predictions that follow the labels but barely move:" in text
    # in the study's order of targets, as every table of the report
    assert (
        "no_transfer valence (CCC 0.010, PCC 0.850); no_transfer arousal (CCC 0.010, PCC 0.850)"
        in text
    )
    assert "transfer_0" not in text.split("barely move:")[1]
    assert f"from scratch for {config.no_transfer_epochs} epochs" in text
    report = Report()
    _transfer_section(report, _transfer_rows(no_transfer_ccc=0.6), config)
    assert "barely move" not in report.text()
    report = Report()
    _transfer_section(
        report, _transfer_rows(0.01), dataclasses.replace(config, no_transfer_epochs=1)
    )
    assert "from scratch for 1 epoch on a training fold" in report.text()
