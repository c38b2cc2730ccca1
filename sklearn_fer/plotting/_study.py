"""The paper's two figures from evaluation results (Rescigno et al. 2020, Figs. 5 and 6)."""

from __future__ import annotations

import numpy as np

from ..evaluation import CONDITIONS, summarize
from ..evaluation._results import check_results
from ._common import _pyplot

_CONDITION_LABELS = {
    "no_transfer": "No Transfer",
    "transfer_0": "Transfer 0%",
    "transfer_100": "Transfer 100%",
}
_SAMPLER_LABELS = {"random": "Random", "gsx": "GSx", "gsy": "GSy", "igs": "iGS", "mcdue": "MCDUE"}
_MARKERS = "osD^vP*X"
_TARGET_ORDER = ("valence", "arousal")


def _targets(rows):
    found = list(dict.fromkeys(rows["target"]))
    return [t for t in _TARGET_ORDER if t in found] + [t for t in found if t not in _TARGET_ORDER]


def _check(results, study, metric):
    check_results(results, ["study", "target", "subject", metric])
    rows = results[results["study"] == study]
    if rows.empty:
        raise ValueError(f"results hold no rows of the {study!r} study.")
    return rows


def plot_transfer(results, *, metric="rmse", title=None, ax=None):
    """Fig. 5: mean RMSE across subjects of each transfer condition, per target.

    Bars are means across subjects of each subject's mean over folds; error bars one
    standard deviation across subjects.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`~sklearn_fer.evaluation.evaluate_transfer`.
    metric : str, default="rmse"
        The metric column to plot.
    title : str or None, default=None
        Axes title (default: the number of subjects).
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "sampler": "none", "target": "valence",
    ...                      "condition": ["no_transfer", "transfer_0", "transfer_100"] * 2,
    ...                      "fraction": [1.0, 0.0, 1.0] * 2, "subject": [1, 1, 1, 2, 2, 2],
    ...                      "rmse": [0.4, 0.2, 0.1, 0.5, 0.3, 0.1]})
    >>> ax = plot_transfer(rows)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['valence']
    """
    plt = _pyplot()
    rows = _check(results, "transfer", metric)
    table = summarize(rows, metrics=[metric])
    targets = _targets(rows)
    conditions = [c for c in CONDITIONS if c in set(rows["condition"])]
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 2.2 * len(targets), 4.2), layout="constrained")
    width = 0.8 / len(conditions)
    x = np.arange(len(targets))
    for i, condition in enumerate(conditions):
        means, stds = [], []
        for target in targets:
            match = table[(table["condition"] == condition) & (table["target"] == target)]
            means.append(float(match[f"{metric}_mean"].iloc[0]) if len(match) else np.nan)
            stds.append(float(match[f"{metric}_std"].iloc[0]) if len(match) else np.nan)
        bars = ax.bar(
            x + (i - (len(conditions) - 1) / 2) * width,
            means,
            width,
            yerr=np.nan_to_num(stds),
            capsize=4,
            label=_CONDITION_LABELS.get(condition, condition),
        )
        ax.bar_label(bars, fmt="%.3f", fontsize=8, padding=2)
    n_subjects = rows["subject"].nunique()
    ax.set_xticks(x, targets)
    ax.set_ylabel(f"{metric.upper()} (mean across subjects, ± std)")
    ax.set_title(title or f"Transfer conditions, {n_subjects} subjects")
    ax.legend(frameon=False)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    return ax


def _sampling_axes(ax, n_targets):
    """One Axes per target: the caller's, or a new row of panels."""
    if ax is None:
        figure, axes = _pyplot().subplots(
            1, n_targets, figsize=(5.2 * n_targets, 4.2), squeeze=False, layout="constrained"
        )
        return figure, list(axes[0])
    axes = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
    if len(axes) != n_targets:
        raise ValueError(
            f"ax must hold one Axes per target ({n_targets}: one panel each), got {len(axes)}."
        )
    return axes[0].figure, axes


def _draw_curve(ax, curve, metric, label, marker):
    """One sampler's mean curve, with a band of one standard deviation across subjects."""
    curve = curve.sort_values("fraction")
    x = curve["fraction"].to_numpy() * 100
    mean = curve[f"{metric}_mean"].to_numpy()
    spread = np.nan_to_num(curve[f"{metric}_std"].to_numpy())
    (line,) = ax.plot(x, mean, marker=marker, markersize=4, label=label)
    ax.fill_between(x, mean - spread, mean + spread, color=line.get_color(), alpha=0.12, lw=0)


def plot_sampling(results, *, metric="rmse", title=None, reference=None, ax=None):
    """Fig. 6: mean RMSE across subjects against the labelled fraction, per sampler.

    One panel per target, each with its own y-axis (valence and arousal errors differ in
    scale); a band around each sampler's curve spans one standard deviation across
    subjects, and a dashed line marks *Transfer 100%* (fine-tuning on the whole training
    fold) when ``reference`` holds transfer results.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`~sklearn_fer.evaluation.sampling_curve`.
    metric : str, default="rmse"
        The metric column to plot.
    title : str or None, default=None
        Figure title.
    reference : pandas.DataFrame or None, default=None
        Rows from :func:`~sklearn_fer.evaluation.evaluate_transfer` (or ``results`` itself
        when it holds both studies).
    ax : matplotlib Axes, sequence of Axes or None, default=None
        One Axes per target (in the order valence, arousal, then any other); None makes a
        new figure with one panel per target.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        One per target.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "sampler": ["random", "random", "gsx", "gsx"],
    ...                      "fraction": [0.1, 0.5, 0.1, 0.5], "target": "arousal",
    ...                      "subject": 1, "rmse": [0.3, 0.2, 0.25, 0.2]})
    >>> axes = plot_sampling(rows)
    >>> [a.get_title() for a in axes]
    ['arousal']
    """
    rows = _check(results, "sampling", metric)
    table = summarize(rows, metrics=[metric])
    targets = _targets(rows)
    samplers = list(dict.fromkeys(rows["sampler"]))
    reference = results if reference is None else reference
    full = None
    if "study" in reference.columns and (reference["study"] == "transfer").any():
        full = summarize(reference[reference["condition"] == "transfer_100"], metrics=[metric])
    figure, axes = _sampling_axes(ax, len(targets))
    for panel, target in zip(axes, targets):
        for i, sampler in enumerate(samplers):
            curve = table[(table["target"] == target) & (table["sampler"] == sampler)]
            label = _SAMPLER_LABELS.get(sampler, sampler)
            _draw_curve(panel, curve, metric, label, _MARKERS[i % len(_MARKERS)])
        match = full[full["target"] == target] if full is not None else ()
        if len(match):
            panel.axhline(
                float(match[f"{metric}_mean"].iloc[0]),
                linestyle="--",
                color="black",
                label="Transfer 100%",
            )
        panel.set_title(target)
        panel.set_xlabel("labelled share of the training fold (%)")
        panel.set_ylabel(f"{metric.upper()} (mean across subjects, band ± std)")
        panel.grid(alpha=0.3)
    axes[-1].legend(frameon=False)
    if title:
        figure.suptitle(title)
    return np.asarray(axes, dtype=object)
