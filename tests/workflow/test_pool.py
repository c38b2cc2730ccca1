import numpy as np
import pytest

from sklearn_fer.active import MCDropoutSampler
from sklearn_fer.persistence import load_pretrained
from sklearn_fer.workflow._pool import (
    featurizers,
    pool_features,
    regression_function,
    target_names,
)


@pytest.fixture(scope="module")
def nets(general):
    return load_pretrained(general)[0]


def test_the_pool_row_is_every_nets_features_side_by_side(nets, images):
    features = pool_features(featurizers(nets), images)
    assert features.shape == (len(images), 2 * 9216)
    from sklearn_fer import FrozenConvFeaturizer

    arousal = FrozenConvFeaturizer(nets["arousal"]).fit().transform(images)
    np.testing.assert_array_equal(features[:, 9216:], arousal)


def test_the_regression_function_predicts_what_the_nets_do(nets, images):
    f = regression_function(nets)
    predicted = f.predict(pool_features(featurizers(nets), images))
    expected = np.column_stack([nets[t].predict(images) for t in ("valence", "arousal")])
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-6)
    assert target_names(nets) == ["valence", "arousal"]
    assert target_names({"valence+arousal": None}) == ["valence", "arousal"]


def test_mc_dropout_leaves_the_nets_untouched(nets, images):
    before = nets["valence"].predict(images)
    f = regression_function(nets)
    MCDropoutSampler(n_iter=5, random_state=0).select(
        pool_features(featurizers(nets), images), 3, estimator=f
    )
    np.testing.assert_array_equal(nets["valence"].predict(images), before)
    assert not any(m.training for m in nets["valence"].module_.modules())
