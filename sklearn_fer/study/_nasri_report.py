"""The report sections and the figure of the Nasri study."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Nasri et al.'s three figures: (training set, test set) -> accuracy.
NASRI_ACCURACY = {("wild", "wild"): 0.69, ("lab", "lab"): 0.62, ("both", "lab"): 0.912}
_CELLS = {
    ("wild", "wild"): "wild only, tested on wild",
    ("lab", "lab"): "in-house only, tested on in-house",
    ("both", "lab"): "both, tested on in-house",
}
_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "cohen_kappa")


def _with_ci(summary, metric):
    """ "mean [low, high]" strings, the interval clipped to the metric's range."""
    bottom = -1.0 if metric == "cohen_kappa" else 0.0
    return [
        f"{m:.3f} [{max(lo, bottom):.3f}, {min(hi, 1.0):.3f}]" if np.isfinite(lo) else f"{m:.3f}"
        for m, lo, hi in zip(
            summary[f"{metric}_mean"], summary[f"{metric}_ci_low"], summary[f"{metric}_ci_high"]
        )
    ]


def _overlaps(rows, first, second):
    """Whether two cells' confidence intervals overlap (True when either has none)."""
    low = rows.loc[[first, second], "accuracy_ci_low"].to_numpy()
    high = rows.loc[[first, second], "accuracy_ci_high"].to_numpy()
    if not np.isfinite(low).all():
        return True
    return bool(low[0] <= high[1] and low[1] <= high[0])


def _scores_table(summary):
    table = summary[["training_set", "condition", "test_set", "n_folds", "splitter"]].copy()
    for metric in _METRICS:
        table[metric] = _with_ci(summary, metric)
    return table


def ordering_check(summary, condition):
    """One sentence: does this condition order Nasri's three figures as the paper does?"""
    rows = summary[summary["condition"] == condition].set_index(["training_set", "test_set"])
    if not all(cell in rows.index for cell in NASRI_ACCURACY):
        return f"{condition}: not all three training sets were run."
    acc = {cell: rows.loc[cell, "accuracy_mean"] for cell in NASRI_ACCURACY}
    both, wild, lab = acc[("both", "lab")], acc[("wild", "wild")], acc[("lab", "lab")]
    values = f"both {both:.3f}, wild {wild:.3f}, in-house {lab:.3f}"
    if both > wild > lab:
        noisy = _overlaps(rows, ("both", "lab"), ("wild", "wild")) or _overlaps(
            rows, ("wild", "wild"), ("lab", "lab")
        )
        caveat = (
            "; but neighbouring 95% intervals overlap, so the ordering is within the fold noise"
            if noisy
            else "; neighbouring 95% intervals do not overlap"
        )
        return (
            f"{condition}: the ordering matches Nasri's (both > wild > in-house: {values}{caveat})."
        )
    broken = [
        name
        for name, holds in (
            ("both > wild", both > wild),
            ("wild > in-house", wild > lab),
            ("both > in-house", both > lab),
        )
        if not holds
    ]
    return (
        f"{condition}: the ordering does NOT match Nasri's ({values}; not holding: "
        f"{', '.join(broken)})."
    )


def write_sections(report, config, results):
    """The Nasri study's sections of ``report.md``."""
    from ..evaluation import summarize_folds

    summary = summarize_folds(results)
    report.heading("Nasri's three figures")
    report.paragraph(
        "Mean accuracy across folds with its 95% Student-t interval (folds as the "
        "units; clipped to the metric's range). The paper's figures, on AffectNet and "
        "the Empathic set, are 69% "
        "(wild only), 62% (in-house only) and 91.2% (in-house, trained on both); "
        "the numbers here are on synthetic faces and are not comparable in level, only "
        "in ordering."
    )
    rows = []
    for condition in config.conditions:
        block = summary[summary["condition"] == condition].set_index(["training_set", "test_set"])
        for cell, paper in NASRI_ACCURACY.items():
            if cell in block.index:
                line = block.loc[[cell]].reset_index()
                rows.append((condition, _CELLS[cell], paper, _with_ci(line, "accuracy")[0]))
    report.table(pd.DataFrame(rows, columns=["condition", "trained / tested", "paper", "here"]))
    report.paragraph("Whether the ordering of the three conditions matches the paper's:")
    report.bullets([ordering_check(summary, condition) for condition in config.conditions])
    report.heading("All scores")
    report.paragraph(
        "Accuracy, balanced accuracy, macro-F1 and Cohen's kappa, mean [95% interval] "
        "across folds, for every training set, start and test set (the cross-domain "
        "cells included). `splitter` says how the test folds were drawn."
    )
    report.table(_scores_table(summary))
    report.heading("Confusion matrices")
    report.figure("confusion")
    report.paragraph(
        f"Pooled over folds, rows normalised (recall on the diagonal), for the "
        f"`{_figure_condition(config)}` start."
    )


def _figure_condition(config):
    tuned = [c for c in config.conditions if c != "from_scratch"]
    return tuned[0] if tuned else config.conditions[0]


def _expand(counts, labels):
    """True and predicted labels whose confusion matrix is ``counts``."""
    true, pred = np.nonzero(counts)
    repeats = counts[true, pred]
    return np.repeat(labels[true], repeats), np.repeat(labels[pred], repeats)


def confusion_figure(config, results):
    """Nasri's three cells as pooled confusion matrices, one panel each."""
    import matplotlib.pyplot as plt

    from ..evaluation import pooled_confusion
    from ..plotting import plot_confusion_matrix

    condition = _figure_condition(config)
    figure, axes = plt.subplots(1, 3, figsize=(19, 7), layout="constrained")
    for ax, (training_set, test_set) in zip(axes, NASRI_ACCURACY):
        rows = results[
            (results["condition"] == condition)
            & (results["training_set"] == training_set)
            & (results["test_set"] == test_set)
        ]
        if len(rows) == 0:
            ax.set_axis_off()
            continue
        counts, labels = pooled_confusion(rows)
        y_true, y_pred = _expand(counts, labels)
        plot_confusion_matrix(
            y_true,
            y_pred,
            labels=labels,
            colorbar=False,
            title=_CELLS[(training_set, test_set)],
            ax=ax,
        )
    figure.suptitle(f"{condition} ({config.backbone}; synthetic data)")
    return figure
