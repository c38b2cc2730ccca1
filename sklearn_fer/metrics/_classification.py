"""Metrics for categorical expressions, and their scorers for ``scoring=``.

Accuracy is what Nasri et al. (2020) report; balanced accuracy, macro-F1 and Cohen's kappa
are what AffectNet's classes call for (Mollahosseini et al. 2017 report F1 and kappa):
with happiness and neutral making up most images, a classifier that never says contempt
still scores a high accuracy, while balanced accuracy (mean recall over classes) and
macro-F1 weigh every expression alike, and kappa discounts the agreement expected by
chance. All four are scikit-learn's own functions with the defaults this package needs;
nothing is recomputed here.

Each metric takes ``(y_true, y_pred)``: 1-D arrays of class labels (AffectNet's integer
codes, strings, anything scikit-learn accepts) of the same length.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    f1_score,
    make_scorer,
)

__all__ = [
    "CLASSIFICATION_SCORERS",
    "accuracy",
    "accuracy_scorer",
    "balanced_accuracy",
    "balanced_accuracy_scorer",
    "classification_scores",
    "cohen_kappa",
    "cohen_kappa_scorer",
    "macro_f1",
    "macro_f1_scorer",
]


def _check(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1 or len(y_true) != len(y_pred):
        raise ValueError(
            "y_true and y_pred must be 1-D arrays of class labels of the same length; got "
            f"shapes {y_true.shape} and {y_pred.shape}."
        )
    if len(y_true) == 0:
        raise ValueError("y_true is empty: at least one sample is required.")
    return y_true, y_pred


def accuracy(y_true, y_pred, *, sample_weight=None):
    """The share of samples whose predicted class is the true one.

    :func:`sklearn.metrics.accuracy_score`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Class labels.
    sample_weight : array-like of shape (n,) or None, default=None

    Returns
    -------
    float

    Examples
    --------
    >>> accuracy([0, 1, 1, 3], [0, 1, 2, 3])
    0.75
    """
    y_true, y_pred = _check(y_true, y_pred)
    return float(accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def balanced_accuracy(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """Mean recall over the classes present in ``y_true``: every expression counts alike.

    :func:`sklearn.metrics.balanced_accuracy_score`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Class labels.
    sample_weight : array-like of shape (n,) or None, default=None
    adjusted : bool, default=False
        Rescale so that chance scores 0 and perfect 1.

    Returns
    -------
    float

    Examples
    --------
    >>> # Always "happiness" (1): accuracy 0.75, but only one class of two recalled.
    >>> balanced_accuracy([1, 1, 1, 7], [1, 1, 1, 1])
    0.5
    """
    y_true, y_pred = _check(y_true, y_pred)
    score = balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight, adjusted=adjusted)
    return float(score)


def macro_f1(y_true, y_pred, *, labels=None, zero_division=0.0):
    """Unweighted mean of the per-class F1 scores.

    :func:`sklearn.metrics.f1_score` with ``average="macro"``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Class labels.
    labels : array-like or None, default=None
        The classes to average over; None takes those in ``y_true`` or ``y_pred``. Give
        all the expressions (``range(8)``) to count one that a fold never shows or
        predicts as F1 = ``zero_division``.
    zero_division : float, default=0.0
        The F1 of a class with no true and no predicted sample (ill-defined), without
        scikit-learn's warning: small per-subject folds often lack a class.

    Returns
    -------
    float

    Examples
    --------
    >>> round(macro_f1([0, 0, 1, 1], [0, 0, 0, 1]), 3)
    0.733
    """
    y_true, y_pred = _check(y_true, y_pred)
    score = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=zero_division)
    return float(score)


def cohen_kappa(y_true, y_pred, *, labels=None, weights=None):
    """Cohen's kappa: agreement between prediction and truth beyond chance.

    :func:`sklearn.metrics.cohen_kappa_score`: 1 for perfect agreement, 0 for the
    agreement expected by chance from the two label distributions, negative for worse.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Class labels.
    labels : array-like or None, default=None
        The classes of the confusion matrix; None takes those in ``y_true`` or ``y_pred``.
    weights : {None, "linear", "quadratic"}, default=None
        None for nominal classes (expressions); the weighted forms suit ordered ones.

    Returns
    -------
    float
        NaN when the agreement expected by chance is total (one and the same class in
        ``y_true`` and ``y_pred``): kappa is undefined there.

    References
    ----------
    Cohen (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement 20.

    Examples
    --------
    >>> round(cohen_kappa([0, 0, 1, 1], [0, 0, 0, 1]), 3)
    0.5
    """
    y_true, y_pred = _check(y_true, y_pred)
    if np.unique(np.concatenate([y_true, y_pred])).size == 1:
        return float("nan")
    return float(cohen_kappa_score(y_true, y_pred, labels=labels, weights=weights))


def classification_scores(y_true, y_pred, *, labels=None):
    """All four expression metrics at once, as a dict.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Class labels.
    labels : array-like or None, default=None
        Passed to :func:`macro_f1` and :func:`cohen_kappa`.

    Returns
    -------
    dict
        ``accuracy``, ``balanced_accuracy``, ``macro_f1`` and ``cohen_kappa``.

    Examples
    --------
    >>> scores = classification_scores([0, 1, 2, 2], [0, 1, 2, 1])
    >>> {name: round(value, 3) for name, value in scores.items()}
    {'accuracy': 0.75, 'balanced_accuracy': 0.833, 'macro_f1': 0.778, 'cohen_kappa': 0.636}
    """
    return {
        "accuracy": accuracy(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy(y_true, y_pred),
        "macro_f1": macro_f1(y_true, y_pred, labels=labels),
        "cohen_kappa": cohen_kappa(y_true, y_pred, labels=labels),
    }


#: Scorers for ``scoring=`` in ``cross_validate``, ``GridSearchCV``... (all maximised).
accuracy_scorer = make_scorer(accuracy)
balanced_accuracy_scorer = make_scorer(balanced_accuracy)
macro_f1_scorer = make_scorer(macro_f1)
cohen_kappa_scorer = make_scorer(cohen_kappa)

#: ``scoring=CLASSIFICATION_SCORERS`` evaluates all four at once.
CLASSIFICATION_SCORERS = {
    "accuracy": accuracy_scorer,
    "balanced_accuracy": balanced_accuracy_scorer,
    "macro_f1": macro_f1_scorer,
    "cohen_kappa": cohen_kappa_scorer,
}
