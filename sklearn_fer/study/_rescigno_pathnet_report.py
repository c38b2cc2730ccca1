"""The report's PathNet sections (issue 13): PathNet transfer against fine-tuning, its
sampling curves, forgetting on held-out wild data, and the cross-domain transfer."""

from __future__ import annotations

import numpy as np

from .._general_nets import TARGETS
from ..evaluation import FORGETTING_CONDITIONS, compare_conditions, summarize
from ._related import related_work_section

_TEST_NOTE = (
    "Paired by subject (each subject's mean over folds is one pair): `mean_difference` is "
    "PathNet's RMSE minus fine-tuning's (negative: PathNet is better) with its 95% "
    "Student-t interval across subjects; `p_value` is the two-sided Wilcoxon signed-rank "
    "test, `p_holm` the same after Holm's correction over the targets; `min_p` is the "
    "smallest p-value the number of subjects allows."
)


def paper_rows(results):
    """The rows of the paper's own conditions and samplers (no PathNet, no extras)."""
    keep = results["study"].isin(["transfer", "sampling"]) & (results["condition"] != "pathnet")
    return results[keep]


def sampling_figure_rows(results):
    """Sampling rows with PathNet's curves named as samplers of their own, for the figure."""
    rows = results[results["study"].isin(["transfer", "sampling"])].copy()
    pathnet = (rows["study"] == "sampling") & (rows["condition"] == "pathnet")
    rows.loc[pathnet, "sampler"] = "PathNet, " + rows.loc[pathnet, "sampler"].astype(str)
    rows.loc[pathnet, "condition"] = "fine_tuned"
    transfer_pathnet = (rows["study"] == "transfer") & (rows["condition"] == "pathnet")
    return rows[~transfer_pathnet]


def _verdict(tests, what):
    lines = []
    for row in tests.itertuples():
        if not np.isfinite(row.mean_difference):
            continue
        significant = np.isfinite(row.p_holm) and row.p_holm < 0.05
        if row.mean_difference == 0:
            compared = "PathNet's RMSE equals fine-tuning's in every pair"
        else:
            better = "lower" if row.mean_difference < 0 else "higher"
            compared = (
                f"PathNet's RMSE is {better} than fine-tuning's by "
                f"{abs(row.mean_difference):.3f} (95% CI {row.ci_low:+.3f} to "
                f"{row.ci_high:+.3f}, p_holm {row.p_holm:.3f})"
            )
        lines.append(
            f"{what}, {row.target}: {compared}: "
            + (
                ("PathNet beats fine-tuning" if row.mean_difference < 0 else "fine-tuning wins")
                if significant
                else "no significant difference"
            )
            + "."
        )
    return lines


def _evolution_times(report, transfer):
    seconds = transfer.groupby(["condition", "subject", "fold", "target"])["fit_seconds"].first()
    table = (
        seconds.groupby("condition")
        .agg(["mean", "median", "max", "count"])
        .rename(columns={"count": "fits"})
        .reset_index()
    )
    table = table[table["condition"].isin(["pathnet", "transfer_100"])]
    report.paragraph(
        "Wall seconds per fold and target of PathNet's evolution and final training "
        "(`fit_seconds` of PathNet transfer) beside the dense head's fine-tuning (Transfer "
        "100%), on this machine with this run's `--n-jobs` (a shared machine inflates both):"
    )
    report.table(table)


def _transfer_part(report, results):
    transfer = results[results["study"] == "transfer"]
    report.heading("PathNet transfer against fine-tuning (wild -> lab)", level=3)
    report.paragraph(
        "The general path is evolved on the wild set's frozen conv features (one per "
        "target, under that target's general AlexNet); each subject's path is evolved on "
        "the training fold with the general path frozen (`PathNetRegressor(source=...)`, "
        "head copied from the general task's). The transfer table above lists it as "
        "`pathnet`. " + _TEST_NOTE
    )
    tests = compare_conditions(transfer, "pathnet", "transfer_100")
    report.table(tests.drop(columns=["statistic"]))
    report.bullets(_verdict(tests, "wild -> lab"))
    _evolution_times(report, transfer)


def _sampling_part(report, results):
    sampling = results[results["study"] == "sampling"]
    pathnet_samplers = sorted(set(sampling.loc[sampling["condition"] == "pathnet", "sampler"]))
    if not pathnet_samplers:
        return
    sampling = sampling[sampling["sampler"].isin(pathnet_samplers)]
    summary = summarize(sampling, metrics=["rmse"])
    report.heading("PathNet on the sampling curves", level=3)
    report.paragraph(
        "Mean RMSE across subjects by labelled fraction: the dense head fine-tuned "
        "(`fine_tuned`) and PathNet (`pathnet`) on the same sampled frames (same sampler "
        "seeds)."
    )
    for target in TARGETS:
        block = summary[summary["target"] == target]
        if block.empty:
            continue
        table = block.pivot_table(
            index="fraction", columns=["sampler", "condition"], values="rmse_mean"
        )
        table.columns = [f"{sampler} {condition}" for sampler, condition in table.columns]
        report.paragraph(f"**{target}**")
        report.table(table.reset_index())


def _forgetting_part(report, results):
    forgetting = results[results["study"] == "forgetting"]
    if forgetting.empty:
        return
    report.heading("Forgetting: the general domain after personalising", level=3)
    report.paragraph(
        "RMSE on held-out wild images no model was trained on, before and after each "
        "subject's personalisation (mean across subjects of each subject's mean over "
        "folds). `dense_head_general`: the general net's head; `dense_head_personal`: that "
        "head fine-tuned on the training fold (Transfer 100%'s head, refitted with its "
        "seed); `pathnet_general`: the general PathNet; `pathnet_general_after`: the "
        "general task through the personal PathNet; `pathnet_personal`: the personal path."
    )
    summary = summarize(forgetting, metrics=["rmse"])
    table = summary.pivot_table(index="condition", columns="target", values="rmse_mean")
    table = table.reindex([c for c in FORGETTING_CONDITIONS if c in table.index])
    report.table(table[[t for t in TARGETS if t in table.columns]].reset_index())
    wide = forgetting.pivot_table(
        index=["subject", "fold", "target"], columns="condition", values="rmse"
    )
    change = wide["dense_head_personal"] - wide["dense_head_general"]
    exact = int((wide["pathnet_general_after"] == wide["pathnet_general"]).sum())
    report.bullets(
        [
            f"Fine-tuning the dense head changes its wild RMSE by {change.mean():+.3f} on "
            f"average (from {change.min():+.3f} to {change.max():+.3f} across "
            f"{len(change)} folds and targets): the personal head is no longer the general "
            "model; only a kept copy of the general head keeps its error.",
            f"PathNet's general task keeps its wild RMSE exactly in {exact} of {len(wide)} "
            "folds and targets (equal floats: its path and head are frozen).",
        ]
    )


def _cross_domain_part(report, results):
    cross = results[results["study"] == "cross_domain"]
    if cross.empty:
        return
    report.heading("Cross-domain transfer: valence -> arousal", level=3)
    report.paragraph(
        "The valence models as the source of each subject's arousal: the valence net's "
        "dense head fine-tuned on the arousal targets (`transfer_100`) against a personal "
        "arousal path evolved with the general valence path frozen and a new head "
        "(`pathnet`), on the valence net's conv features. " + _TEST_NOTE
    )
    tests = compare_conditions(results, "pathnet", "transfer_100", study="cross_domain")
    report.table(tests.drop(columns=["statistic"]))
    report.bullets(_verdict(tests, "valence -> arousal"))


def pathnet_sections(report, config, results):
    """Write the PathNet sections, after the paper's."""
    synthetic = " (synthetic data)" if config.dataset == "synthetic" else ""
    report.heading(f"PathNet personalisation{synthetic}")
    report.paragraph(
        "A second way to make a person's model from the general one (issue 13; Fernando "
        "et al. 2017, and the 2023 meta-transfer paper): instead of fine-tuning the dense "
        "head, evolve a personal path through a modular network whose general path is "
        "frozen. Not part of Rescigno et al.; the paper's rows above are unchanged by it."
        + (
            " All numbers here are on synthetic faces: they test the code, not the method."
            if synthetic
            else ""
        )
    )
    related_work_section(report, "pathnet")
    _transfer_part(report, results)
    _sampling_part(report, results)
    _forgetting_part(report, results)
    _cross_domain_part(report, results)
