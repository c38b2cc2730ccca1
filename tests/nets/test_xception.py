"""Xception: Chollet's architecture with Keras' layer names and weight count."""

import pytest
import torch
from torch import nn

from sklearn_fer.nets import Xception, conv_layers, conv_part, dense_part, head_has_dropout
from sklearn_fer.nets._layers import keras_weight_count


@pytest.fixture(scope="module")
def xception():
    return Xception(n_outputs=3).eval()


def test_weight_count_is_keras_xception_without_top(xception):
    # keras.applications.Xception(include_top=False).count_params() == 20,861,480
    assert keras_weight_count(conv_part(xception)) == 20_861_480


def test_flows_have_keras_block_names_and_widths(xception):
    names = [name for name, _ in xception.features.named_children()]
    assert names == [f"block{k}" for k in range(1, 15)]
    assert xception.features.block1.conv1.stride == (2, 2)
    assert xception.features.block4.sepconv2.pointwise.out_channels == 728
    assert xception.features.block13.residual.out_channels == 1024
    assert xception.features.block14.sepconv2.pointwise.out_channels == 2048
    state = xception.state_dict()
    assert "features.block2.sepconv1.depthwise.weight" in state
    assert "features.block12.sepconv3_bn.running_var" in state
    assert all(m.eps == 1e-3 for m in xception.modules() if isinstance(m, nn.BatchNorm2d))


@pytest.mark.parametrize("size", [71, 96])
def test_any_size_from_71_px_gives_2048_features(xception, size):
    with torch.no_grad():
        features = conv_part(xception)(torch.zeros(2, size, size, 3, dtype=torch.uint8))
    assert features.shape == (2, 2048)


def test_split_parts_compose_to_the_whole_net(xception):
    x = torch.randint(0, 256, (2, 71, 71, 3), dtype=torch.uint8)
    with torch.no_grad():
        torch.testing.assert_close(dense_part(xception)(conv_part(xception)(x)), xception(x))
    assert dense_part(xception)[-1].weight is xception.classifier[-1].weight


def test_middle_flow_blocks_are_residual(xception):
    block = xception.features.block7
    x = torch.randn(1, 728, 5, 5)
    for name in ("sepconv1_bn", "sepconv2_bn", "sepconv3_bn"):
        nn.init.zeros_(getattr(block, name).weight)
        nn.init.zeros_(getattr(block, name).bias)
    with torch.no_grad():
        torch.testing.assert_close(block(x), x)  # zeroed branch: the shortcut alone


def test_named_conv_layers_are_the_blocks(xception):
    layers = conv_layers(xception)
    assert list(layers) == [f"block{k}" for k in range(1, 15)]
    assert layers["block5"] is xception.features.block5


def test_dropout_only_when_asked():
    assert head_has_dropout(Xception())
    assert not head_has_dropout(Xception(dropout=0.0))
    assert isinstance(Xception(dropout=0.2).classifier[0], nn.Dropout)


@pytest.mark.parametrize("params", [{"n_outputs": 0}, {"dropout": 1.0}])
def test_bad_settings_are_rejected(params):
    with pytest.raises(ValueError):
        Xception(**params)
