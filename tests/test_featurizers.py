import numpy as np
import pytest
import torch
from joblib import Memory
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from torch import nn
from torch.utils.data import TensorDataset

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.nets import ImageInput, conv_part, make_backbone, min_image_size


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


@pytest.mark.parametrize(
    "batch_size, error, match",
    [
        (0, ValueError, r"'batch_size' .* \[1, inf\)\. Got 0 instead"),
        (-1, ValueError, r"'batch_size' .* \[1, inf\)\. Got -1 instead"),
        (2.5, TypeError, r"'batch_size' .* an int .* Got 2.5 instead"),
        ("64", TypeError, r"'batch_size' .* an int .* Got '64' instead"),
        (True, TypeError, r"'batch_size' .* an int \(not a bool\) .* Got True instead"),
    ],
)
def test_bad_batch_size_is_rejected(tiny_pretrained, batch_size, error, match):
    with pytest.raises(error, match=match):
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
    assert set(featurizer.get_params(deep=True)) == {
        "pretrained",
        "layer",
        "pooling",
        "batch_size",
        "device",
    }


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


# -- layer choice and pooling ------------------------------------------------------------


def _alexnet_maps(module, images, upto):
    """Maps after features[upto] (a ReLU), computed by hand from the pre-trained net."""
    with torch.no_grad():
        x = module.input(torch.from_numpy(images))
        for index in range(upto + 1):
            x = module.features[index](x)
    return x.numpy()


@pytest.mark.parametrize("layer, index", [("conv1", 1), ("conv3", 7), ("conv5", 11)])
def test_a_named_layer_gives_its_relu_maps(tiny_pretrained, images, layer, index):
    maps = _alexnet_maps(tiny_pretrained.module_.eval(), images, index)
    featurizer = FrozenConvFeaturizer(tiny_pretrained, layer=layer).fit(images)
    np.testing.assert_allclose(featurizer.transform(images), maps.reshape(len(images), -1))
    assert featurizer.feature_map_shape_ == maps.shape[1:]
    mean = FrozenConvFeaturizer(tiny_pretrained, layer=layer, pooling="mean").fit(images)
    np.testing.assert_allclose(mean.transform(images), maps.mean(axis=(2, 3)), rtol=1e-5)
    top = FrozenConvFeaturizer(tiny_pretrained, layer=layer, pooling="max").fit(images)
    np.testing.assert_array_equal(top.transform(images), maps.max(axis=(2, 3)))


def test_the_pass_stops_at_the_chosen_layer(tiny_pretrained, images):
    featurizer = FrozenConvFeaturizer(tiny_pretrained, layer="conv2").fit(images)
    ran = []
    for name, module in featurizer.conv_.named_modules():
        module.register_forward_hook(lambda m, i, o, name=name: ran.append(name))
    featurizer.transform(images)
    assert "1.4" in ran  # conv2's ReLU
    assert "1.6" not in ran and "2" not in ran  # conv3 and the pooling never ran


def test_pooling_the_whole_frozen_part_and_its_names(tiny_pretrained, images):
    flat = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images).reshape(-1, 256, 36)
    mean = FrozenConvFeaturizer(tiny_pretrained, pooling="mean").fit(images)
    np.testing.assert_allclose(mean.transform(images), flat.mean(axis=2), rtol=1e-5, atol=1e-6)
    assert mean.get_feature_names_out()[[0, -1]].tolist() == ["ch0", "ch255"]


def test_named_layer_feature_names_say_map_row_and_column(tiny_pretrained, images):
    featurizer = FrozenConvFeaturizer(tiny_pretrained, layer="conv5").fit(images)
    names = featurizer.get_feature_names_out()
    channels, height, width = featurizer.feature_map_shape_
    assert len(names) == featurizer.n_features_out_ == channels * height * width
    assert names[0] == "conv5_map000_r0c0"
    assert names[width + 1] == "conv5_map000_r1c1"
    assert names[height * width * 17 + 2 * width + 1] == "conv5_map017_r2c1"
    pooled = FrozenConvFeaturizer(tiny_pretrained, layer="conv5", pooling="max").fit(images)
    assert pooled.get_feature_names_out()[[0, 17]].tolist() == ["conv5_map000", "conv5_map017"]


def test_unknown_layer_lists_the_valid_ones(tiny_pretrained):
    with pytest.raises(ValueError, match="unknown layer 'conv6'.*'conv1', .*'conv5'"):
        FrozenConvFeaturizer(tiny_pretrained, layer="conv6").fit()


@pytest.mark.parametrize("pooling", ["avg", None, "MEAN"])
def test_unknown_pooling_is_rejected(tiny_pretrained, pooling):
    with pytest.raises(ValueError, match=r"'pooling' .* must be a str among \{.*'flatten'.*\}"):
        FrozenConvFeaturizer(tiny_pretrained, pooling=pooling).fit()


def test_flattened_layer_refuses_images_of_another_size(tiny_pretrained, images):
    featurizer = FrozenConvFeaturizer(tiny_pretrained, layer="conv1").fit(images)
    bigger = np.zeros((2, 100, 100, 3), np.uint8)
    with pytest.raises(ValueError, match="fit it on images of this size"):
        featurizer.transform(bigger)
    # One value per map does not depend on the size.
    pooled = FrozenConvFeaturizer(tiny_pretrained, layer="conv1", pooling="mean").fit(images)
    assert pooled.transform(bigger).shape == (2, 64)


def test_pooling_needs_maps_from_a_module_that_does_not_flatten():
    class NoFlatten(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)

        def forward(self, x):
            return self.conv(x)

        def conv_part(self):
            return nn.Sequential(ImageInput(), self.conv, nn.AdaptiveAvgPool2d(1), Squeeze())

        def dense_part(self):
            return nn.Identity()

    class Squeeze(nn.Module):
        def forward(self, x):
            return x.flatten(1)

    with pytest.raises(ValueError, match="does not end in a Flatten: choose a layer"):
        FrozenConvFeaturizer(NoFlatten(), pooling="mean").fit()
    with pytest.raises(TypeError, match="names no conv layers"):
        FrozenConvFeaturizer(NoFlatten(), layer="conv").fit()


def test_a_module_not_following_the_protocol_gets_a_type_error():
    with pytest.raises(TypeError, match="does not follow the backbone protocol"):
        FrozenConvFeaturizer(nn.Linear(3, 1)).fit()


@pytest.mark.parametrize(
    "backbone, layer, size, width",
    [
        ("xception", None, 71, 2048),
        ("xception", "block4", 71, 728),
        ("mini_xception", None, 48, 2048),
        ("mini_xception", "module2", 48, 32),
    ],
)
def test_every_builtin_backbone_featurizes(backbone, layer, size, width):
    net = make_backbone(backbone).eval()
    images = np.random.default_rng(0).integers(0, 256, (2, size, size, 3), dtype=np.uint8)
    pooling = "flatten" if layer is None else "mean"
    featurizer = FrozenConvFeaturizer(net, layer=layer, pooling=pooling).fit(images)
    assert featurizer.transform(images).shape == (2, width)
    assert featurizer.min_image_size_ == min_image_size(net)


def test_images_below_the_backbones_minimum_are_rejected():
    featurizer = FrozenConvFeaturizer(make_backbone("xception").eval()).fit()
    with pytest.raises(ValueError, match="at least 71x71"):
        featurizer.transform(np.zeros((1, 64, 64, 3), np.uint8))
