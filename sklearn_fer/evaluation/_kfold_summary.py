"""Fold means of Nasri et al.'s k-fold protocol, with Student-t confidence intervals."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils._param_validation import validate_params

from .._validation import NumberInterval

#: The scores :func:`summarize_folds` summarises by default.
KFOLD_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "cohen_kappa")

_KEYS = ["training_set", "condition", "test_set"]


def _interval(values, confidence):
    values = np.asarray(values, dtype=float)
    n, mean = len(values), float(np.mean(values))
    if n < 2:
        return mean, np.nan, np.nan, np.nan
    std = float(np.std(values, ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * std / np.sqrt(n)
    return mean, std, mean - half, mean + half


@validate_params(
    {"confidence": [NumberInterval(Real, 0, 1, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def summarize_folds(results, *, metrics=KFOLD_METRICS, confidence=0.95):
    """Mean, standard deviation and confidence interval of each score across folds.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`evaluate_training_sets` (columns ``KFOLD_COLUMNS``).
    metrics : sequence of str, default=KFOLD_METRICS
        Score columns to summarise.
    confidence : float, default=0.95
        Level of the Student-t interval of the mean across folds (each fold one value;
        folds of one set share no image, but the models of different folds share
        training images, so the interval is a rough guide, not an exact test).

    Returns
    -------
    summary : pandas.DataFrame
        One row per training set x condition x test set: ``n_folds``, the test fold's
        ``splitter``, and for each metric ``<metric>_mean``, ``<metric>_std``,
        ``<metric>_ci_low`` and ``<metric>_ci_high`` (NaN with a single fold).

    Raises
    ------
    ValueError
        No rows, a missing column, or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.evaluation import summarize_folds
    >>> rows = pd.DataFrame({"training_set": "lab", "condition": "from_scratch",
    ...                      "test_set": "lab", "splitter": "StratifiedGroupKFold",
    ...                      "fold": [0, 1, 2], "accuracy": [0.5, 0.6, 0.7]})
    >>> summary = summarize_folds(rows, metrics=["accuracy"])
    >>> summary[["n_folds", "accuracy_mean", "accuracy_std"]].round(3).values.tolist()
    [[3.0, 0.6, 0.1]]
    >>> round(float(summary["accuracy_ci_high"].iloc[0]), 3)
    0.848
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = sorted(set(_KEYS + ["splitter", "fold"] + metrics) - set(results.columns))
    if missing:
        raise ValueError(f"results lack the columns {missing}: pass evaluate_training_sets' rows.")
    if len(results) == 0:
        raise ValueError("results holds no rows.")
    rows = []
    for keys, block in results.groupby(_KEYS, sort=False):
        row = dict(zip(_KEYS, keys), n_folds=block["fold"].nunique())
        row["splitter"] = ", ".join(sorted(set(block["splitter"])))
        for metric in metrics:
            mean, std, low, high = _interval(block[metric], confidence)
            row.update(
                {
                    f"{metric}_mean": mean,
                    f"{metric}_std": std,
                    f"{metric}_ci_low": low,
                    f"{metric}_ci_high": high,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)
