"""The figures of AU selectivity (the maps x AUs heatmap, the per-layer summary) and of
the robustness study (curves over the strength of each shift)."""

from __future__ import annotations

import numbers

import numpy as np

from ._selectivity import selectivity_summary

__all__ = ["plot_au_selectivity", "plot_layer_selectivity", "plot_robustness"]


def _pyplot():
    # Imported on use (as in sklearn_fer.plotting, which cannot be imported from here:
    # it imports sklearn_fer.evaluation, which imports this subpackage).
    import matplotlib.pyplot as plt

    return plt


def _layer_rows(selectivity, layer):
    missing = {"layer", "depth", "map", "au", "selectivity", "selective"} - set(selectivity.columns)
    if missing:
        raise ValueError(
            f"selectivity lacks the column(s) {sorted(missing)}: expected the table of "
            "map_selectivity."
        )
    layers = list(selectivity.sort_values("depth", kind="stable")["layer"].unique())
    if not layers:
        raise ValueError("selectivity is empty: expected the table of map_selectivity.")
    if layer is None:
        layer = layers[-1]
    if layer not in layers:
        raise ValueError(f"layer {layer!r} is not in the table; its layers are {layers}.")
    return layer, selectivity[selectivity["layer"] == layer]


def plot_au_selectivity(selectivity, *, layer=None, max_maps=40, ax=None):
    """Heatmap of one layer's maps x AUs: each map's signed selectivity to each AU.

    Colour is ``selectivity = 2 * AUC - 1`` (red: the map responds more when the AU is
    present, blue: less); a dot marks the maps called selective after the family-wise
    correction of :func:`map_selectivity`. Maps are sorted by their largest
    ``|selectivity|`` over AUs and the ``max_maps`` most selective are shown.

    Parameters
    ----------
    selectivity : pandas.DataFrame
        The table of :func:`map_selectivity`.
    layer : str or None, default=None
        The layer to show (None: the deepest in the table).
    max_maps : int, default=40
        How many maps (rows) at most.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.feature_maps import plot_au_selectivity
    >>> table = pd.DataFrame({"layer": "conv5", "depth": 5, "map": [0, 0, 1, 1],
    ...                       "feature": ["conv5_map000"] * 2 + ["conv5_map001"] * 2,
    ...                       "au": ["AU1", "AU12"] * 2, "selectivity": [0.1, -0.8, 0.2, 0.3],
    ...                       "selective": [False, True, False, False]})
    >>> ax = plot_au_selectivity(table)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['conv5_map000', 'conv5_map001']
    """
    if not isinstance(max_maps, numbers.Integral) or isinstance(max_maps, bool) or max_maps < 1:
        raise ValueError(f"max_maps must be a positive int, got {max_maps!r}.")
    plt = _pyplot()
    layer, rows = _layer_rows(selectivity, layer)
    names = "feature" if "feature" in rows.columns else "map"
    grid = rows.pivot_table(index=names, columns="au", values="selectivity", sort=False)
    marks = rows.pivot_table(index=names, columns="au", values="selective", sort=False)
    order = grid.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:max_maps]
    grid, marks = grid.loc[order], marks.loc[order].reindex(columns=grid.columns)
    if ax is None:
        height = 1.5 + 0.22 * len(grid)
        _, ax = plt.subplots(figsize=(2 + 0.5 * grid.shape[1], height), layout="constrained")
    image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    yy, xx = np.nonzero(marks.fillna(False).to_numpy().astype(bool))
    ax.scatter(xx, yy, s=8, c="black", marker="o", label="selective (FWER-corrected)")
    ax.set_xticks(np.arange(grid.shape[1]), [str(c) for c in grid.columns], rotation=90)
    ax.set_yticks(np.arange(len(grid)), [str(i) for i in grid.index], fontsize=7)
    ax.figure.colorbar(image, ax=ax, label="selectivity (2 AUC - 1)")
    n_maps = rows["map"].nunique()
    ax.set_title(f"{layer}: {len(grid)} most AU-selective of {n_maps} maps")
    return ax


def plot_layer_selectivity(selectivity, *, ax=None):
    """Per layer, the fraction of maps selective to at least one AU, and how selective.

    Bars: :func:`selectivity_summary`'s ``fraction_selective_responsive`` per layer in
    forward order (``fraction_selective`` for a table without a ``responsive``
    column); the line (right axis): the median over responsive maps of each map's
    largest ``|selectivity|``. Zhou & Shi's claim is that both grow with depth.

    Parameters
    ----------
    selectivity : pandas.DataFrame
        The table of :func:`map_selectivity`.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.feature_maps import plot_layer_selectivity
    >>> table = pd.DataFrame({"layer": ["conv1"] * 2 + ["conv5"] * 2, "depth": [1, 1, 5, 5],
    ...                       "map": [0, 1, 0, 1], "au": "AU12",
    ...                       "selectivity": [0.1, 0.2, 0.7, 0.9],
    ...                       "selective": [False, False, True, True]})
    >>> ax = plot_layer_selectivity(table)
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [0.0, 1.0]
    """
    plt = _pyplot()
    summary = selectivity_summary(selectivity).sort_values("depth")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.5 + 0.9 * len(summary), 3.8), layout="constrained")
    x = np.arange(len(summary))
    responsive = "responsive" in selectivity.columns
    column = "fraction_selective_responsive" if responsive else "fraction_selective"
    ax.bar(x, summary[column].fillna(0.0), color="tab:blue", label="fraction AU-selective")
    ax.set_xticks(x, summary["layer"].tolist())
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"fraction of {'responsive ' if responsive else ''}maps AU-selective")
    twin = ax.twinx()
    twin.plot(x, summary["median_best_selectivity"], "o-", color="tab:red")
    twin.set_ylim(0, 1)
    twin.set_ylabel("median best |2 AUC - 1|", color="tab:red")
    ax.set_title("AU selectivity per layer")
    return ax


_SELECTION_STYLE = {
    "all": ("every map", "black", "-"),
    "top": ("k most AU-selective", "tab:red", "-"),
    "random": ("k random", "tab:gray", "--"),
    "bottom": ("k least AU-selective", "tab:blue", ":"),
}


def _robustness_means(results, k, metric):
    missing = {"study", "subject", "selection", "k", "perturbation", "strength", metric} - set(
        results.columns
    )
    if missing:
        raise ValueError(
            f"results lack the column(s) {sorted(missing)}: expected the rows of "
            "sklearn_fer.evaluation.evaluate_robustness."
        )
    rows = results[results["study"] == "robustness"]
    if rows.empty:
        raise ValueError("results hold no rows of the robustness study.")
    ks = sorted(int(v) for v in rows.loc[rows["selection"] != "all", "k"].unique())
    if k is None:
        k = ks[0] if ks else None
    elif k not in ks:
        raise ValueError(f"k={k!r} was not evaluated; the results have k in {ks}.")
    rows = rows[(rows["selection"] == "all") | (rows["k"] == k)]
    per_subject = rows.groupby(["selection", "perturbation", "strength", "subject"])[metric].mean()
    return k, per_subject.groupby(["selection", "perturbation", "strength"]).mean().reset_index()


def plot_robustness(results, *, k=None, metric="rmse", axes=None):
    """Robustness curves: the metric on shifted test faces against the shift's strength.

    One panel per perturbation; one line per selection of maps (every map, the ``k``
    most AU-selective, ``k`` random, the ``k`` least AU-selective), each point the mean
    across subjects of each subject's mean over folds and targets. Strength 0 is the
    clean test images, shared by every panel.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`~sklearn_fer.evaluation.evaluate_robustness`.
    k : int or None, default=None
        The number of maps kept by the selections drawn (None: the smallest evaluated).
    metric : str, default="rmse"
        The metric column plotted.
    axes : array of matplotlib Axes or None, default=None
        One per perturbation; None makes a new figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.feature_maps import plot_robustness
    >>> rows = pd.DataFrame({"study": "robustness", "subject": 0,
    ...                      "selection": ["all", "top", "all", "top"], "k": [64, 8, 64, 8],
    ...                      "perturbation": ["none", "none", "noise", "noise"],
    ...                      "strength": [0.0, 0.0, 1.0, 1.0], "rmse": [0.2, 0.25, 0.4, 0.3]})
    >>> axes = plot_robustness(rows)
    >>> [ax.get_title() for ax in axes]
    ['noise']
    >>> [line.get_label() for line in axes[0].get_lines()]
    ['every map', 'k most AU-selective']
    """
    plt = _pyplot()
    k, means = _robustness_means(results, k, metric)
    shifted = results.loc[results["study"] == "robustness", "perturbation"]
    kinds = [p for p in dict.fromkeys(shifted) if p != "none"]
    if not kinds:
        raise ValueError("results hold clean test images only: no perturbation to plot.")
    if axes is None:
        _, axes = plt.subplots(
            1, len(kinds), figsize=(1 + 3 * len(kinds), 3.6), sharey=True, layout="constrained"
        )
    axes = np.atleast_1d(axes)
    for ax, kind in zip(axes, kinds):
        for selection, (label, color, style) in _SELECTION_STYLE.items():
            curve = means[
                (means["selection"] == selection) & means["perturbation"].isin(["none", kind])
            ].sort_values("strength")
            if len(curve):
                ax.plot(
                    curve["strength"], curve[metric], style, marker="o", color=color, label=label
                )
        ax.set_title(kind)
        ax.set_xlabel("strength")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{metric.upper()} (mean across subjects)")
    axes[0].legend(frameon=False, fontsize=8, title=f"k = {k}")
    return axes
