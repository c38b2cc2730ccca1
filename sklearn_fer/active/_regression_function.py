"""The regression function a strategy queries: fitted, or in its pre-trained state.

GSy, iGS and MCDUE need ``f`` before any personal label exists (the paper's "pre-trained
regression function", Section 3.4): a fitted estimator is used as it is, an unfitted
:class:`~sklearn_fer.DenseHeadRegressor` (or :class:`~sklearn_fer.DenseHeadClassifier`)
through a clone after ``initialize()``. For a classifier, ``f`` is its class
probabilities.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _pretrained_or_fitted(estimator, purpose):
    """The estimator itself when fitted, else a clone in its pre-trained state."""
    if estimator is None:
        raise ValueError(
            f"{purpose} needs a regression function: call the strategy with an estimator or "
            "a modAL learner, not None."
        )
    if _is_fitted(estimator):
        return estimator
    if hasattr(estimator, "initialize"):
        # DenseHeadRegressor.initialize() gives the pre-trained net (Transfer 0%).
        return clone(estimator).initialize()
    raise ValueError(
        f"{purpose} needs a usable regression function, but this "
        f"{type(estimator).__name__} is not fitted and has no initialize() that would give "
        "it a pre-trained state; fit it first or use DenseHeadRegressor."
    )


def _outputs(estimator, X, purpose):
    estimator = _pretrained_or_fitted(estimator, purpose)
    # A classifier's output space is its class probabilities, not its labels.
    predict = estimator.predict_proba if is_classifier(estimator) else estimator.predict
    prediction = np.asarray(predict(X))
    prediction = prediction.reshape(len(prediction), -1).astype(np.float64)
    if not np.isfinite(prediction).all():
        raise ValueError(f"{purpose}: the regression function returned NaN or infinity.")
    return prediction


# -- greedy sampling --------------------------------------------------------------------


def _torch_module(estimator, purpose):
    estimator = _pretrained_or_fitted(estimator, purpose)
    module = getattr(estimator, "module_", None)
    if not isinstance(module, torch.nn.Module):
        raise ValueError(
            f"{purpose} needs a torch network: {type(estimator).__name__} has no fitted "
            "module_ (use AlexNetRegressor or DenseHeadRegressor)."
        )
    return estimator, module
