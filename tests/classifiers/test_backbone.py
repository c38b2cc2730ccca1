"""BackboneClassifier: any backbone end to end, labels of any type, class weights."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_fer import BackboneClassifier, FusedAdam
from sklearn_fer.nets import AlexNet, MiniXception


def small(module="alexnet", **params):
    defaults = dict(max_epochs=1, random_state=0)
    if module == "alexnet":
        defaults["module__hidden_units"] = 16
    defaults.update(params)
    return BackboneClassifier(module, **defaults)


def test_string_labels_give_classes_and_probabilities(labelled):
    images, labels = labelled
    net = small().fit(images, labels)
    assert net.classes_.tolist() == ["dark", "light", "mid"]
    proba = net.predict_proba(images)
    assert proba.shape == (len(images), 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(net.predict(images)) <= set(net.classes_)
    assert net.module_.classifier[-1].out_features == 3  # one unit per class


def test_integer_labels_are_kept_as_given(labelled):
    images, _ = labelled
    codes = np.array([0, 3, 6] * 16)  # AffectNet's neutral, surprise, anger
    net = small("mini_xception").fit(images, codes)
    assert net.classes_.tolist() == [0, 3, 6]
    assert net.predict(images).dtype == codes.dtype


@pytest.mark.parametrize("module", ["alexnet", "mini_xception"])
def test_it_learns_what_the_images_encode(labelled, module):
    images, labels = labelled
    net = small(module, optimizer=FusedAdam, lr=0.003, max_epochs=15, batch_size=16)
    chance = np.mean(labels == "mid")
    assert net.fit(images, labels).score(images, labels) > max(0.8, chance + 0.3)


def test_balanced_class_weight_weighs_classes_inversely_to_their_count(labelled):
    images, _ = labelled
    labels = np.array(["a"] * 36 + ["b"] * 8 + ["c"] * 4)
    net = small(class_weight="balanced").fit(images, labels)
    expected = len(labels) / (3 * np.array([36, 8, 4]))  # scikit-learn's rule, by hand
    np.testing.assert_allclose(net.criterion_.weight.numpy(), expected, rtol=1e-6)
    by_dict = small(class_weight={"c": 5.0}).fit(images, labels)
    np.testing.assert_allclose(by_dict.criterion_.weight.numpy(), [1.0, 1.0, 5.0])
    assert small().fit(images, labels).criterion_.weight is None


def test_class_weight_changes_the_fit(labelled):
    images, _ = labelled
    labels = np.array(["a"] * 40 + ["b"] * 8)
    plain = small(max_epochs=2).fit(images, labels).predict_proba(images)
    weighted = small(max_epochs=2, class_weight="balanced").fit(images, labels)
    assert not np.allclose(weighted.predict_proba(images), plain)


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ("auto", r"'class_weight' .* a str among \{'balanced'\}, .*dict.* or None\. Got 'auto'"),
        ({"z": 2.0}, "'z'"),
    ],
)
def test_bad_class_weight_is_rejected(labelled, class_weight, message):
    images, labels = labelled
    with pytest.raises(ValueError, match=message):
        small(class_weight=class_weight).fit(images, labels)


def test_one_class_only_is_a_clear_error(labelled):
    images, _ = labelled
    with pytest.raises(ValueError, match="one class only \\('happy'\\)"):
        small().fit(images, np.array(["happy"] * len(images)))


def test_continuous_targets_are_not_labels(labelled):
    images, _ = labelled
    with pytest.raises(ValueError, match="Unknown label type"):
        small().fit(images, np.linspace(-1, 1, len(images)))


def test_a_label_unseen_in_fit_is_a_clear_error(labelled):
    images, labels = labelled
    net = small().fit(images, labels)
    fresh = labels.astype(object)
    fresh[:3] = "furious"
    with pytest.raises(ValueError, match="no output unit for: \\['furious'\\]"):
        net.partial_fit(images, fresh)


def test_classes_parameter_fixes_the_output_units(labelled):
    images, labels = labelled
    net = small(classes=["dark", "mid", "light", "none"]).fit(images, labels)
    assert net.classes_.tolist() == ["dark", "mid", "light", "none"]
    assert net.predict_proba(images).shape == (len(images), 4)


def test_a_module_instance_with_the_wrong_width_is_told_so(labelled):
    images, labels = labelled
    with pytest.raises(ValueError, match="3 classes: build it with one output unit per class"):
        small(AlexNet(n_outputs=2, hidden_units=8)).fit(images, labels)


def test_a_labelled_module_instance_brings_its_classes(labelled):
    images, labels = labelled
    module = MiniXception(n_outputs=3)
    module.classes = ("light", "mid", "dark")
    net = small(module).fit(images, labels)
    assert net.classes_.tolist() == ["light", "mid", "dark"]


def test_unknown_backbone_name_is_a_clear_error(labelled):
    images, labels = labelled
    with pytest.raises(ValueError, match="unknown backbone 'alexnett'.*Did you mean 'alexnet'"):
        small("alexnett").fit(images, labels)


def test_images_smaller_than_the_backbone_takes_are_rejected(labelled):
    images, labels = labelled
    with pytest.raises(ValueError, match="at least 71x71"):
        small("xception").fit(images, labels)


def test_predicting_before_fit_raises_not_fitted(labelled):
    with pytest.raises(NotFittedError):
        small().predict(labelled[0])


def test_seeded_fits_are_reproducible_and_clone_keeps_settings(labelled):
    images, labels = labelled
    net = small(max_epochs=2, batch_size=8, class_weight="balanced")
    first = net.fit(images, labels).predict_proba(images)
    second = clone(net).fit(images, labels).predict_proba(images)
    np.testing.assert_array_equal(first, second)
    assert clone(net).get_params()["class_weight"] == "balanced"


class _Images(torch.utils.data.Dataset):
    """Bare images read on access, as LazyImages is."""

    def __init__(self, images):
        self.images = images

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index]


def test_a_dataset_of_images_with_labels_trains(labelled):
    images, labels = labelled
    net = small().fit(_Images(images), labels)
    np.testing.assert_array_equal(net.predict(_Images(images)), net.predict(images))
    pairs = torch.utils.data.TensorDataset(
        torch.from_numpy(images), torch.zeros(len(images), dtype=torch.long)
    )
    with pytest.raises(ValueError, match="takes the labels as y"):
        small().fit(pairs, None)
