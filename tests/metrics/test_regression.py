import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_validate

from sklearn_fer.metrics import SCORERS, ccc, pcc, rmse, sagr


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    y_true = rng.uniform(-1, 1, 50)
    y_pred = 0.7 * y_true + 0.2 + rng.normal(0, 0.1, 50)
    return y_true, y_pred


def test_rmse_is_the_root_of_the_mean_squared_error(pair):
    y_true, y_pred = pair
    assert rmse(y_true, y_pred) == pytest.approx(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def test_ccc_against_its_definition_written_with_numpy_covariances(pair):
    y_true, y_pred = pair
    cov = np.cov(y_true, y_pred, bias=True)
    expected = 2 * cov[0, 1] / (cov[0, 0] + cov[1, 1] + (y_true.mean() - y_pred.mean()) ** 2)
    assert ccc(y_true, y_pred) == pytest.approx(expected)


def test_ccc_penalises_shift_and_scale_that_pcc_ignores(pair):
    y_true, _ = pair
    shifted = 2 * y_true + 0.5
    assert pcc(y_true, shifted) == pytest.approx(1.0)
    assert ccc(y_true, shifted) < 0.7
    assert ccc(y_true, y_true) == pytest.approx(1.0)
    centred = y_true - y_true.mean()
    assert ccc(centred, -centred) == pytest.approx(-1.0)


def test_pcc_matches_scipy(pair):
    y_true, y_pred = pair
    assert pcc(y_true, y_pred) == pytest.approx(stats.pearsonr(y_true, y_pred)[0])


def test_pcc_of_a_constant_prediction_is_nan():
    assert np.isnan(pcc([0.1, 0.2, 0.3], [0.5, 0.5, 0.5]))


def test_constant_but_equal_series_have_ccc_one_and_different_ones_zero():
    assert ccc([0.4, 0.4], [0.4, 0.4]) == 1.0
    assert ccc([0.4, 0.4], [0.4, 0.4 + 1e-20]) in (0.0, 1.0)  # degenerate, but finite
    assert ccc([0.4, 0.4], [0.1, 0.1]) == 0.0


def test_sagr_counts_matching_signs():
    assert sagr([0.5, -0.5, 0.2, -0.1], [0.1, -0.9, -0.2, 0.3]) == 0.5


def test_multioutput(pair):
    y_true, y_pred = pair
    Y_true = np.column_stack([y_true, -y_true])
    Y_pred = np.column_stack([y_pred, -y_true])
    per_target = rmse(Y_true, Y_pred, multioutput="raw_values")
    assert per_target[1] == 0.0 and per_target[0] == pytest.approx(rmse(y_true, y_pred))
    assert rmse(Y_true, Y_pred) == pytest.approx(per_target.mean())
    assert ccc(Y_true, Y_pred, multioutput="raw_values").shape == (2,)


@pytest.mark.parametrize("metric", [rmse, ccc, pcc, sagr])
def test_bad_input(metric):
    with pytest.raises(ValueError, match="same shape"):
        metric([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        metric([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        metric([], [])
    with pytest.raises(ValueError, match="multioutput"):
        metric([1.0], [1.0], multioutput="variance_weighted")


def test_scorers_work_in_cross_validate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ [0.3, -0.2]
    scores = cross_validate(LinearRegression(), X, y, cv=4, scoring=SCORERS)
    assert np.allclose(scores["test_rmse"], 0, atol=1e-12)  # negated RMSE of a perfect fit
    assert np.allclose(scores["test_ccc"], 1)
    assert np.allclose(scores["test_sagr"], 1)
