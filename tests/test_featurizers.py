import numpy as np
import pytest
import torch
from joblib import Memory
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from torch.utils.data import TensorDataset

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.nets import conv_part


def test_features_are_the_flattened_conv_output(tiny_pretrained, images):
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    module = tiny_pretrained.module_.eval()
    with torch.no_grad():
        expected = conv_part(module)(torch.from_numpy(images)).numpy()
    assert features.shape == (len(images), 9216)
    assert features.dtype == np.float32
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-5)


def test_batch_size_does_not_change_features(tiny_pretrained, images):
    big = FrozenConvFeaturizer(tiny_pretrained, batch_size=64).fit_transform(images)
    small = FrozenConvFeaturizer(tiny_pretrained, batch_size=5).fit_transform(images)
    np.testing.assert_allclose(small, big, rtol=1e-5, atol=1e-5)


def test_dataset_input_gives_the_same_features(tiny_pretrained, images, targets):
    featurizer = FrozenConvFeaturizer(tiny_pretrained, batch_size=5).fit()
    pairs = TensorDataset(torch.from_numpy(images), torch.from_numpy(targets))
    np.testing.assert_allclose(
        featurizer.transform(pairs), featurizer.transform(images), rtol=1e-6, atol=1e-6
    )


def test_transform_runs_without_autograd(tiny_pretrained, images, monkeypatch):
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit()
    seen = []
    featurizer.conv_.register_forward_hook(
        lambda module, inputs, output: seen.append(torch.is_inference_mode_enabled())
    )
    featurizer.transform(images)
    assert seen and all(seen)
    assert not any(p.requires_grad for p in featurizer.conv_.parameters())


def test_fit_copies_the_conv_layers(tiny_pretrained, images):
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit()
    copied = featurizer.conv_[1][0].weight
    original = tiny_pretrained.module_.features[0].weight
    assert copied is not original
    assert torch.equal(copied, original)
    # The pre-trained net keeps training gradients on: the featurizer froze only its copy.
    assert original.requires_grad


def test_feature_names_index_channel_row_and_column(tiny_pretrained):
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit()
    names = featurizer.get_feature_names_out()
    assert len(names) == featurizer.n_features_out_ == 9216
    assert featurizer.feature_map_shape_ == (256, 6, 6)
    assert names[0] == "ch0_y0_x0"
    assert names[7] == "ch0_y1_x1"
    assert names[36] == "ch1_y0_x0"
    assert names[-1] == "ch255_y5_x5"


def test_unfitted_pretrained_gets_a_clear_error(images):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FrozenConvFeaturizer(AlexNetRegressor()).fit(images)


def test_transform_before_fit_raises(tiny_pretrained, images):
    with pytest.raises(NotFittedError):
        FrozenConvFeaturizer(tiny_pretrained).transform(images)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "64"])
def test_bad_batch_size_is_rejected(tiny_pretrained, batch_size):
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        FrozenConvFeaturizer(tiny_pretrained, batch_size=batch_size).fit()


def test_bad_images_are_rejected(tiny_pretrained):
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit()
    with pytest.raises(ValueError, match="at least 63x63"):
        featurizer.transform(np.zeros((2, 40, 40, 3), np.uint8))
    with pytest.raises(ValueError, match="empty"):
        featurizer.transform(np.zeros((0, 64, 64, 3), np.uint8))


def test_clone_shares_pretrained_and_hides_its_params(tiny_pretrained):
    featurizer = FrozenConvFeaturizer(tiny_pretrained, batch_size=8)
    copy = clone(featurizer)
    assert copy.pretrained is tiny_pretrained and copy.batch_size == 8
    assert set(featurizer.get_params(deep=True)) == {"pretrained", "batch_size", "device"}


def test_pipeline_memory_computes_features_once(
    tiny_pretrained, images, targets, tmp_path, monkeypatch
):
    calls = []
    original = FrozenConvFeaturizer.transform

    def counting_transform(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(FrozenConvFeaturizer, "transform", counting_transform)
    pipeline = Pipeline(
        [
            ("features", FrozenConvFeaturizer(tiny_pretrained)),
            ("head", DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0)),
        ],
        memory=Memory(tmp_path, verbose=0),
    )
    first = clone(pipeline).fit(images, targets)
    second = clone(pipeline).set_params(head__lr=0.01).fit(images, targets)
    assert calls == [len(images)]
    np.testing.assert_array_equal(
        first.named_steps["features"].transform(images),
        second.named_steps["features"].transform(images),
    )


def _record_read_only_conversions(monkeypatch, name):
    # torch warns on read-only memory once per process only, so spy on the conversion.
    original, seen = getattr(torch, name), []

    def spy(data, *args, **kwargs):
        if isinstance(data, np.ndarray):
            seen.append(data.flags.writeable)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(torch, name, spy)
    return seen


def test_read_only_and_strided_images_give_the_same_features(tiny_pretrained, images, monkeypatch):
    # Memory maps, pandas' copy-on-write arrays and views come in read-only or strided.
    featurizer = FrozenConvFeaturizer(tiny_pretrained, batch_size=5).fit()
    expected = featurizer.transform(images)
    frozen = images.copy()
    frozen.flags.writeable = False
    flipped = np.ascontiguousarray(images[::-1])[::-1]  # same values, negative stride
    writeable = _record_read_only_conversions(monkeypatch, "from_numpy")
    np.testing.assert_array_equal(featurizer.transform(frozen), expected)
    np.testing.assert_array_equal(featurizer.transform(flipped), expected)
    assert writeable and all(writeable), "torch was handed read-only memory"
    assert not frozen.flags.writeable  # the user's array is not touched
