"""conv_part / dense_part: shared parameters, torchvision-style modules, clear errors."""

from pathlib import Path

import pytest
import torch
from torch import nn

from sklearn_fer.nets import (
    AlexNet,
    conv_part,
    dense_part,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "torchvision_alexnet_state_dict.json"


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
