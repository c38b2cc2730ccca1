"""What the estimators built on a frozen pre-trained net have in common.

``FrozenConvFeaturizer`` and ``DenseHeadRegressor`` take a fitted network as their
``pretrained`` parameter. scikit-learn's ``clone`` would replace it by an *unfitted* copy
(it clones every estimator-valued parameter), silently throwing the pre-training away inside
``cross_val_score``, ``GridSearchCV`` or ``Pipeline``. Like ``sklearn.frozen.FrozenEstimator``,
these estimators therefore share ``pretrained`` between clones and hide its parameters from
``get_params(deep=True)``: they only ever read it, never fit or modify it.
"""

from __future__ import annotations

import copy

import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = ["clone_sharing_pretrained", "pretrained_module", "shallow_params"]


def pretrained_module(pretrained, owner):
    """Return the torch module of a fitted net given as ``pretrained``.

    Accepts a fitted (or initialised) skorch net such as ``AlexNetRegressor``, a
    ``sklearn.frozen.FrozenEstimator`` around one, or a plain ``torch.nn.Module`` (for
    instance torchvision's ``alexnet`` with ImageNet weights).
    """
    if isinstance(pretrained, torch.nn.Module):
        return pretrained
    if pretrained is None or not (hasattr(pretrained, "fit") and hasattr(pretrained, "predict")):
        raise TypeError(
            f"{owner} needs pretrained to be a fitted AlexNetRegressor (or another skorch "
            f"net, or a torch.nn.Module), got {type(pretrained).__name__}."
        )
    module = getattr(pretrained, "module_", None)
    if not isinstance(module, torch.nn.Module):
        raise NotFittedError(
            f"{owner} needs a fitted pre-trained net, but this {type(pretrained).__name__} is "
            "not fitted yet: call pretrained.fit(images, y) (or initialize()) first."
        )
    return module


def clone_sharing_pretrained(estimator, shared="pretrained"):
    """``sklearn.base.clone`` that keeps ``pretrained`` by reference instead of re-creating it.

    ``shared`` names the parameter kept by reference (``"source"`` for a PathNet
    personalised from a fitted one).
    """
    params = estimator.get_params(deep=False)
    new_params = {
        name: value if name == shared else clone(value, safe=False)
        for name, value in params.items()
    }
    new = type(estimator)(**new_params)
    for private in ("_metadata_request", "_sklearn_output_config"):
        if hasattr(estimator, private):
            setattr(new, private, copy.deepcopy(getattr(estimator, private)))
    return new


def shallow_params(params, shared="pretrained"):
    """Drop ``pretrained__*`` entries: the frozen net's own parameters are not ours to set."""
    prefix = f"{shared}__"
    return {key: value for key, value in params.items() if not key.startswith(prefix)}
