"""The report sections and figures of the Zhou & Shi study, and its verdicts on the claims."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

_ALPHA = 0.05
_COMPARISONS = (
    ("top", "random", False, "k most AU-selective vs k random: RMSE on shifted faces"),
    ("top", "random", True, "k most AU-selective vs k random: RMSE lost to the shift"),
    ("top", "bottom", False, "k most vs k least AU-selective: RMSE on shifted faces"),
)


def layer_summaries(selectivity):
    """selectivity_summary of each net's rows, with a ``net`` column."""
    from ..feature_maps import selectivity_summary

    frames = []
    for net, rows in selectivity.groupby("net", sort=False):
        rows = rows.astype({"selective": bool, "depth": int, "map": int})
        frames.append(selectivity_summary(rows).assign(net=net))
    summary = pd.concat(frames, ignore_index=True)
    return summary[["net", *[c for c in summary.columns if c != "net"]]]


def layer_verdict(summary):
    """One sentence per net: does the fraction of AU-selective maps grow with depth?"""
    sentences = []
    for net, rows in summary.groupby("net", sort=False):
        rows = rows.sort_values("depth")
        first, last = rows.iloc[0], rows.iloc[-1]
        column = (
            "fraction_selective_responsive"
            if "fraction_selective_responsive" in rows
            else "fraction_selective"
        )
        fractions = rows[column].fillna(0.0)
        if fractions.nunique() > 1:
            rho = stats.spearmanr(rows["depth"], fractions).statistic
            trend = f"Spearman's rho between depth and that fraction is {rho:.2f}"
        else:
            rho, trend = 0.0, "every layer has the same fraction (no trend)"
        holds = bool(rho > 0 and fractions.iloc[-1] > fractions.iloc[0])
        of = "responsive maps" if column.endswith("responsive") else "maps"
        sentences.append(
            f"**{net} net: the claim {'holds' if holds else 'does not hold'} here.** "
            f"{fractions.iloc[0]:.0%} of {first['layer']}'s {of} are AU-selective, "
            f"{fractions.iloc[-1]:.0%} of {last['layer']}'s; {trend} over the "
            f"{len(rows)} layers (descriptive: so few layers cannot make a trend significant)."
        )
    return sentences


def selectivity_section(report, selectivity):
    report.heading("Claim 1: higher layers are more AU-selective")
    summary = layer_summaries(selectivity)
    report.paragraph(
        "A map is *responsive* when its response varies across the lab faces; a dead map (a "
        "ReLU that never fires) cannot be selective, so the claim is judged on the "
        "responsive maps (`fraction_selective_responsive`)."
    )
    report.table(summary)
    for sentence in layer_verdict(summary):
        report.paragraph(sentence)
    report.figure("layers")
    report.figure("selectivity")


def robustness_means(rows):
    """Mean RMSE across subjects (means over folds and both targets): shift x model."""
    strongest = rows.loc[rows["perturbation"] != "none", "strength"].max()
    rows = rows[(rows["perturbation"] == "none") | (rows["strength"] == strongest)]
    model = rows["selection"].where(
        rows["selection"] == "all", rows["selection"] + " k=" + rows["k"].astype(int).astype(str)
    )
    per_subject = rows.assign(model=model).groupby(["perturbation", "model", "subject"])["rmse"]
    table = per_subject.mean().groupby(["perturbation", "model"]).mean().unstack("model")
    order = ["all"] + sorted(
        [c for c in table.columns if c != "all"], key=lambda c: (int(c.split("=")[1]), c)
    )
    shifts = ["none", *(p for p in dict.fromkeys(rows["perturbation"]) if p != "none")]
    return table.loc[shifts, order].reset_index(), strongest


def claim_counts(rows, strongest):
    """Per comparison: cells (target x shift x k at the strongest strength) better / worse."""
    from ..evaluation import compare_selections

    counts, details = [], None
    for selection, baseline, relative, label in _COMPARISONS:
        table = compare_selections(rows, baseline=baseline, relative=relative)
        table = table[
            (table["selection"] == selection)
            & (table["perturbation"] != "none")
            & (table["strength"] == strongest)
        ]
        significant = table["p_holm"] <= _ALPHA
        counts.append(
            {
                "comparison": label,
                "cells": len(table),
                "better (significant)": int((significant & (table["mean_difference"] < 0)).sum()),
                "worse (significant)": int((significant & (table["mean_difference"] > 0)).sum()),
                "median difference": float(table["mean_difference"].median()),
            }
        )
        if details is None:
            details = table
    return pd.DataFrame(counts), details


def robustness_verdict(counts, n_subjects):
    first = counts.iloc[0]
    holds = first["better (significant)"] > first["cells"] / 2 and first["worse (significant)"] == 0
    weak = first["better (significant)"] > 0
    verdict = "holds" if holds else ("holds only in part" if weak else "does not hold")
    return (
        f"**The claim {verdict} here.** The k most AU-selective maps give a significantly "
        f"lower RMSE on shifted faces than k random maps in {first['better (significant)']} "
        f"of {first['cells']} cells (target x shift x k at the strongest strength) and a "
        f"significantly higher one in {first['worse (significant)']} (Wilcoxon across "
        f"{n_subjects} subjects, Holm-corrected, alpha {_ALPHA}; with {n_subjects} subjects "
        f"no p-value falls below {min(1.0, 2 / 2**n_subjects):.3g})."
    )


def robustness_section(report, config, rows):
    report.heading("Claim 2: AU-selective maps matter most for robustness")
    rows = rows.astype({"k": int, "strength": float, "fold": int})
    means, strongest = robustness_means(rows)
    report.paragraph(
        f"Mean RMSE across subjects (both targets) on the clean test faces (`none`) and on "
        f"each shift at strength {strongest:g}; `all` keeps all maps of {config.layer}."
    )
    report.table(means)
    counts, details = claim_counts(rows, strongest)
    n_subjects = rows["subject"].nunique()
    report.paragraph(robustness_verdict(counts, n_subjects))
    report.table(counts)
    report.heading("k most AU-selective vs k random maps, per cell", level=3)
    report.table(
        details[["target", "perturbation", "k", "mean_difference", "ci_low", "ci_high", "p_holm"]]
    )
    report.figure("robustness")


def figures(config, results):
    import matplotlib.pyplot as plt

    from ..feature_maps import plot_au_selectivity, plot_layer_selectivity, plot_robustness

    selectivity = results[results["study"] == "selectivity"].astype(
        {"selective": bool, "depth": int, "map": int}
    )
    nets = list(dict.fromkeys(selectivity["net"]))
    layers, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 3.8), layout="constrained")
    for ax, net in zip(np.atleast_1d(axes), nets):
        plot_layer_selectivity(selectivity[selectivity["net"] == net], ax=ax)
        ax.set_title(f"AU selectivity per layer, {net} net (synthetic faces)")
    heatmap = plot_au_selectivity(
        selectivity[selectivity["net"] == nets[0]], layer=config.layer
    ).figure
    heatmap.suptitle(f"{nets[0]} net, synthetic faces")
    curves = plot_robustness(results[results["study"] == "robustness"], k=config.ks[0])
    curves[0].figure.suptitle("Trained on clean synthetic faces, tested on shifted ones")
    return {"layers": layers, "selectivity": heatmap, "robustness": curves[0].figure}
