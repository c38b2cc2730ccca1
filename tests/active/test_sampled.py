"""SampledRegressor: fit on the fraction a sampler picks."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_fer import DenseHeadRegressor
from sklearn_fer.active import GreedySampler, MCDropoutSampler, RandomSampler, SampledRegressor


def test_sampled_regressor_fits_on_the_picked_rows_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, -2.0, 0.5]
    model = SampledRegressor(LinearRegression(), GreedySampler("x"), fraction=0.2).fit(X, y)
    expected = GreedySampler("x").select(X, 8)
    np.testing.assert_array_equal(model.selected_indices_, expected)
    reference = LinearRegression().fit(X[expected], y[expected])
    np.testing.assert_allclose(model.estimator_.coef_, reference.coef_)
    assert model.n_features_in_ == 3


@pytest.mark.parametrize("fraction, expected", [(0.05, 2), (0.1, 4), (0.7, 28), (1.0, 40)])
def test_sampled_regressor_takes_the_ceiling_of_the_fraction(fraction, expected):
    X = np.random.default_rng(0).normal(size=(40, 2))
    model = SampledRegressor(
        LinearRegression(), RandomSampler(random_state=0), fraction=fraction
    ).fit(X, X[:, 0])
    assert len(model.selected_indices_) == expected


def test_fraction_zero_is_transfer_0(tiny_pretrained, images, features, targets):
    model = SampledRegressor(
        DenseHeadRegressor(tiny_pretrained), GreedySampler("y"), fraction=0.0
    ).fit(features, targets)
    assert len(model.selected_indices_) == 0
    np.testing.assert_allclose(model.predict(features), tiny_pretrained.predict(images), atol=1e-4)


def test_samplers_get_the_pretrained_state_not_a_fit_on_this_data(
    tiny_pretrained, features, targets
):
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=1)
    model = SampledRegressor(head, GreedySampler("y"), fraction=0.5).fit(features, targets)
    pretrained_outputs = DenseHeadRegressor(tiny_pretrained).initialize()
    expected = GreedySampler("y").select(features, 6, estimator=pretrained_outputs)
    np.testing.assert_array_equal(model.selected_indices_, expected)


def test_grid_search_over_fraction_and_sampler(tiny_pretrained, features, targets):
    model = SampledRegressor(
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
        RandomSampler(random_state=0),
    )
    grid = GridSearchCV(
        model,
        {
            "fraction": [0.0, 0.5, 1.0],
            "sampler": [
                RandomSampler(random_state=0),
                GreedySampler("x"),
                GreedySampler("xy"),
                MCDropoutSampler(n_iter=4, random_state=0),
            ],
        },
        cv=KFold(2),
        scoring="neg_root_mean_squared_error",
    ).fit(features, targets)
    assert len(grid.cv_results_["params"]) == 12
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


@pytest.mark.parametrize(
    "fraction, error, match",
    [
        (-0.1, ValueError, r"'fraction' .* in the range \[0.0, 1.0\]\. Got -0.1 instead"),
        (1.5, ValueError, r"'fraction' .* in the range \[0.0, 1.0\]\. Got 1.5 instead"),
        (np.nan, ValueError, r"'fraction' .* in the range \[0.0, 1.0\]\. Got nan instead"),
        (True, TypeError, r"'fraction' .* \(not a bool\) .* Got True instead"),
        ("half", TypeError, r"'fraction' .* Got 'half' instead"),
        (None, TypeError, r"'fraction' .* Got None instead"),
    ],
)
def test_fraction_outside_0_1(fraction, error, match):
    model = SampledRegressor(LinearRegression(), RandomSampler(0), fraction=fraction)
    with pytest.raises(error, match=match):
        model.fit(np.zeros((4, 2)), np.zeros(4))


def test_fraction_zero_needs_a_pretrained_state():
    model = SampledRegressor(LinearRegression(), RandomSampler(0), fraction=0.0)
    with pytest.raises(ValueError, match="pre-trained state"):
        model.fit(np.zeros((4, 2)), np.zeros(4))
