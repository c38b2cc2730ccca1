"""Bad input: each a clear error that names the value and what was expected."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_fer.pathnet import PathNetClassifier, PathNetRegressor

from .conftest import TINY

ESTIMATORS = [PathNetRegressor, PathNetClassifier]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_more_active_modules_than_modules(Estimator, data):
    with pytest.raises(ValueError, match="max_active=5 exceeds n_modules=4"):
        Estimator(n_modules=4, max_active=5).fit(*data)
    with pytest.raises(ValueError, match="max_active=4 exceeds n_modules=3"):
        Estimator(n_modules=3, max_active=4).fit(*data)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "param, value, expected",
    [
        ("n_layers", 0, r"'n_layers' parameter .* \[1, inf\) or None. Got 0"),
        ("population", 1, r"'population' parameter .* an int .* \[2, inf\). Got 1"),
        ("steps_per_path", 0, r"'steps_per_path' .* \[1, inf\). Got 0"),
        ("n_generations", -1, r"'n_generations' .* \[0, inf\). Got -1"),
        ("max_active", 0, r"'max_active' .* \[1, inf\). Got 0"),
        ("lr", 0.0, r"'lr' .* \(0.0, inf\). Got 0.0"),
        ("head", "reuse", r"'head' parameter .* must be a str among \{.*'copy'.*\}. Got 'reuse'"),
        ("validation_fraction", 1.0, r"'validation_fraction' .* \(0.0, 1.0\). Got 1.0"),
    ],
)
def test_out_of_range_parameters_name_the_value(Estimator, param, value, expected, data):
    with pytest.raises(ValueError, match=expected):
        Estimator(**{param: value}).fit(*data)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_nan_in_x_or_y(Estimator, data):
    X, y = data
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Estimator(**TINY).fit(X_nan, y)
    y_nan = y.astype(float)
    y_nan[2] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        Estimator(**TINY).fit(X, y_nan)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_wrong_feature_count_at_predict(Estimator, data):
    X, y = data
    model = Estimator(**TINY, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4 features"):
        model.predict(X[:, :3])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_before_fit(Estimator, data):
    with pytest.raises(NotFittedError):
        Estimator().predict(data[0])


def test_transfer_before_any_fit_is_a_not_fitted_error(data):
    X, y = data
    with pytest.raises(NotFittedError, match="fit it on the earlier task first"):
        PathNetClassifier(source=PathNetClassifier(**TINY)).fit(X, y)
