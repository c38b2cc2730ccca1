"""Figures of a fitted PathNet: its evolved paths, and its fitness history."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_fitness_history", "plot_paths"]


def _axes(ax, figsize):
    if ax is not None:
        return ax
    # Imported on use: matplotlib falls back to its Agg backend where there is no display.
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def _paths_and_frozen(paths, frozen):
    if hasattr(paths, "paths_"):
        frozen = paths.frozen_ if frozen is None else frozen
        paths = paths.paths_
    elif hasattr(paths, "fit") and hasattr(paths, "predict"):
        raise ValueError(
            f"this {type(paths).__name__} is not fitted yet (it has no paths_): fit it first."
        )
    paths = np.asarray(paths, dtype=bool)
    if paths.ndim == 2:
        paths = paths[None]
    if paths.ndim != 3 or 0 in paths.shape:
        raise ValueError(
            "paths must be a fitted PathNet estimator or a boolean array of shape "
            f"(n_tasks, n_layers, n_modules), got shape {paths.shape}."
        )
    frozen = np.zeros(paths.shape[1:], dtype=bool) if frozen is None else np.asarray(frozen)
    if frozen.shape != paths.shape[1:]:
        raise ValueError(
            f"frozen must have shape (n_layers, n_modules) = {paths.shape[1:]}, got {frozen.shape}."
        )
    return paths, frozen.astype(bool)


def plot_paths(paths, *, frozen=None, task_names=None, ax=None):
    """Draw the modules of a PathNet as a grid, each task's path on it, frozen ones marked.

    One column per layer and one row per module. A task's path is drawn as dots on its
    active modules, joined to the next layer's active modules (every active module of a
    layer feeds every active module of the next, their outputs summed). Frozen modules,
    those of earlier tasks that the last fit could not change, are hatched grey.

    Parameters
    ----------
    paths : PathNetRegressor, PathNetClassifier or array-like of bool
        A fitted estimator (its ``paths_`` and ``frozen_``), or paths of shape
        ``(n_tasks, n_layers, n_modules)`` (or one path of shape ``(n_layers, n_modules)``).
    frozen : array-like of bool of shape (n_layers, n_modules) or None, default=None
        Modules to mark as frozen; None: the estimator's ``frozen_`` (none for arrays).
    task_names : list of str or None, default=None
        Legend labels, one per task; None: "task 0", "task 1", ...
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    plot_fitness_history : the evolution's fitness per generation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.pathnet import plot_paths
    >>> general = np.zeros((3, 5), bool); general[[0, 1, 2], [0, 2, 4]] = True
    >>> personal = np.zeros((3, 5), bool); personal[[0, 1, 1, 2], [0, 1, 3, 3]] = True
    >>> ax = plot_paths([general, personal], frozen=general,
    ...                 task_names=["general", "personal"])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['general', 'personal', 'frozen']
    """
    from matplotlib.patches import Patch, Rectangle

    paths, frozen = _paths_and_frozen(paths, frozen)
    n_tasks, n_layers, n_modules = paths.shape
    if task_names is None:
        task_names = [f"task {t}" for t in range(n_tasks)]
    if len(task_names) != n_tasks:
        raise ValueError(f"task_names has {len(task_names)} names for {n_tasks} task(s).")
    ax = _axes(ax, (1.2 + 0.9 * n_layers, 1.0 + 0.32 * n_modules))
    for layer in range(n_layers):
        for module in range(n_modules):
            is_frozen = frozen[layer, module]
            ax.add_patch(
                Rectangle(
                    (layer - 0.3, module - 0.4),
                    0.6,
                    0.8,
                    facecolor="0.85" if is_frozen else "white",
                    edgecolor="0.3" if is_frozen else "0.7",
                    hatch="///" if is_frozen else None,
                    linewidth=1.0,
                    zorder=1,
                )
            )
    colours = [f"C{t % 10}" for t in range(n_tasks)]
    # Tasks side by side within a module's box, so shared modules show every task.
    offsets = np.linspace(-0.18, 0.18, n_tasks) if n_tasks > 1 else np.zeros(1)
    for task in range(n_tasks):
        x = np.arange(n_layers) + offsets[task]
        for layer in range(n_layers - 1):
            for start in np.flatnonzero(paths[task, layer]):
                for stop in np.flatnonzero(paths[task, layer + 1]):
                    ax.plot(
                        [x[layer], x[layer + 1]],
                        [start, stop],
                        color=colours[task],
                        linewidth=1.2,
                        alpha=0.7,
                        zorder=2,
                    )
        layers, modules = np.nonzero(paths[task])
        ax.scatter(x[layers], modules, s=45, color=colours[task], zorder=3)
    handles = [Patch(color=colours[t], label=str(task_names[t])) for t in range(n_tasks)]
    handles.append(Patch(facecolor="0.85", edgecolor="0.3", hatch="///", label="frozen"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xlim(-0.6, n_layers - 0.4)
    ax.set_ylim(n_modules - 0.5, -0.5)
    ax.set_xticks(range(n_layers), [f"layer {layer + 1}" for layer in range(n_layers)])
    ax.set_yticks(range(n_modules))
    ax.set_ylabel("module")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


def plot_fitness_history(history, *, ax=None):
    """Fitness of every path trained in the evolution, per generation, and the best so far.

    Parameters
    ----------
    history : PathNetRegressor, PathNetClassifier or pandas.DataFrame
        A fitted estimator (its ``fitness_history_``) or such a DataFrame, with columns
        ``generation``, ``fitness`` and ``winner``.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    plot_paths : the evolved paths.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.pathnet import plot_fitness_history
    >>> history = pd.DataFrame({"generation": [1, 1, 2, 2], "individual": [0, 3, 1, 0],
    ...                         "fitness": [-0.5, -0.4, -0.3, -0.35],
    ...                         "winner": [False, True, True, False]})
    >>> ax = plot_fitness_history(history)
    >>> ax.get_xlabel(), len(ax.lines)
    ('generation (tournament)', 1)
    """
    if hasattr(history, "fitness_history_"):
        history = history.fitness_history_
    elif hasattr(history, "fit") and hasattr(history, "predict"):
        raise ValueError(
            f"this {type(history).__name__} is not fitted yet (it has no "
            "fitness_history_): fit it first."
        )
    if not isinstance(history, pd.DataFrame):
        raise TypeError(
            f"history must be a fitted PathNet estimator or a DataFrame, got "
            f"{type(history).__name__}."
        )
    missing = {"generation", "fitness", "winner"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks the column(s) {sorted(missing)}.")
    ax = _axes(ax, (6, 3.5))
    winners = history[history["winner"].astype(bool)]
    losers = history[~history["winner"].astype(bool)]
    ax.scatter(losers["generation"], losers["fitness"], s=12, color="0.6", label="loser")
    ax.scatter(winners["generation"], winners["fitness"], s=14, color="C0", label="winner")
    if len(winners):
        best = winners.sort_values("generation")
        ax.plot(best["generation"], best["fitness"].cummax(), color="C1", label="best so far")
    ax.set_xlabel("generation (tournament)")
    ax.set_ylabel("fitness")
    ax.legend(frameon=False)
    return ax
