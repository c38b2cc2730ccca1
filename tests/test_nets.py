import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_fer.nets import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    MIN_IMAGE_SIZE,
    AlexNet,
    ImageInput,
    conv_part,
    dense_part,
)

FIXTURE = Path(__file__).parent / "fixtures" / "torchvision_alexnet_state_dict.json"


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


def test_input_stage_normalises_uint8_channels_last():
    image = torch.zeros(1, 64, 64, 3, dtype=torch.uint8)
    image[..., 0] = 255  # pure red
    out = ImageInput()(image)
    assert out.shape == (1, 3, 64, 64)
    expected = [(1.0 - IMAGENET_MEAN[0]) / IMAGENET_STD[0]] + [
        (0.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c] for c in (1, 2)
    ]
    np.testing.assert_allclose(out[0, :, 10, 10].numpy(), expected, rtol=1e-6)


def test_input_stage_gives_same_result_for_all_accepted_layouts():
    rng = np.random.default_rng(0)
    nhwc = torch.from_numpy(rng.integers(0, 256, (2, 64, 64, 3), dtype=np.uint8))
    stage = ImageInput()
    reference = stage(nhwc)
    torch.testing.assert_close(stage(nhwc.permute(0, 3, 1, 2).contiguous()), reference)
    torch.testing.assert_close(stage(nhwc.float() / 255), reference)
    torch.testing.assert_close(stage((nhwc.float() / 255).permute(0, 3, 1, 2)), reference)


def test_input_stage_buffers_stay_out_of_the_state_dict():
    assert not any(name.startswith("input.") for name in AlexNet().state_dict())


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (torch.zeros(2, 64, 64), ValueError, "4-D"),
        (torch.zeros(2, 64, 64, 4), ValueError, "3 colour channels"),
        (torch.zeros(2, 64, 64, 3, dtype=torch.int32), TypeError, "uint8 or floating"),
    ],
)
def test_input_stage_rejects_bad_batches(bad, error, match):
    with pytest.raises(error, match=match):
        ImageInput()(bad)


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


def test_split_parts_share_parameters_and_compose_to_the_whole_net():
    net = AlexNet(hidden_units=16).eval()
    x = torch.randint(0, 256, (3, 64, 64, 3), dtype=torch.uint8)
    conv, dense = conv_part(net), dense_part(net)
    torch.testing.assert_close(dense(conv(x)), net(x))
    assert conv[1][0].weight is net.features[0].weight
    assert dense[1].weight is net.classifier[1].weight


def test_torchvision_style_module_splits_by_attribute():
    class Backbone(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Conv2d(3, 4, 3)
            self.avgpool = nn.AdaptiveAvgPool2d(2)
            self.classifier = nn.Linear(16, 1)

    module = Backbone()
    assert conv_part(module)(torch.zeros(1, 3, 8, 8)).shape == (1, 16)
    assert dense_part(module) is module.classifier


def test_unsplittable_module_gets_a_clear_error():
    with pytest.raises(TypeError, match="cannot split Linear"):
        conv_part(nn.Linear(3, 1))
