"""FeatureMapSelector: whole maps kept by AU selectivity or target relevance."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_fer.feature_maps import FeatureMapSelector

N, MAPS, POSITIONS = 60, 5, 4


@pytest.fixture
def data():
    """Map 3 follows the first AU, map 1 the target; map 4 is dead (a ReLU never on)."""
    rng = np.random.default_rng(0)
    aus = rng.uniform(0, 1, size=(N, 2))
    y = rng.normal(size=N)
    X = rng.normal(size=(N, MAPS, POSITIONS))
    X[:, 3] += 4 * (aus[:, [0]] > 0.2)
    X[:, 1] += 3 * y[:, None]
    X[:, 4] = 0.0
    return X.reshape(N, MAPS * POSITIONS), y, aus


def test_au_selectivity_keeps_the_au_map_with_all_its_positions(data):
    X, y, aus = data
    selector = FeatureMapSelector(k=1, n_maps=MAPS).fit(X, y, aus=aus)
    assert selector.criterion_ == "au"
    assert selector.maps_.tolist() == [3]
    assert selector.get_support(indices=True).tolist() == [12, 13, 14, 15]
    np.testing.assert_array_equal(selector.transform(X), X[:, 12:16])
    pooled = X.reshape(N, MAPS, POSITIONS).mean(axis=2)
    expected = [2 * roc_auc_score(aus[:, 0] > 0.2, pooled[:, m]) - 1 for m in range(4)]
    np.testing.assert_allclose(selector.selectivity_[:4, 0], expected, atol=1e-12)
    assert np.isnan(selector.scores_[4])  # the dead map has no score
    assert selector.get_feature_names_out().tolist() == [f"x{i}" for i in range(12, 16)]


def test_target_relevance_keeps_the_target_map(data):
    X, y, _ = data
    selector = FeatureMapSelector(k=2, n_maps=MAPS).fit(X, y)
    assert selector.criterion_ == "target" and selector.maps_[0] == 1
    classes = (y > 0).astype(int)
    assert FeatureMapSelector(k=1, n_maps=MAPS).fit(X, classes).maps_.tolist() == [1]


def test_bottom_and_random_leave_dead_maps_last(data):
    X, y, aus = data
    bottom = FeatureMapSelector(k=4, keep="bottom", n_maps=MAPS).fit(X, y, aus=aus)
    assert 4 not in bottom.maps_ and bottom.maps_[-1] == 3
    for seed in range(5):
        chosen = FeatureMapSelector(k=4, keep="random", n_maps=MAPS, random_state=seed).fit(X)
        assert sorted(chosen.maps_) == [0, 1, 2, 3]
        assert chosen.scores_ is None and chosen.criterion_ is None
    draws = {
        tuple(FeatureMapSelector(k=2, keep="random", n_maps=MAPS, random_state=s).fit(X).maps_)
        for s in range(8)
    }
    assert len(draws) > 1
    assert FeatureMapSelector(k="all", n_maps=MAPS).fit(X, y).maps_.tolist()[-1] == 4


def test_feature_names_of_a_featurizer_dataframe_give_the_maps(data):
    X, y, aus = data
    columns = [f"conv5_map{m:03d}_r0c{p}" for m in range(MAPS) for p in range(POSITIONS)]
    frame = pd.DataFrame(X, columns=columns)
    selector = FeatureMapSelector(k=1).fit(frame, y, aus=aus)
    assert selector.n_maps_ == MAPS and selector.map_names_[3] == "conv5_map003"
    assert selector.get_feature_names_out().tolist() == columns[12:16]


def test_k_and_criterion_are_searched_with_aus_routed():
    rng = np.random.default_rng(1)
    aus = rng.uniform(0, 1, size=(N, 1))
    X = rng.normal(size=(N, 3, 2))
    X[:, 2] += 2 * aus
    y = aus[:, 0] + 0.1 * rng.normal(size=N)
    X = X.reshape(N, 6)
    with sklearn.config_context(enable_metadata_routing=True):
        selector = FeatureMapSelector(n_maps=3).set_fit_request(aus=True)
        pipeline = make_pipeline(selector, Ridge())
        search = GridSearchCV(
            pipeline,
            {"featuremapselector__k": [1, 3], "featuremapselector__criterion": ["au", "target"]},
            cv=3,
        ).fit(X, y, aus=aus)
    assert search.best_estimator_[0].maps_[0] == 2
    assert len(search.cv_results_["params"]) == 4


@pytest.mark.parametrize(
    "params, fit_kwargs, error, match",
    [
        (
            dict(k=6, n_maps=MAPS),
            {},
            ValueError,
            r"k=6 is larger than the number of feature maps \(5\)",
        ),
        (dict(k=0), {}, ValueError, "'k' parameter of FeatureMapSelector must be"),
        (dict(k=1, criterion="au", n_maps=MAPS), {}, ValueError, "criterion='au' ranks maps by AU"),
        (dict(k=1, n_maps=3), {}, ValueError, "n_maps=3 does not divide the 20 features"),
    ],
)
def test_bad_settings_are_named(data, params, fit_kwargs, error, match):
    X, y, _ = data
    with pytest.raises(error, match=match):
        FeatureMapSelector(**params).fit(X, y, **fit_kwargs)


def test_bad_au_labels_and_missing_targets_are_named(data):
    X, y, aus = data
    selector = FeatureMapSelector(k=1, n_maps=MAPS)
    with pytest.raises(ValueError, match=r"aus must have shape \(n_samples, n_aus\) = \(60"):
        selector.fit(X, y, aus=aus[:10])
    with pytest.raises(ValueError, match="no AU varies across these 60 images"):
        selector.fit(X, y, aus=np.zeros((N, 2)))
    with pytest.raises(ValueError, match="requires y to be passed"):
        selector.fit(X)
    with pytest.raises(
        ValueError, match="Unknown label type .* criterion=.target. needs continuous"
    ):
        selector.fit(X, np.array(["a b"] * N, dtype=object).reshape(-1, 1).repeat(2, 1))
    assert clone(selector).get_params() == selector.get_params()
