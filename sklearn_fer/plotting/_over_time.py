"""Valence and arousal (or expression probabilities) of a video over time
(``sklearn-fer predict --plot``)."""

from __future__ import annotations

from ._common import _pyplot


def _time_targets(predictions):
    skip = {"time_s", "face_found", "expression"}  # expression: the FER2013 model's label
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
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"time_s": [0, 4, 8], "face_found": [True, False, True],
    ...                      "valence": [0.2, None, 0.4], "arousal": [-0.1, None, 0.3]})
    >>> ax = plot_over_time(rows, title="clip.mp4")
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['valence', 'arousal']
    """
    if "time_s" not in getattr(predictions, "columns", ()):
        raise ValueError(
            "predictions lack a time_s column: expected the rows of sklearn-fer predict."
        )
    targets = _time_targets(predictions)
    if not targets:
        raise ValueError("predictions hold no target column (valence, arousal) to draw.")
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(8, 3.5), layout="constrained")
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
    return ax
