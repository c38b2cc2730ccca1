"""Metrics for valence and arousal regression, and their scorers for ``scoring=``.

RMSE is the paper's metric (Rescigno et al. 2020, Section 4). CCC, PCC and SAGR are the
other usual ones in dimensional emotion recognition (Table 1 of the paper lists CCC; the
AVEC and Aff-Wild challenges report all four): RMSE says how far predictions are, CCC how
well they agree in scale and location as well as correlation, PCC correlation alone, and
SAGR whether the sign (positive or negative valence, high or low arousal) is right.

Each metric takes ``(y_true, y_pred)`` of shape ``(n,)`` or ``(n, k)``; for several
targets ``multioutput="uniform_average"`` (default) averages them, ``"raw_values"``
returns one value per target.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import make_scorer, root_mean_squared_error

__all__ = [
    "ccc",
    "ccc_scorer",
    "pcc",
    "pcc_scorer",
    "rmse",
    "rmse_scorer",
    "sagr",
    "sagr_scorer",
    "SCORERS",
]

_MULTIOUTPUT = ("uniform_average", "raw_values")


def _columns(y_true, y_pred, multioutput):
    if multioutput not in _MULTIOUTPUT:
        raise ValueError(f"multioutput must be one of {_MULTIOUTPUT}, got {multioutput!r}.")
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_true.ndim != 2 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape (n,) or (n, k); got "
            f"{np.shape(y_true)} and {np.shape(y_pred)}."
        )
    if len(y_true) == 0:
        raise ValueError("y_true is empty: at least one sample is required.")
    if not (np.isfinite(y_true).all() and np.isfinite(y_pred).all()):
        raise ValueError("y_true and y_pred must not contain NaN or infinity.")
    return y_true, y_pred


def _finish(values, multioutput):
    return values if multioutput == "raw_values" else float(np.mean(values))


def rmse(y_true, y_pred, *, multioutput="uniform_average"):
    """Root mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> rmse([0.0, 0.5], [0.0, -0.5])
    0.7071067811865476
    """
    y_true, y_pred = _columns(y_true, y_pred, multioutput)
    return _finish(root_mean_squared_error(y_true, y_pred, multioutput="raw_values"), multioutput)


def ccc(y_true, y_pred, *, multioutput="uniform_average"):
    """Lin's concordance correlation coefficient.

    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))^2)``, with population (ddof=0)
    moments: 1 for perfect agreement, 0 for none, negative for disagreement. Unlike the
    Pearson correlation it penalises predictions that are shifted or scaled. Defined as 0
    when both variances and the mean difference are 0 except when the two are identical
    (then 1).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    References
    ----------
    Lin (1989). A concordance correlation coefficient to evaluate reproducibility.
    Biometrics 45.

    Examples
    --------
    >>> ccc([0.1, 0.5, 0.9], [0.1, 0.5, 0.9])
    1.0
    >>> round(ccc([0.1, 0.5, 0.9], [0.3, 0.7, 1.1]), 3)
    0.842
    """
    y_true, y_pred = _columns(y_true, y_pred, multioutput)
    mean_t, mean_p = y_true.mean(axis=0), y_pred.mean(axis=0)
    var_t, var_p = y_true.var(axis=0), y_pred.var(axis=0)
    cov = ((y_true - mean_t) * (y_pred - mean_p)).mean(axis=0)
    denominator = var_t + var_p + (mean_t - mean_p) ** 2
    identical = np.all(y_true == y_pred, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(denominator > 0, 2 * cov / denominator, np.where(identical, 1.0, 0.0))
    return _finish(values, multioutput)


def pcc(y_true, y_pred, *, multioutput="uniform_average"):
    """Pearson correlation coefficient; NaN where either side is constant.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> round(pcc([0.1, 0.5, 0.9], [0.3, 0.7, 1.1]), 6)
    1.0
    """
    y_true, y_pred = _columns(y_true, y_pred, multioutput)
    values = np.full(y_true.shape[1], np.nan)
    for k in range(y_true.shape[1]):
        t, p = y_true[:, k], y_pred[:, k]
        # scipy warns and returns NaN for a constant side; so do we, quietly.
        if len(t) > 1 and np.ptp(t) > 0 and np.ptp(p) > 0:
            values[k] = pearsonr(t, p).statistic
    return _finish(values, multioutput)


def sagr(y_true, y_pred, *, multioutput="uniform_average"):
    """Sign agreement rate: the share of samples whose prediction has the label's sign.

    Zero counts as its own sign.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> sagr([0.5, -0.2, 0.3, -0.9], [0.1, 0.4, 0.2, -0.1])
    0.75
    """
    y_true, y_pred = _columns(y_true, y_pred, multioutput)
    return _finish(np.mean(np.sign(y_true) == np.sign(y_pred), axis=0), multioutput)


#: Scorers for ``scoring=`` in ``cross_validate``, ``GridSearchCV``... (RMSE negated,
#: since scorers are maximised).
rmse_scorer = make_scorer(rmse, greater_is_better=False)
ccc_scorer = make_scorer(ccc)
pcc_scorer = make_scorer(pcc)
sagr_scorer = make_scorer(sagr)

#: ``scoring=SCORERS`` evaluates all four at once.
SCORERS = {"rmse": rmse_scorer, "ccc": ccc_scorer, "pcc": pcc_scorer, "sagr": sagr_scorer}
