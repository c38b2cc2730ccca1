"""The backbone protocol and the registry of names: what a module must offer, clear errors."""

import pytest
import torch
from torch import nn

from sklearn_fer.nets import (
    BACKBONES,
    AlexNet,
    MiniXception,
    Xception,
    check_backbone,
    conv_layers,
    head_has_dropout,
    make_backbone,
    min_image_size,
)


class OnlyConvPart(nn.Module):
    def conv_part(self):
        return nn.Identity()


class ConvPartNotAModule(nn.Module):
    def conv_part(self):
        return 3

    def dense_part(self):
        return nn.Identity()


class TorchvisionStyle(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU()
        )
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.classifier = nn.Linear(32, 1)


def test_a_module_missing_a_part_is_told_what_is_missing():
    with pytest.raises(TypeError, match="lacks a dense_part\\(\\) method") as error:
        check_backbone(OnlyConvPart())
    assert "conv_part" not in str(error.value).split("lacks")[1].split("(or")[0]
    with pytest.raises(TypeError, match="lacks a conv_part\\(\\) method .* and a dense_part"):
        check_backbone(nn.Linear(3, 1))
    with pytest.raises(TypeError, match="must be a torch.nn.Module, got str"):
        check_backbone("alexnet")
    with pytest.raises(TypeError, match="conv_part\\(\\) must return a torch.nn.Module, got int"):
        check_backbone(ConvPartNotAModule())


def test_torchvision_style_modules_follow_the_protocol():
    module = TorchvisionStyle()
    assert check_backbone(module) is module
    layers = conv_layers(module)
    assert list(layers) == ["conv1", "conv2"]
    assert layers["conv1"] is module.features[1] and layers["conv2"] is module.features[4]
    assert min_image_size(module) == 63  # the default: AlexNet's
    assert not head_has_dropout(module)


def test_a_module_without_named_layers_says_how_to_add_them():
    class Plain(nn.Module):
        def conv_part(self):
            return nn.Identity()

        def dense_part(self):
            return nn.Identity()

    with pytest.raises(TypeError, match="names no conv layers: give it a conv_layers"):
        conv_layers(Plain())


def test_min_image_size_of_each_backbone():
    assert min_image_size(AlexNet(hidden_units=8)) == 63
    assert min_image_size(Xception()) == 71
    assert min_image_size(MiniXception()) == 1  # resized to 64 px by its input stage
    broken = AlexNet(hidden_units=8)
    broken.min_image_size = "64"
    with pytest.raises(TypeError, match="min_image_size must be a positive int"):
        min_image_size(broken)


def test_registry_builds_each_builtin_by_name():
    assert {"alexnet", "xception", "mini_xception"} <= set(BACKBONES)
    assert isinstance(make_backbone("alexnet", hidden_units=8), AlexNet)
    assert make_backbone("mini_xception", n_outputs=3).classifier.conv.out_channels == 3
    x = torch.zeros(1, 71, 71, 3, dtype=torch.uint8)
    assert make_backbone("xception", n_outputs=2).eval()(x).shape == (1, 2)


def test_unknown_name_lists_the_registered_ones_and_suggests():
    with pytest.raises(ValueError, match="unknown backbone 'xceptoin'.*Did you mean 'xception'"):
        make_backbone("xceptoin")
    with pytest.raises(ValueError, match="'alexnet'"):
        make_backbone("resnet50")


def test_a_registered_factory_must_build_a_module(monkeypatch):
    monkeypatch.setitem(BACKBONES, "broken", lambda: "not a module")
    with pytest.raises(TypeError, match="built a str, not a torch.nn.Module"):
        make_backbone("broken")
