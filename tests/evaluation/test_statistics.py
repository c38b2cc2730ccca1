"""Summaries across subjects, the paired Wilcoxon test and the elbow rule."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_fer.evaluation import compare_samplers, elbow_fraction, elbow_fractions, summarize


def test_summarize_averages_folds_within_subjects_then_across_subjects(transfer):
    table = summarize(transfer)
    row = table[(table["condition"] == "transfer_100") & (table["target"] == "arousal")]
    block = transfer[(transfer["condition"] == "transfer_100") & (transfer["target"] == "arousal")]
    per_subject = block.groupby("subject")["rmse"].mean()
    assert row["rmse_mean"].item() == pytest.approx(per_subject.mean())
    assert row["rmse_std"].item() == pytest.approx(per_subject.std(ddof=1))
    assert row["n_subjects"].item() == 3


def test_compare_samplers_is_scipys_paired_wilcoxon():
    rng = np.random.default_rng(0)
    rows = []
    for subject in range(8):
        for sampler, shift in (("random", 0.0), ("gsx", 0.02)):
            for fold in range(2):
                rows.append(
                    dict(
                        subject=subject,
                        fold=fold,
                        target="valence",
                        study="sampling",
                        condition="fine_tuned",
                        sampler=sampler,
                        fraction=0.1,
                        rmse=0.3 + shift + rng.normal(0, 0.01),
                    )
                )
    results = pd.DataFrame(rows)
    table = compare_samplers(results)
    assert len(table) == 1 and table["sampler"].item() == "gsx"
    means = results.groupby(["sampler", "subject"])["rmse"].mean()
    expected = stats.wilcoxon(means["gsx"], means["random"])
    assert table["p_value"].item() == pytest.approx(expected.pvalue)
    assert table["median_difference"].item() == pytest.approx(
        np.median(means["gsx"] - means["random"])
    )


def test_elbow_fraction():
    fractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
    assert elbow_fraction(fractions, [0.5, 0.3, 0.15, 0.13, 0.12, 0.115, 0.11]) == 0.2
    straight = [0.5 - 0.4 * (f - 0.05) / 0.85 for f in fractions]
    assert np.isnan(elbow_fraction(fractions, straight))  # no bend
    assert np.isnan(elbow_fraction([0.1, 0.5], [0.3, 0.2]))  # too few points
    assert elbow_fraction(fractions[::-1], [0.11, 0.115, 0.12, 0.13, 0.15, 0.3, 0.5]) == 0.2


def test_elbow_fractions_per_target_and_sampler(curve):
    table = elbow_fractions(curve)
    assert set(table.columns) == {"target", "sampler", "elbow_fraction"}
    assert len(table) == 2 * 3
