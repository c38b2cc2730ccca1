"""AlexNet: torchvision's names and shapes, sizes from 63 px, settings."""

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from sklearn_fer.nets import (
    MIN_IMAGE_SIZE,
    AlexNet,
    conv_part,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "torchvision_alexnet_state_dict.json"


def test_state_dict_matches_torchvision_names_and_shapes():
    expected = json.loads(FIXTURE.read_text())["state_dict"]
    net = AlexNet(n_outputs=1000)
    got = {name: list(tensor.shape) for name, tensor in net.state_dict().items()}
    assert got == expected


def test_torchvision_state_dict_loads_strictly():
    expected = json.loads(FIXTURE.read_text())["state_dict"]
    generator = torch.Generator().manual_seed(0)
    state = {name: torch.randn(shape, generator=generator) for name, shape in expected.items()}
    net = AlexNet(n_outputs=1000)
    net.load_state_dict(state, strict=True)
    assert torch.equal(net.classifier[6].weight, state["classifier.6.weight"])
    assert torch.equal(net.features[10].bias, state["features.10.bias"])


def test_regression_head_differs_only_in_last_layer():
    expected = json.loads(FIXTURE.read_text())["state_dict"]
    got = {name: list(t.shape) for name, t in AlexNet(n_outputs=2).state_dict().items()}
    assert got.pop("classifier.6.weight") == [2, 4096]
    assert got.pop("classifier.6.bias") == [2]
    expected = {k: v for k, v in expected.items() if not k.startswith("classifier.6.")}
    assert got == expected


def test_dropout_layers_have_requested_probability():
    net = AlexNet(dropout=0.3)
    rates = [m.p for m in net.modules() if isinstance(m, nn.Dropout)]
    assert rates == [0.3, 0.3]


@pytest.mark.parametrize("size", [MIN_IMAGE_SIZE, 64, 100, 227])
def test_any_size_from_63_px_gives_9216_features(size):
    features = conv_part(AlexNet())(torch.zeros(2, size, size, 3, dtype=torch.uint8))
    assert features.shape == (2, 256 * 6 * 6)


def test_62_px_is_too_small_for_the_conv_stack():
    with pytest.raises(RuntimeError):
        conv_part(AlexNet())(torch.zeros(1, 62, 62, 3, dtype=torch.uint8))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_outputs": 0}, "n_outputs"),
        ({"hidden_units": 0}, "hidden_units"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_alexnet_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AlexNet(**kwargs)
