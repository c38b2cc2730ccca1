"""DenseHeadRegressor: the dense part fine-tuned from the pre-trained weights (Transfer 0%/100%)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.nets import AlexNet

from .._helpers import brightness_images, tiny_regressor


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


@pytest.fixture(scope="module")
def full_pretrained():
    """Full-width AlexNet (4096 hidden units), briefly fitted: the paper's architecture."""
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, size=(16, 64, 64, 3), dtype=np.uint8)
    y = rng.uniform(-1, 1, size=16)
    return AlexNetRegressor(max_epochs=1, random_state=0).fit(images, y), images


def test_transfer_0_head_reproduces_pretrained_predictions(full_pretrained):
    pretrained, images = full_pretrained
    features = FrozenConvFeaturizer(pretrained).fit_transform(images)
    head = DenseHeadRegressor(pretrained).initialize()
    difference = np.abs(head.predict(features) - pretrained.predict(images))
    assert head.predict(features).shape == (len(images),)
    assert difference.max() < 1e-4


def test_transfer_0_identity_with_two_outputs(images, targets):
    pretrained = tiny_regressor().fit(images, np.column_stack([targets, targets**2]))
    features = FrozenConvFeaturizer(pretrained).fit_transform(images)
    head = DenseHeadRegressor(pretrained).initialize()
    assert head.predict(features).shape == (len(images), 2)
    assert np.abs(head.predict(features) - pretrained.predict(images)).max() < 1e-4


def _snapshot(module):
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def test_fitting_the_head_changes_no_pretrained_tensor(tiny_pretrained, images, targets):
    before = _snapshot(tiny_pretrained.module_)
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit(images)
    features_before = featurizer.transform(images)
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=3, lr=0.1).fit(features_before, targets)
    after = _snapshot(tiny_pretrained.module_)
    assert before.keys() == after.keys()
    for name in before:
        assert torch.equal(before[name], after[name]), name
    np.testing.assert_array_equal(featurizer.transform(images), features_before)
    # ...while the head did move away from the pre-trained weights.
    assert not torch.equal(head.module_[-1].weight, tiny_pretrained.module_.classifier[-1].weight)


def test_every_fit_restarts_from_the_pretrained_weights(tiny_pretrained, images, targets):
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=2, lr=0.05, random_state=0)
    first = head.fit(features, targets).predict(features)
    second = head.fit(features, targets).predict(features)
    np.testing.assert_array_equal(first, second)
    warm = head.set_params(warm_start=True).fit(features, targets).predict(features)
    assert not np.allclose(warm, first)


def test_fine_tuning_learns_what_the_images_encode():
    rng = np.random.default_rng(0)
    source_images, g = brightness_images(96, rng)
    general = tiny_regressor(max_epochs=3, lr=0.01).fit(source_images, 2 * g - 1)
    # One person's frames: same cue, their own gain and offset.
    train_images, g_train = brightness_images(64, rng)
    test_images, g_test = brightness_images(64, rng)
    y_train, y_test = 0.5 * g_train + 0.4, 0.5 * g_test + 0.4

    personal = make_pipeline(
        FrozenConvFeaturizer(general),
        DenseHeadRegressor(general, max_epochs=40, lr=0.03, random_state=0),
    )
    transfer_0 = rmse(general.predict(test_images), y_test)
    constant = rmse(np.full_like(y_test, y_train.mean()), y_test)
    transfer_100 = rmse(personal.fit(train_images, y_train).predict(test_images), y_test)
    assert transfer_100 < 0.5 * constant
    assert transfer_100 < 0.5 * transfer_0


def test_head_clone_shares_the_pretrained_net(tiny_pretrained):
    head = DenseHeadRegressor(tiny_pretrained, lr=0.01)
    copy = clone(head)
    assert copy.pretrained is tiny_pretrained
    assert copy.lr == 0.01
    assert "pretrained__lr" not in head.get_params(deep=True)
    assert "module" not in head.get_params(deep=False)


def test_head_in_grid_search_keeps_the_pretraining(tiny_pretrained, images, targets):
    pipeline = make_pipeline(
        FrozenConvFeaturizer(tiny_pretrained),
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
    )
    search = GridSearchCV(pipeline, {"denseheadregressor__lr": [0.0, 0.01]}, cv=KFold(2))
    search.fit(images, targets)
    assert search.best_estimator_[0].pretrained is tiny_pretrained
    # lr=0 leaves the head at the pre-trained weights: Transfer 0% predictions.
    zero_lr = clone(pipeline).set_params(denseheadregressor__lr=0.0).fit(images, targets)
    np.testing.assert_allclose(zero_lr.predict(images), tiny_pretrained.predict(images), atol=1e-4)


def test_fitted_pipeline_pickles_and_predicts_the_same(tiny_pretrained, images, targets):
    pipeline = make_pipeline(
        FrozenConvFeaturizer(tiny_pretrained),
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
    ).fit(images, targets)
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(restored.predict(images), pipeline.predict(images))
    assert repr(restored) == repr(pipeline)


def test_head_rejects_features_of_the_wrong_width(tiny_pretrained):
    head = DenseHeadRegressor(tiny_pretrained)
    expected = "X has 10 features, but DenseHeadRegressor is expecting 9216"
    with pytest.raises(ValueError, match=expected):
        head.fit(np.zeros((4, 10), np.float32), np.zeros(4))


def test_head_rejects_nan_features(tiny_pretrained):
    features = np.zeros((4, 9216), np.float32)
    features[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DenseHeadRegressor(tiny_pretrained).fit(features, np.zeros(4))


def test_head_rejects_more_targets_than_pretrained_outputs(tiny_pretrained):
    with pytest.raises(ValueError, match="2 target column"):
        DenseHeadRegressor(tiny_pretrained).fit(np.zeros((4, 9216), np.float32), np.zeros((4, 2)))


def test_head_needs_a_fitted_pretrained_net():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        DenseHeadRegressor(AlexNetRegressor()).initialize()
    with pytest.raises(TypeError, match="got str"):
        DenseHeadRegressor("alexnet").initialize()


def test_head_accepts_a_plain_torch_module():
    module = AlexNet(hidden_units=8).eval()
    images = torch.randint(0, 256, (3, 64, 64, 3), dtype=torch.uint8)
    features = FrozenConvFeaturizer(module).fit_transform(images.numpy())
    head = DenseHeadRegressor(module).initialize()
    with torch.no_grad():
        expected = module(images).numpy().ravel()
    np.testing.assert_allclose(head.predict(features), expected, atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_device_end_to_end(images, targets):
    general = tiny_regressor(device="cuda").fit(images, targets)
    features = FrozenConvFeaturizer(general).fit_transform(images)
    head = DenseHeadRegressor(general, device="cuda").initialize()
    assert next(head.module_.parameters()).is_cuda
    np.testing.assert_allclose(head.predict(features), general.predict(images), atol=1e-4)


def test_set_params_swaps_the_pretrained_net(tiny_pretrained, images):
    head = DenseHeadRegressor(AlexNet(hidden_units=4))
    head.set_params(pretrained=tiny_pretrained, lr=0.5)
    assert head.pretrained is tiny_pretrained and head.lr == 0.5
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    np.testing.assert_allclose(
        head.initialize().predict(features), tiny_pretrained.predict(images), atol=1e-4
    )
    head.set_params(pretrained=AlexNet(hidden_units=4))
    assert isinstance(head.pretrained, AlexNet)


def test_frozen_estimator_wrapper_is_accepted(tiny_pretrained, images):
    FrozenEstimator = pytest.importorskip("sklearn.frozen").FrozenEstimator  # sklearn >= 1.6

    frozen = FrozenEstimator(tiny_pretrained)
    features = FrozenConvFeaturizer(frozen).fit_transform(images)
    head = DenseHeadRegressor(frozen).initialize()
    np.testing.assert_allclose(head.predict(features), tiny_pretrained.predict(images), atol=1e-4)
    assert clone(head).pretrained is frozen
