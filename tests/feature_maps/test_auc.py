"""The AUC statistic and its permutation test, against independent computations."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from sklearn_fer.feature_maps._auc import (
    au_aucs,
    check_aus,
    permutation_pvalues,
    present_matrix,
    rank_responses,
)


def test_aucs_match_scikit_learn_with_ties():
    rng = np.random.default_rng(0)
    responses = rng.integers(0, 4, size=(30, 5)).astype(float)  # many ties
    present = rng.random((30, 3)) < 0.4
    aucs = au_aucs(rank_responses(responses), present)
    expected = [[roc_auc_score(present[:, a], responses[:, m]) for m in range(5)] for a in range(3)]
    np.testing.assert_allclose(aucs, expected)


def test_a_perfect_separation_gets_the_smallest_p_value_and_noise_does_not():
    rng = np.random.default_rng(1)
    present = np.repeat([True, False], 15)[:, None]
    responses = np.column_stack([present[:, 0] + rng.normal(0, 0.01, 30), rng.normal(size=30)])
    ranks = rank_responses(responses)
    aucs = au_aucs(ranks, present)
    p, p_adj = permutation_pvalues(ranks, present, aucs, 199, seed=0)
    assert aucs[0, 0] == 1.0
    assert p[0, 0] == pytest.approx(1 / 200)
    assert p[0, 1] > 0.05
    assert np.all(p_adj >= p)


def test_null_p_values_are_roughly_uniform_and_reversal_is_two_sided():
    rng = np.random.default_rng(2)
    present = rng.random((40, 1)) < 0.5
    responses = rng.normal(size=(40, 300))
    ranks = rank_responses(responses)
    p, _ = permutation_pvalues(ranks, present, au_aucs(ranks, present), 99, seed=1)
    assert 0.4 < p.mean() < 0.6
    assert 0.02 < (p <= 0.05).mean() < 0.1
    # Flipping a map's sign maps AUC to 1 - AUC and keeps its two-sided p-value.
    flipped = rank_responses(-responses[:, :5])
    p_flip, _ = permutation_pvalues(flipped, present, au_aucs(flipped, present), 99, seed=1)
    np.testing.assert_allclose(p_flip, p[:, :5])


def test_check_aus_shapes_and_names():
    import pandas as pd

    values, names = check_aus(pd.DataFrame({"AU1": [0.1, 0.5], "AU12": [0, 1]}), 2)
    assert values.shape == (2, 2) and names == ["AU1", "AU12"]
    values, names = check_aus([0.0, 1.0, 0.5], 3)
    assert values.shape == (3, 1) and names == ["au0"]
    with pytest.raises(
        ValueError, match=r"aus must have shape \(n_samples, n_aus\) = \(3, n_aus\)"
    ):
        check_aus(np.zeros((4, 2)), 3)
    with pytest.raises(ValueError, match="aus contains NaN"):
        check_aus([0.0, np.nan], 2)
    with pytest.raises(ValueError, match="aus must hold numbers"):
        check_aus([["a", "b"]], 1)


def test_present_matrix_names_constant_aus_and_refuses_when_none_vary():
    aus = np.array([[0.0, 0.9, 0.5], [0.0, 0.8, 0.0], [0.0, 0.7, 0.3]])
    with pytest.warns(UserWarning, match=r"AU1 \(absent from all\), AU2 \(present in all\)"):
        present, varies = present_matrix(aus, 0.2, ["AU1", "AU2", "AU3"])
    assert varies.tolist() == [False, False, True]
    assert present[:, 2].tolist() == [True, False, True]
    with pytest.raises(ValueError, match="no AU varies across these 3 images at threshold 0.2"):
        present_matrix(aus[:, :2], 0.2, ["AU1", "AU2"])
