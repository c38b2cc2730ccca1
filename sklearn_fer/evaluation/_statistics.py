"""Statistics over results: means across subjects, paired tests, elbows of curves.

The paper averages each subject's mean over folds across subjects (Rescigno et al. 2020,
Section 4) and reports "no significant differences" between samplers without a test;
:func:`compare_samplers` adds the test, :func:`elbow_fraction` the point where a
sampling curve stops falling fast.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.utils._param_validation import validate_params

from .._validation import NumberInterval, positive_int
from ._results import check_results

_GROUP_KEYS = ["study", "condition", "sampler", "fraction", "target"]


def _subject_means(results, metric):
    keys = [k for k in _GROUP_KEYS if k in results.columns]
    return results.groupby(keys + ["subject"], dropna=False)[metric].mean().reset_index()


def summarize(results, metrics=("rmse", "ccc", "pcc", "sagr")):
    """Mean and standard deviation across subjects, of each subject's mean over folds.

    The paper's way of averaging (results "averaged on the 10 selected subjects").

    A metric can be undefined on a fold (NaN: PCC and CCC of constant predictions or
    labels). Such a value is left out of its subject's mean over folds, and a subject
    with no defined value is left out of the mean across subjects; nothing else is. Each
    metric says how many of its values it averaged and how many it left out
    (``<metric>_n``, ``<metric>_left_out``), so that one metric's mean can rest on fewer
    subjects than another's.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`evaluate_transfer` and/or :func:`sampling_curve`.
    metrics : sequence of str, default=("rmse", "ccc", "pcc", "sagr")

    Returns
    -------
    pandas.DataFrame
        One row per study x condition x sampler x fraction x target, with
        ``<metric>_mean``, ``<metric>_std`` (ddof=1; NaN for one subject),
        ``<metric>_n`` (subjects with a defined value, those the mean is over),
        ``<metric>_left_out`` (fold values that were NaN and left out), and
        ``n_subjects`` (subjects with a row in the group, whatever their values).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "condition": "transfer_0",
    ...                      "sampler": "none", "fraction": 0.0, "target": "valence",
    ...                      "subject": [1, 1, 2, 2], "rmse": [0.1, 0.3, 0.4, 0.4],
    ...                      "pcc": [0.5, np.nan, np.nan, np.nan]})
    >>> table = summarize(rows, metrics=["rmse", "pcc"])
    >>> columns = ["rmse_mean", "rmse_n", "pcc_mean", "pcc_n", "pcc_left_out", "n_subjects"]
    >>> table[columns].round(3).values.tolist()
    [[0.3, 2.0, 0.5, 1.0, 3.0, 2.0]]
    """
    check_results(results, ["subject", *metrics])
    keys = [k for k in _GROUP_KEYS if k in results.columns]
    pieces = []
    for metric in metrics:
        per_subject = _subject_means(results, metric)
        grouped = per_subject.groupby(keys, dropna=False)[metric]
        pieces.append(
            grouped.agg(["mean", "std", "count"]).rename(
                columns={"mean": f"{metric}_mean", "std": f"{metric}_std", "count": f"{metric}_n"}
            )
        )
        left_out = results[metric].isna().groupby([results[k] for k in keys], dropna=False)
        pieces.append(left_out.sum().rename(f"{metric}_left_out").to_frame())
    table = pd.concat(pieces, axis=1)
    for metric in metrics:
        table[f"{metric}_n"] = table[f"{metric}_n"].astype(float)
        table[f"{metric}_left_out"] = table[f"{metric}_left_out"].astype(float)
    subjects = results.groupby(keys, dropna=False)["subject"].nunique()
    table["n_subjects"] = subjects.reindex(table.index).astype(float)
    return table.reset_index()


def left_out_note(summary, metrics=("rmse", "ccc", "pcc", "sagr")):
    """A sentence naming what :func:`summarize` left out of each metric's means, or None.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"target": ["valence"], "condition": ["transfer_0"],
    ...                         "pcc_left_out": [3.0], "pcc_n": [1.0], "n_subjects": [2.0]})
    >>> print(left_out_note(summary, metrics=["pcc"]))  # doctest: +NORMALIZE_WHITESPACE
    Undefined values (NaN, e.g. PCC of constant predictions) left out of the means:
    pcc: 3 fold values (valence transfer_0: mean over 1 of 2 subjects).
    """
    parts = []
    for metric in metrics:
        column = f"{metric}_left_out"
        if column not in summary.columns or not (summary[column] > 0).any():
            continue
        rows = summary[summary[column] > 0]
        where = "; ".join(
            " ".join(
                str(getattr(r, k))
                for k in ("target", "condition", "sampler", "fraction")
                if k in summary.columns and not (k == "sampler" and getattr(r, k) == "none")
            )
            + f": mean over {int(getattr(r, f'{metric}_n'))} of {int(r.n_subjects)} subjects"
            for r in rows.itertuples()
        )
        parts.append(f"{metric}: {int(rows[column].sum())} fold values ({where})")
    if not parts:
        return None
    return (
        "Undefined values (NaN, e.g. PCC of constant predictions) left out of the means: "
        + "; ".join(parts)
        + "."
    )


_COMPARISON_COLUMNS = [
    "target",
    "fraction",
    "sampler",
    "n_subjects",
    "mean_difference",
    "ci_low",
    "ci_high",
    "median_difference",
    "statistic",
    "p_value",
    "p_holm",
    "min_p",
    "n_folds",
    "p_corrected",
    "p_corrected_holm",
]


@validate_params({"n_folds": [positive_int(2)]}, prefer_skip_nested_validation=True)
def corrected_fold_test(differences, n_folds):
    """Two-sided corrected t-test of paired differences from cross-validation folds.

    Folds of one cross-validation share most of their training data, so their results
    are not independent and a plain t-test over them is far too liberal. The corrected
    resampled t-test of Nadeau & Bengio (2003), in the form of Bouckaert & Frank (2004),
    inflates the variance by the test-to-train ratio: with ``J`` differences from
    ``k``-fold cross-validations (here: subjects x folds),
    ``t = mean / sqrt((1 / J + 1 / (k - 1)) * var)`` with ``J - 1`` degrees of freedom.
    The correction assumes every pair of results is as dependent as two folds of one
    cross-validation; results of different subjects are independent, so across subjects
    it is conservative.

    Parameters
    ----------
    differences : array-like of shape (J,)
        One paired difference per subject and fold.
    n_folds : int
        ``k``, the folds of each cross-validation (at least 2).

    Returns
    -------
    p_value : float
        NaN when fewer than 2 differences or all of them are equal.

    References
    ----------
    Nadeau & Bengio (2003). Inference for the generalization error. Machine Learning 52.

    Bouckaert & Frank (2004). Evaluating the replicability of significance tests for
    comparing learning algorithms. PAKDD.

    Examples
    --------
    >>> round(corrected_fold_test([-0.02, -0.03, -0.01, -0.025, -0.015] * 2, 5), 4)
    0.0014
    """
    d = _curve(differences, "differences")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"differences must be finite, got {d.tolist()!r}.")
    if len(d) < 2 or np.ptp(d) == 0:
        return np.nan
    scale = np.sqrt((1.0 / len(d) + 1.0 / (n_folds - 1)) * np.var(d, ddof=1))
    return float(2 * stats.t.sf(abs(np.mean(d)) / scale, len(d) - 1))


def _curve(values, name):
    """A 1-D float array of ``values``; TypeError or ValueError naming ``name`` otherwise."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers, got {values!r}.") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    return array


def _paired_comparison(diff, sampler_values, baseline_values, confidence):
    """Effect size, its confidence interval and the Wilcoxon test of one pairing."""
    n = len(diff)
    row = {
        "n_subjects": n,
        "mean_difference": float(np.mean(diff)) if n else np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "median_difference": float(np.median(diff)) if n else np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
        # The exact two-sided test's floor: every difference of one sign.
        "min_p": min(1.0, 2.0 / 2**n) if n else np.nan,
    }
    if n >= 2:
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * np.std(diff, ddof=1) / np.sqrt(n)
        row["ci_low"], row["ci_high"] = row["mean_difference"] - half, row["mean_difference"] + half
    if n >= 2 and np.any(diff != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = stats.wilcoxon(sampler_values, baseline_values)
        row["statistic"], row["p_value"] = float(test.statistic), float(test.pvalue)
    return row


def _holm(p_values):
    """Holm-Bonferroni adjusted p-values (NaN stays NaN and is not counted)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(len(p), np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


#: A confidence level, strictly between 0 and 1.
_CONFIDENCE = [NumberInterval(Real, 0, 1, closed="neither")]


@validate_params({"confidence": _CONFIDENCE}, prefer_skip_nested_validation=True)
def compare_samplers(results, *, baseline="random", metric="rmse", confidence=0.95):
    """Each sampler against the baseline: effect size, confidence interval, paired test.

    The paper reports "no significant differences" between samplers without a test. Here,
    for each target and fraction, each sampler's per-subject mean (over folds) is paired
    with the baseline's for the same subject. Subjects are the independent units (folds
    of one subject share frames and are not), so every statistic is across subjects:

    * the effect size is the mean difference (sampler minus baseline, in the metric's
      units: negative RMSE means the sampler is better) with a Student-t confidence
      interval across subjects;
    * the test is the two-sided Wilcoxon signed-rank test (exact for small samples);
      with n subjects its p-value cannot fall below ``min_p`` = 2 / 2^n (0.0625 for 5,
      0.002 for 10), so too few subjects can never show a difference;
    * ``p_holm`` corrects for multiple comparisons within each target and fraction
      (Holm-Bonferroni over the samplers compared with the baseline there): the question
      asked at each point of the curve is whether any sampler differs from the baseline;
    * ``p_corrected`` is a test with the power that 5 subjects lack: over every subject x
      fold difference, the corrected resampled t-test (:func:`corrected_fold_test`,
      which inflates the variance for the folds' shared training data), and
      ``p_corrected_holm`` the same after Holm's correction within each target and
      fraction.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`sampling_curve`.
    baseline : str, default="random"
        The sampler the others are compared with.
    metric : str, default="rmse"
        The metric column compared.
    confidence : float, default=0.95
        Level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``target, fraction, sampler, n_subjects, mean_difference, ci_low,
        ci_high, median_difference, statistic, p_value, p_holm, min_p, n_folds,
        p_corrected, p_corrected_holm`` (statistic and p-values NaN when fewer than 2
        subjects or every difference is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "target": "valence", "fraction": 0.1,
    ...                      "sampler": ["random"] * 6 + ["gsx"] * 6,
    ...                      "subject": list(range(6)) * 2,
    ...                      "rmse": [0.30, 0.31, 0.29, 0.33, 0.30, 0.32,
    ...                               0.25, 0.27, 0.26, 0.28, 0.24, 0.29]})
    >>> table = compare_samplers(rows)
    >>> table[["sampler", "n_subjects", "mean_difference", "p_value"]].round(3).values.tolist()
    [['gsx', 6, -0.043, 0.031]]
    >>> bool(table["ci_high"].iloc[0] < 0)
    True
    """
    check_results(results, ["study", "subject", "target", "sampler", "fraction", metric])
    sampling = results[results["study"] == "sampling"]
    per_subject = _subject_means(sampling, metric)
    folds = _fold_values(sampling, metric)
    out = []
    for (target, fraction), block in per_subject.groupby(["target", "fraction"]):
        table = block.pivot_table(index="subject", columns="sampler", values=metric)
        if baseline not in table.columns:
            continue
        for sampler in table.columns:
            if sampler == baseline:
                continue
            pair = table[[sampler, baseline]].dropna()
            diff = (pair[sampler] - pair[baseline]).to_numpy()
            row = _paired_comparison(diff, pair[sampler], pair[baseline], confidence)
            row.update(_fold_comparison(folds, target, fraction, sampler, baseline))
            out.append({"target": target, "fraction": fraction, "sampler": sampler, **row})
    held = [c for c in _COMPARISON_COLUMNS if not c.endswith("holm")]
    frame = pd.DataFrame(out, columns=held)
    for column in ("p_value", "p_corrected"):
        adjusted = np.full(len(frame), np.nan)
        for _, rows in frame.groupby(["target", "fraction"]).indices.items():
            adjusted[rows] = _holm(frame[column].to_numpy()[rows])
        frame[column.replace("value", "holm") if column == "p_value" else f"{column}_holm"] = (
            adjusted
        )
    return frame[_COMPARISON_COLUMNS]


def _fold_values(sampling, metric):
    """One value per target, fraction, sampler, subject and fold (folds' targets averaged
    when a unit predicts several rows of one fold)."""
    keys = ["target", "fraction", "sampler", "subject", "fold"]
    if "fold" not in sampling.columns:
        return None
    return sampling.groupby(keys)[metric].mean()


def _fold_comparison(folds, target, fraction, sampler, baseline):
    if folds is None:
        return {"n_folds": np.nan, "p_corrected": np.nan}
    block = folds.loc[(target, fraction)].unstack("sampler")[[sampler, baseline]].dropna()
    if block.empty:
        return {"n_folds": np.nan, "p_corrected": np.nan}
    per_subject = block.groupby(level="subject").size()
    n_folds = int(per_subject.max())
    diff = (block[sampler] - block[baseline]).to_numpy()
    p = corrected_fold_test(diff, n_folds) if n_folds >= 2 else np.nan
    return {"n_folds": n_folds, "p_corrected": p}


@validate_params({"confidence": _CONFIDENCE}, prefer_skip_nested_validation=True)
def compare_conditions(
    results, condition, baseline, *, study="transfer", metric="rmse", confidence=0.95
):
    """One condition against another, paired by subject: effect size and Wilcoxon test.

    As :func:`compare_samplers`, for two conditions of one study (PathNet transfer against
    Transfer 100%, say): per target, each subject's mean over folds of ``condition`` is
    paired with the same subject's mean of ``baseline``; ``mean_difference`` is condition
    minus baseline (negative RMSE: the condition is better) with its Student-t interval
    across subjects, ``p_value`` the two-sided Wilcoxon signed-rank test, ``p_holm`` the
    same after Holm's correction over the targets compared, and ``min_p`` the smallest
    p-value that many subjects allow.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy rows (``RESULT_COLUMNS``).
    condition, baseline : str
        The two conditions compared.
    study : str, default="transfer"
        The study both conditions' rows belong to.
    metric : str, default="rmse"
        The metric column compared.
    confidence : float, default=0.95
        Level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``target, condition, baseline, n_subjects, mean_difference, ci_low,
        ci_high, median_difference, statistic, p_value, p_holm, min_p``; a target where
        either condition is missing is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "sampler": "none", "fraction": 1.0,
    ...                      "target": "valence",
    ...                      "condition": ["pathnet"] * 6 + ["transfer_100"] * 6,
    ...                      "subject": list(range(6)) * 2,
    ...                      "rmse": [0.25, 0.27, 0.26, 0.28, 0.24, 0.29,
    ...                               0.30, 0.31, 0.29, 0.33, 0.30, 0.32]})
    >>> table = compare_conditions(rows, "pathnet", "transfer_100")
    >>> table[["target", "n_subjects", "mean_difference", "p_value"]].round(3).values.tolist()
    [['valence', 6, -0.043, 0.031]]
    """
    check_results(results, ["study", "subject", "target", "condition", metric])
    if condition == baseline:
        raise ValueError(f"condition and baseline must differ, got {condition!r} twice.")
    rows = results[(results["study"] == study) & results["condition"].isin([condition, baseline])]
    per_subject = rows.groupby(["target", "condition", "subject"])[metric].mean().reset_index()
    out = []
    for target, block in per_subject.groupby("target"):
        table = block.pivot_table(index="subject", columns="condition", values=metric)
        if condition not in table.columns or baseline not in table.columns:
            continue
        pair = table[[condition, baseline]].dropna()
        diff = (pair[condition] - pair[baseline]).to_numpy()
        row = _paired_comparison(diff, pair[condition], pair[baseline], confidence)
        out.append({"target": target, "condition": condition, "baseline": baseline, **row})
    columns = ["target", "condition", "baseline"] + _COMPARISON_COLUMNS[3:]
    frame = pd.DataFrame(out, columns=[c for c in columns if c != "p_holm"])
    frame.insert(frame.columns.get_loc("min_p"), "p_holm", _holm(frame["p_value"].to_numpy()))
    return frame


def elbow_fraction(fractions, values):
    """The elbow of a learning curve: where it stops falling fast.

    Definition (the "kneedle" construction of Satopaa et al. 2011): rescale fractions and
    values to [0, 1], draw the chord from the first point to the last, and return the
    fraction whose point lies farthest from it on the side of the bend. A curve with no
    bend (a straight line, or fewer than three points) has no elbow: NaN.

    Parameters
    ----------
    fractions : array-like of float
    values : array-like of float
        The curve (mean RMSE across subjects, for instance).

    Returns
    -------
    float

    References
    ----------
    Satopaa, Albrecht, Irwin & Raghavan (2011). Finding a "kneedle" in a haystack:
    detecting knee points in system behavior. ICDCS workshops.

    Examples
    --------
    >>> elbow_fraction([0.05, 0.1, 0.2, 0.3, 0.5, 0.9], [0.40, 0.25, 0.15, 0.13, 0.12, 0.11])
    0.2
    """
    x = _curve(fractions, "fractions")
    v = _curve(values, "values")
    if len(x) != len(v):
        raise ValueError(f"fractions and values differ in length: {len(x)} and {len(v)}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"fractions must be finite, got {x.tolist()!r}.")
    order = np.argsort(x)
    x, v = x[order], v[order]
    if len(x) < 3 or not np.all(np.isfinite(v)) or np.ptp(x) == 0 or np.ptp(v) == 0:
        return float("nan")
    xs = (x - x[0]) / (x[-1] - x[0])
    vs = (v - v.min()) / np.ptp(v)
    chord = vs[0] + (vs[-1] - vs[0]) * xs
    # A falling curve bends below its chord: distance counted downwards from it.
    gap = (chord - vs) if vs[-1] <= vs[0] else (vs - chord)
    best = int(np.argmax(gap))
    if gap[best] <= 1e-12:
        return float("nan")
    return float(x[best])


def elbow_fractions(results, metric="rmse"):
    """Elbow fraction (see :func:`elbow_fraction`) of each sampler's mean curve per target.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`sampling_curve`.
    metric : str, default="rmse"

    Returns
    -------
    pandas.DataFrame
        Columns ``target, sampler, elbow_fraction``.

    Examples
    --------
    >>> import pandas as pd
    >>> fractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.9]
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "target": "arousal", "sampler": "random", "subject": 1,
    ...                      "fraction": fractions,
    ...                      "rmse": [0.40, 0.25, 0.15, 0.13, 0.12, 0.11]})
    >>> elbow_fractions(rows).values.tolist()
    [['arousal', 'random', 0.2]]
    """
    check_results(results, ["study", "subject", "target", "sampler", "fraction", metric])
    table = summarize(results[results["study"] == "sampling"], metrics=[metric])
    rows = []
    for (target, sampler), block in table.groupby(["target", "sampler"]):
        rows.append(
            {
                "target": target,
                "sampler": sampler,
                "elbow_fraction": elbow_fraction(block["fraction"], block[f"{metric}_mean"]),
            }
        )
    return pd.DataFrame(rows, columns=["target", "sampler", "elbow_fraction"])
