"""Result rows: the tidy columns every protocol returns, and the metrics of one unit.

One row per subject x fold x target x condition or sampler x fraction, with the error
measures of Rescigno et al. (2020, Section 4: RMSE) and the agreement measures common in
affect recognition (CCC, PCC, SAGR), so that pandas' ``groupby`` gives any table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..metrics import ccc, pcc, rmse, sagr

RESULT_COLUMNS = [
    "subject",
    "fold",
    "target",
    "study",
    "condition",
    "sampler",
    "fraction",
    "n_train",
    "rmse",
    "ccc",
    "pcc",
    "sagr",
    "fit_seconds",
]
METRICS = {"rmse": rmse, "ccc": ccc, "pcc": pcc, "sagr": sagr}


def check_results(results, required, *, name="results"):
    """Return ``results`` once it is a DataFrame holding the ``required`` columns.

    Raises
    ------
    TypeError
        Not a DataFrame.
    ValueError
        A required column is missing (the message names it).

    Examples
    --------
    >>> check_results(pd.DataFrame({"subject": [1]}), ["subject", "rmse"])
    Traceback (most recent call last):
    ...
    ValueError: results lacks the column(s) rmse (it has subject); result rows ...
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame of result rows (as evaluate_transfer and "
            f"sampling_curve return), got {type(results).__name__}."
        )
    missing = [column for column in required if column not in results.columns]
    if missing:
        present = ", ".join(map(str, results.columns)) or "no columns"
        raise ValueError(
            f"{name} lacks the column(s) {', '.join(map(str, missing))} (it has {present}); "
            f"result rows have {', '.join(RESULT_COLUMNS)}."
        )
    return results


def score_rows(y_true, y_pred, columns, target_names):
    """One dict of metrics per target column: ``{"target": name, "rmse": ..., ...}``."""
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_true), -1)
    rows = []
    for j, column in enumerate(columns):
        truth, prediction = y_true[:, column], y_pred[:, j]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant folds: CCC/PCC NaN
            values = {name: float(metric(truth, prediction)) for name, metric in METRICS.items()}
        rows.append({"target": target_names[column], **values})
    return rows


def result_rows(unit, y_test, prediction, **fields):
    """The result rows of one prediction in a unit: its identity, ``fields``, its scores.

    What a :class:`~sklearn_fer.evaluation.SubjectProtocol`'s worker returns, one row per
    target column of the unit's task.

    Parameters
    ----------
    unit : dict
        The unit (its ``subject``, ``fold``, ``columns`` and ``target_names`` are used).
    y_test : ndarray of shape (n_test, n_targets)
        All target columns of the test rows (``unit["y"][unit["test"]]``).
    prediction : array-like of shape (n_test,) or (n_test, n_task_columns)
        Predictions for the task's columns.
    **fields
        The other columns of ``RESULT_COLUMNS``: ``study``, ``condition``, ``sampler``,
        ``fraction``, ``n_train``, ``fit_seconds``.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import numpy as np
    >>> unit = {"subject": 1, "fold": 0, "columns": [0], "target_names": ["valence"]}
    >>> rows = result_rows(unit, np.array([[0.0], [1.0]]), [0.0, 0.5], study="demo",
    ...                    condition="c", sampler="none", fraction=1.0, n_train=8,
    ...                    fit_seconds=0.1)
    >>> rows[0]["target"], round(rows[0]["rmse"], 3)
    ('valence', 0.354)
    """
    return [
        {"subject": unit["subject"], "fold": unit["fold"], **fields, **row}
        for row in score_rows(y_test, prediction, unit["columns"], unit["target_names"])
    ]


#: The order of result rows within a subject (the columns of these a protocol has).
ROW_ORDER = ("fold", "target", "condition", "sampler", "fraction")


def to_frame(rows, subjects_order, columns=None, order=ROW_ORDER):
    """Rows as a DataFrame of ``columns`` (default ``RESULT_COLUMNS``), in a fixed order
    whatever ran first: subjects as first seen, then the columns of ``order``."""
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS if columns is None else list(columns))
    if frame.empty:
        return frame
    rank = {subject: i for i, subject in enumerate(subjects_order)}
    # cached rows come back from CSV, where subjects may have become strings
    frame["_rank"] = frame["subject"].map(lambda s: rank.get(s, rank.get(str(s), 0)))
    frame = frame.sort_values(["_rank", *(c for c in order if c in frame.columns)], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)
