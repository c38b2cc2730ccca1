"""DenseHeadClassifier: a pre-trained head fine-tuned on features (Transfer 0% / 100%)."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sklearn_fer import (
    BackboneClassifier,
    DenseHeadClassifier,
    FrozenConvFeaturizer,
    FusedAdam,
)
from sklearn_fer.active import GreedySampler, MCDropoutSampler, mc_dropout_predictions

from .._helpers import tiny_regressor


@pytest.fixture(scope="module")
def general(labelled):
    images, labels = labelled
    return BackboneClassifier("alexnet", module__hidden_units=16, max_epochs=2, random_state=0).fit(
        images, labels
    )


@pytest.fixture(scope="module")
def features(general, labelled):
    return FrozenConvFeaturizer(general).fit_transform(labelled[0])


def _snapshot(module):
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def test_transfer_0_is_the_pretrained_classifier(general, labelled, features):
    head = DenseHeadClassifier(general).initialize()
    assert head.classes_.tolist() == general.classes_.tolist()
    np.testing.assert_allclose(
        head.predict_proba(features), general.predict_proba(labelled[0]), atol=1e-5
    )
    np.testing.assert_array_equal(head.predict(features), general.predict(labelled[0]))


def test_fine_tuning_keeps_the_pretrained_labels_and_net(general, labelled, features):
    before = _snapshot(general.module_)
    _, labels = labelled
    mine = labels == "mid"
    mine[:4] = True  # a person showing two of the three expressions
    head = DenseHeadClassifier(general, max_epochs=3, lr=0.05, random_state=0)
    head.fit(features[mine], labels[mine])
    assert head.classes_.tolist() == general.classes_.tolist()
    assert head.predict_proba(features).shape == (len(features), 3)
    for name, tensor in _snapshot(general.module_).items():
        assert torch.equal(before[name], tensor), name
    assert not torch.equal(head.module_[-1].weight, general.module_.classifier[-1].weight)


def test_labels_the_pretrained_net_lacks_are_a_clear_error(general, features, labelled):
    labels = labelled[1].astype(object)
    labels[:2] = "contempt"
    with pytest.raises(ValueError, match="no output unit for: \\['contempt'\\]"):
        DenseHeadClassifier(general, max_epochs=1).fit(features, labels)


def test_a_regressor_gets_a_fresh_output_layer(labelled):
    images, labels = labelled
    regressor = tiny_regressor().fit(images, np.linspace(-1, 1, len(images)))
    features = FrozenConvFeaturizer(regressor).fit_transform(images)
    head = DenseHeadClassifier(regressor, max_epochs=1, random_state=0).fit(features, labels)
    assert head.classes_.tolist() == ["dark", "light", "mid"]
    assert head.module_[-1].out_features == 3
    # Every other layer starts from the pre-trained weights.
    fresh = DenseHeadClassifier(regressor, max_epochs=1, lr=0.0).fit(features, labels)
    for index in (1, 4):
        torch.testing.assert_close(
            fresh.module_[index].weight, regressor.module_.classifier[index].weight
        )
    with pytest.raises(ValueError, match="cannot be initialised before fit"):
        DenseHeadClassifier(regressor).initialize()


def test_classes_given_start_a_fresh_layer_for_them(general, features, labelled):
    head = DenseHeadClassifier(general, classes=[0, 1, 2, 3], max_epochs=1, random_state=0)
    codes = np.arange(len(features)) % 4
    head.fit(features, codes)
    assert head.classes_.tolist() == [0, 1, 2, 3] and head.module_[-1].out_features == 4


def test_fresh_layers_are_seeded(general, features):
    codes = np.arange(len(features)) % 2

    def fitted():
        head = DenseHeadClassifier(general, classes=[0, 1], max_epochs=1, random_state=3)
        return head.fit(features, codes).predict_proba(features)

    np.testing.assert_array_equal(fitted(), fitted())


def test_balanced_weights_cover_the_pretrained_classes(general, features):
    labels = np.array(["mid"] * 40 + ["dark"] * 8)
    head = DenseHeadClassifier(general, class_weight="balanced", max_epochs=1)
    head.fit(features, labels)
    # classes_ = dark, light, mid: light is absent from y and keeps weight 1.
    np.testing.assert_allclose(head.criterion_.weight.numpy(), [48 / 16, 1.0, 48 / 80])


def test_pipeline_from_images_to_expressions(general, labelled):
    images, labels = labelled
    pipeline = make_pipeline(
        FrozenConvFeaturizer(general),
        DenseHeadClassifier(general, optimizer=FusedAdam, lr=0.01, max_epochs=10, random_state=0),
    )
    baseline = DenseHeadClassifier(general).initialize()
    features = FrozenConvFeaturizer(general).fit_transform(images)
    tuned = clone(pipeline).fit(images, labels)
    # The general model saw 2 epochs (near chance); the tuned head separates the bands.
    assert baseline.score(features, labels) < 0.5
    assert tuned.score(images, labels) > 0.9


def test_width_and_input_type_are_checked(general, features, labelled):
    head = DenseHeadClassifier(general, max_epochs=1)
    with pytest.raises(ValueError, match="X has 10 features, but DenseHeadClassifier is expecting"):
        head.fit(features[:, :10], labelled[1])
    with pytest.raises(TypeError, match="not a Dataset"):
        head.fit(torch.utils.data.TensorDataset(torch.from_numpy(features)), labelled[1])


def test_mcdue_passes_give_class_probabilities(general, features):
    head = DenseHeadClassifier(general)
    passes = mc_dropout_predictions(head, features, n_iter=6, random_state=0)
    assert passes.shape == (6, len(features), 3)
    np.testing.assert_allclose(passes.sum(axis=2), 1.0, rtol=1e-5)
    assert passes.std(axis=0).max() > 0  # dropout is on
    picked = MCDropoutSampler(n_iter=6, random_state=0).select(features, 5, estimator=head)
    assert len(set(picked.tolist())) == 5


def test_mcdue_on_a_head_without_dropout_is_a_clear_error(labelled):
    images, labels = labelled
    general = BackboneClassifier("mini_xception", max_epochs=1, random_state=0)
    general.fit(images, labels)
    features = FrozenConvFeaturizer(general).fit_transform(images)
    with pytest.raises(ValueError, match="MCDUE needs dropout layers.*head_has_dropout"):
        MCDropoutSampler(n_iter=3).select(features, 2, estimator=DenseHeadClassifier(general))


def test_gsy_works_in_the_probability_space(general, features):
    head = DenseHeadClassifier(general)
    picked = GreedySampler("y").select(features, 4, estimator=head)
    proba = DenseHeadClassifier(general).initialize().predict_proba(features)
    # The first pick is the row closest to the mean probability vector (Wu et al.'s start).
    assert picked[0] == np.argmin(((proba - proba.mean(axis=0)) ** 2).sum(axis=1))
