"""Valence and arousal, or expression probabilities, of a video over time
(``sklearn-fer predict --plot``)."""

from __future__ import annotations

from ._common import _pyplot

#: Columns on the valence-arousal scale (-1..1); every other target column of predict's
#: rows is a probability (0..1).
AFFECT_COLUMNS = ("valence", "arousal")
_SKIP = {"time_s", "face_found", "expression"}  # expression: the FER2013 model's label


def _time_targets(predictions):
    return [c for c in predictions.columns if c not in _SKIP and not str(c).endswith("_smoothed")]


def target_groups(predictions):
    """predict's target columns split by scale: ``(affect columns, probability columns)``.

    Examples
    --------
    >>> import pandas as pd
    >>> target_groups(pd.DataFrame(columns=["time_s", "happy", "sad", "valence"]))
    (['valence'], ['happy', 'sad'])
    """
    targets = _time_targets(predictions)
    affect = [c for c in targets if c in AFFECT_COLUMNS]
    return affect, [c for c in targets if c not in AFFECT_COLUMNS]


def plot_over_time(predictions, *, targets=None, title=None, ax=None):
    """A video's predictions over time, one line per target.

    Each frame's prediction is a dot joined by a thin line (gaps where no face was found);
    smoothed values (``<target>_smoothed`` columns), when present, are drawn over them as
    a thick line. Valence and arousal are drawn on their scale, -1 to 1 with 0 marked;
    expression probabilities (the FER2013 model's columns) on 0 to 1. The legend sits
    right of the axes, off the data.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Rows from :func:`~sklearn_fer.workflow.predict_video` (``time_s`` and one column
        per target).
    targets : list of str or None, default=None
        Columns to draw, all on one scale; None: valence and arousal when the rows have
        them, else the expression probabilities.
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
    >>> [line.get_label() for line in ax.get_lines()][:2], ax.get_ylabel()
    (['valence', 'arousal'], 'predicted valence and arousal (-1 to 1)')
    """
    if "time_s" not in getattr(predictions, "columns", ()):
        raise ValueError(
            "predictions lack a time_s column: expected the rows of sklearn-fer predict."
        )
    affect, probabilities = target_groups(predictions)
    if targets is None:
        targets = affect or probabilities
    unknown = [t for t in targets if t not in predictions.columns]
    if unknown:
        raise ValueError(f"predictions have no column(s) {unknown}.")
    if not targets:
        raise ValueError("predictions hold no target column (valence, arousal) to draw.")
    on_affect = [t in AFFECT_COLUMNS for t in targets]
    if any(on_affect) and not all(on_affect):
        raise ValueError(
            f"targets {targets} mix valence/arousal (-1..1) with probabilities (0..1): "
            "draw them on two axes."
        )
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(9, 3.5), layout="constrained")
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
    if all(on_affect):
        ax.axhline(0.0, color="black", lw=0.6)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel(f"predicted {' and '.join(targets)} (-1 to 1)")
    else:
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("probability of the expression")
    ax.set_xlabel("time (s)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    if title:
        ax.set_title(title)
    return ax
