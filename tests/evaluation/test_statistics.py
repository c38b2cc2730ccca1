"""Summaries across subjects, the paired Wilcoxon test and the elbow rule."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_fer.evaluation import (
    compare_samplers,
    corrected_fold_test,
    elbow_fraction,
    elbow_fractions,
    summarize,
)


def test_summarize_averages_folds_within_subjects_then_across_subjects(transfer):
    table = summarize(transfer)
    row = table[(table["condition"] == "transfer_100") & (table["target"] == "arousal")]
    block = transfer[(transfer["condition"] == "transfer_100") & (transfer["target"] == "arousal")]
    per_subject = block.groupby("subject")["rmse"].mean()
    assert row["rmse_mean"].item() == pytest.approx(per_subject.mean())
    assert row["rmse_std"].item() == pytest.approx(per_subject.std(ddof=1))
    assert row["n_subjects"].item() == 3


def test_summarize_counts_each_metric_and_what_it_left_out():
    # PCC undefined (NaN) on one fold of subject 1 and on every fold of subject 2.
    rows = pd.DataFrame(
        {
            "study": "transfer",
            "condition": "transfer_0",
            "sampler": "none",
            "fraction": 0.0,
            "target": "valence",
            "subject": [1, 1, 2, 2, 3, 3],
            "fold": [0, 1] * 3,
            "rmse": [0.1, 0.3, 0.2, 0.2, 0.4, 0.6],
            "pcc": [0.4, np.nan, np.nan, np.nan, 0.6, 0.8],
        }
    )
    row = summarize(rows, metrics=["rmse", "pcc"]).iloc[0]
    assert row["n_subjects"] == 3
    assert (row["rmse_n"], row["rmse_left_out"]) == (3, 0)
    assert (row["pcc_n"], row["pcc_left_out"]) == (2, 3)
    assert row["pcc_mean"] == pytest.approx(np.mean([0.4, 0.7]))  # subjects 1 and 3
    from sklearn_fer.evaluation._statistics import left_out_note

    note = left_out_note(summarize(rows, metrics=["rmse", "pcc"]), metrics=["rmse", "pcc"])
    assert "pcc: 3 fold values (valence transfer_0 0.0: mean over 2 of 3 subjects)" in note
    assert "rmse:" not in note


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


def _paired_rows(random_rmse, gsx_rmse, fraction=0.1, target="arousal"):
    n = len(random_rmse)
    return pd.DataFrame(
        {
            "study": "sampling",
            "condition": "fine_tuned",
            "target": target,
            "fraction": fraction,
            "sampler": ["random"] * n + ["gsx"] * n,
            "subject": list(range(n)) * 2,
            "rmse": list(random_rmse) + list(gsx_rmse),
        }
    )


def test_effect_size_and_interval_are_the_paired_t_interval_across_subjects():
    rng = np.random.default_rng(0)
    random_rmse = rng.uniform(0.2, 0.3, 8)
    gsx_rmse = random_rmse - rng.normal(0.02, 0.01, 8)
    row = compare_samplers(_paired_rows(random_rmse, gsx_rmse)).iloc[0]
    reference = stats.ttest_rel(gsx_rmse, random_rmse).confidence_interval(0.95)
    assert row["mean_difference"] == pytest.approx(np.mean(gsx_rmse - random_rmse))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((reference.low, reference.high))
    narrow = compare_samplers(_paired_rows(random_rmse, gsx_rmse), confidence=0.5).iloc[0]
    assert row["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < row["ci_high"]


@pytest.mark.parametrize("n", [5, 10])
def test_min_p_is_what_the_exact_test_reaches_when_every_subject_agrees(n):
    random_rmse = np.linspace(0.2, 0.3, n)
    row = compare_samplers(_paired_rows(random_rmse, random_rmse - 0.01 * np.arange(1, n + 1)))
    row = row.iloc[0]
    assert row["min_p"] == pytest.approx(2 / 2**n)
    assert row["p_value"] == pytest.approx(row["min_p"])  # all differences negative


def test_holm_correction_over_the_whole_table():
    # Three comparisons with known raw p-values: Holm multiplies the smallest by 3, the
    # next by 2 (and keeps the sequence monotone), the largest by 1.
    from sklearn_fer.evaluation._statistics import _holm

    adjusted = _holm([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(adjusted[:3], [0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])
    # Within each target and fraction: two samplers against random at each of two
    # fractions give two families of two comparisons.
    base = np.linspace(0.2, 0.3, 6)
    rows = []
    for fraction in (0.1, 0.5):
        pair = _paired_rows(base, base - 0.02 * np.arange(1, 7), fraction)
        igs = pair[pair["sampler"] == "gsx"].assign(sampler="igs")
        igs["rmse"] = base + np.array([0.01, -0.02, 0.03, -0.01, 0.02, 0.015])
        rows += [pair, igs]
    table = compare_samplers(pd.concat(rows)).sort_values(["fraction", "p_value"])
    for _, family in table.groupby("fraction"):
        p = family["p_value"].to_numpy()
        expected = [min(1, 2 * p[0]), max(min(1, 2 * p[0]), p[1])]
        np.testing.assert_allclose(family["p_holm"], expected)


def test_confidence_outside_0_1_is_refused():
    with pytest.raises(ValueError, match=r"'confidence' .* \(0.0, 1.0\)\. Got 1.5 instead"):
        compare_samplers(_paired_rows([0.2, 0.3], [0.1, 0.2]), confidence=1.5)


def test_corrected_fold_test_is_the_t_test_with_the_test_to_train_variance_inflation():
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(3)
    d = rng.normal(-0.01, 0.02, 25)
    train, test = next(KFold(5).split(np.zeros(60)))
    ratio = len(test) / len(train)  # 12 / 48, from an actual split
    t = d.mean() / np.sqrt(d.var(ddof=1) * (1 / len(d) + ratio))
    assert corrected_fold_test(d, 5) == pytest.approx(2 * stats.t.sf(abs(t), len(d) - 1))
    # Always more cautious than the plain t-test over the same dependent folds.
    assert corrected_fold_test(d, 5) > stats.ttest_1samp(d, 0).pvalue
    assert np.isnan(corrected_fold_test([0.1, 0.1, 0.1], 5))
    with pytest.raises(ValueError, match=r"'n_folds' .* an int .* \[2, inf\)\. Got 1 instead"):
        corrected_fold_test(d, 1)


def _fold_rows(n_subjects, n_folds, shift, rng):
    rows = []
    for subject in range(n_subjects):
        level = rng.uniform(0.2, 0.3)
        for fold in range(n_folds):
            for sampler, extra in (("random", 0.0), ("gsx", shift)):
                rmse = level + extra + rng.normal(0, 0.005)
                rows.append(
                    dict(
                        subject=subject,
                        fold=fold,
                        target="valence",
                        study="sampling",
                        condition="fine_tuned",
                        sampler=sampler,
                        fraction=0.1,
                        rmse=rmse,
                    )
                )
    return pd.DataFrame(rows)


def test_the_corrected_test_over_subjects_and_folds_has_the_power_wilcoxon_lacks():
    results = _fold_rows(5, 5, -0.02, np.random.default_rng(0))
    row = compare_samplers(results).iloc[0]
    wide = results.pivot_table(index=["subject", "fold"], columns="sampler", values="rmse")
    expected = corrected_fold_test((wide["gsx"] - wide["random"]).to_numpy(), 5)
    assert row["n_folds"] == 5
    assert row["p_corrected"] == pytest.approx(expected)
    assert row["min_p"] == pytest.approx(0.0625) and row["p_value"] >= row["min_p"]
    assert row["p_corrected"] < 0.01 and row["p_corrected_holm"] == row["p_corrected"]
    # No difference: no significance.
    null = compare_samplers(_fold_rows(5, 5, 0.0, np.random.default_rng(1))).iloc[0]
    assert null["p_corrected"] > 0.05
