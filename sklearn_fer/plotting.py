"""The paper's two figures from evaluation results (Rescigno et al. 2020, Figs. 5 and 6),
and valence and arousal of a video over time (``sklearn-fer predict --plot``)."""

from __future__ import annotations

import numpy as np

from .evaluation import CONDITIONS, summarize

__all__ = ["plot_over_time", "plot_sampling", "plot_transfer"]

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


def _pyplot():
    # Imported on use: matplotlib falls back to its Agg backend where there is no display.
    import matplotlib.pyplot as plt

    return plt


def _check(results, study):
    missing = {"study", "target", "subject", "rmse"} - set(results.columns)
    if missing:
        raise ValueError(
            f"results lack the column(s) {sorted(missing)}: expected the "
            "DataFrame returned by sklearn_fer.evaluation."
        )
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
    title : str or None, default=None
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "sampler": "none", "target": "valence",
    ...                      "condition": ["no_transfer", "transfer_0", "transfer_100"] * 2,
    ...                      "fraction": [1.0, 0.0, 1.0] * 2, "subject": [1, 1, 1, 2, 2, 2],
    ...                      "rmse": [0.4, 0.2, 0.1, 0.5, 0.3, 0.1]})
    >>> figure = plot_transfer(rows)
    >>> [t.get_text() for t in figure.axes[0].get_xticklabels()]
    ['valence']
    """
    plt = _pyplot()
    rows = _check(results, "transfer")
    table = summarize(rows, metrics=[metric])
    targets = _targets(rows)
    conditions = [c for c in CONDITIONS if c in set(rows["condition"])]
    if ax is None:
        figure, ax = plt.subplots(figsize=(1.8 + 2.2 * len(targets), 4.2))
    else:
        figure = ax.figure
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
    figure.tight_layout()
    return figure


def plot_sampling(results, *, metric="rmse", title=None, reference=None):
    """Fig. 6: mean RMSE across subjects against the labelled fraction, per sampler.

    One panel per target; a dashed line marks *Transfer 100%* (fine-tuning on the whole
    training fold) when ``reference`` holds transfer results.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`~sklearn_fer.evaluation.sampling_curve`.
    metric : str, default="rmse"
    title : str or None, default=None
    reference : pandas.DataFrame or None, default=None
        Rows from :func:`~sklearn_fer.evaluation.evaluate_transfer` (or ``results`` itself
        when it holds both studies).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "sampler": ["random", "random", "gsx", "gsx"],
    ...                      "fraction": [0.1, 0.5, 0.1, 0.5], "target": "arousal",
    ...                      "subject": 1, "rmse": [0.3, 0.2, 0.25, 0.2]})
    >>> figure = plot_sampling(rows)
    >>> figure.axes[0].get_title()
    'arousal'
    """
    plt = _pyplot()
    rows = _check(results, "sampling")
    table = summarize(rows, metrics=[metric])
    targets = _targets(rows)
    samplers = list(dict.fromkeys(rows["sampler"]))
    reference = results if reference is None else reference
    full = None
    if "study" in reference.columns and (reference["study"] == "transfer").any():
        full = summarize(reference[reference["condition"] == "transfer_100"], metrics=[metric])
    figure, axes = plt.subplots(
        1, len(targets), figsize=(5.2 * len(targets), 4.2), squeeze=False, sharey=True
    )
    for ax, target in zip(axes[0], targets):
        for i, sampler in enumerate(samplers):
            curve = table[(table["target"] == target) & (table["sampler"] == sampler)]
            curve = curve.sort_values("fraction")
            x = curve["fraction"].to_numpy() * 100
            # Error bars of the samplers side by side rather than on top of each other.
            shift = (i - (len(samplers) - 1) / 2) * 0.6
            (line,) = ax.plot(
                x,
                curve[f"{metric}_mean"],
                marker=_MARKERS[i % 8],
                label=_SAMPLER_LABELS.get(sampler, sampler),
            )
            ax.errorbar(
                x + shift,
                curve[f"{metric}_mean"],
                yerr=np.nan_to_num(curve[f"{metric}_std"]),
                fmt="none",
                ecolor=line.get_color(),
                alpha=0.45,
                capsize=2,
            )
        if full is not None:
            match = full[full["target"] == target]
            if len(match):
                ax.axhline(
                    float(match[f"{metric}_mean"].iloc[0]),
                    linestyle="--",
                    color="black",
                    label="Transfer 100%",
                )
        ax.set_title(target)
        ax.set_xlabel("labelled share of the training fold (%)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(f"{metric.upper()} (mean across subjects, ± std)")
    axes[0][-1].legend(frameon=False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def _time_targets(predictions):
    skip = {"time_s", "face_found"}
    return [c for c in predictions.columns if c not in skip and not str(c).endswith("_smoothed")]


def plot_over_time(predictions, *, title=None, ax=None):
    """Valence and arousal of a video over time, one line per target.

    Each frame's prediction is a dot joined by a thin line (gaps where no face was found);
    smoothed values (``<target>_smoothed`` columns), when present, are drawn over them as
    a thick line.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Rows from :func:`~sklearn_fer.workflow.predict_video` (``time_s`` and one column
        per target).
    title : str or None, default=None
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"time_s": [0, 4, 8], "face_found": [True, False, True],
    ...                      "valence": [0.2, None, 0.4], "arousal": [-0.1, None, 0.3]})
    >>> figure = plot_over_time(rows, title="clip.mp4")
    >>> [line.get_label() for line in figure.axes[0].get_lines()][:2]
    ['valence', 'arousal']
    """
    if "time_s" not in getattr(predictions, "columns", ()):
        raise ValueError(
            "predictions lack a time_s column: expected the rows of sklearn-fer predict."
        )
    targets = _time_targets(predictions)
    if not targets:
        raise ValueError("predictions hold no target column (valence, arousal) to draw.")
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(8, 3.5)) if ax is None else (ax.figure, ax)
    times = predictions["time_s"].to_numpy(dtype=float)
    for target in targets:
        (line,) = ax.plot(
            times, predictions[target].to_numpy(dtype=float), marker=".", lw=0.8, label=target
        )
        smoothed = f"{target}_smoothed"
        if smoothed in predictions.columns:
            ax.plot(
                times,
                predictions[smoothed].to_numpy(dtype=float),
                lw=2.5,
                color=line.get_color(),
                alpha=0.8,
                label=f"{target} (smoothed)",
            )
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("predicted value")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, ncol=2, loc="upper right")
    if title:
        ax.set_title(title)
    figure.tight_layout()
    return figure
