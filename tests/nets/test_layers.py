"""The Keras-exact layers, against direct numpy implementations of Keras' definitions."""

import math

import numpy as np
import pytest
import torch

from sklearn_fer.nets import SameMaxPool2d, SeparableConv2d, SquareMap


def keras_same_max_pool(x, k=3, s=2):
    """TensorFlow's "same" pooling, written from its documented rule (pad bottom/right)."""
    n, c, h, w = x.shape
    out_h, out_w = math.ceil(h / s), math.ceil(w / s)
    pad_h = max((out_h - 1) * s + k - h, 0)
    pad_w = max((out_w - 1) * s + k - w, 0)
    top, left = pad_h // 2, pad_w // 2
    padded = np.full((n, c, h + pad_h, w + pad_w), -np.inf)
    padded[:, :, top : top + h, left : left + w] = x
    out = np.empty((n, c, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = padded[:, :, i * s : i * s + k, j * s : j * s + k].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("size", [(4, 4), (5, 5), (15, 8), (60, 61), (1, 1)])
def test_same_max_pool_matches_keras_rule(size):
    x = np.random.default_rng(0).normal(size=(2, 3, *size))
    got = SameMaxPool2d(3, 2)(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(got, keras_same_max_pool(x))


def test_torch_symmetric_padding_would_differ_on_even_maps():
    # Why SameMaxPool2d exists: torch's padding=1 shifts the windows on even inputs.
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    torch_pool = torch.nn.MaxPool2d(3, 2, padding=1)(x)
    assert not torch.equal(torch_pool, SameMaxPool2d(3, 2)(x))


def test_separable_conv_is_depthwise_then_pointwise():
    rng = np.random.default_rng(1)
    conv = SeparableConv2d(3, 5)
    depthwise = rng.normal(size=(3, 1, 3, 3)).astype(np.float32)
    pointwise = rng.normal(size=(5, 3, 1, 1)).astype(np.float32)
    conv.depthwise.weight.data = torch.from_numpy(depthwise)
    conv.pointwise.weight.data = torch.from_numpy(pointwise)
    x = rng.normal(size=(1, 3, 6, 7)).astype(np.float32)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    per_channel = np.zeros((3, 6, 7))
    for c in range(3):
        for i in range(6):
            for j in range(7):
                per_channel[c, i, j] = (padded[0, c, i : i + 3, j : j + 3] * depthwise[c, 0]).sum()
    expected = np.einsum("oc,chw->ohw", pointwise[:, :, 0, 0], per_channel)
    got = conv(torch.from_numpy(x)).detach().numpy()[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert conv.depthwise.bias is None and conv.pointwise.bias is None


def test_square_map_restores_the_map_and_rejects_other_widths():
    x = torch.arange(2 * 8 * 9, dtype=torch.float32).reshape(2, 72)
    torch.testing.assert_close(SquareMap(8)(x), x.reshape(2, 8, 3, 3))
    assert SquareMap(8, 3).in_features == 72 and SquareMap(8).in_features is None
    with pytest.raises(ValueError, match="8-channel square map"):
        SquareMap(8)(torch.zeros(2, 70))
    with pytest.raises(ValueError, match="8-channel square map"):
        SquareMap(8, 4)(x)
