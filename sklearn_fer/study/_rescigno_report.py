"""The report of the Rescigno study: its sections (AMIGOS participants, the general nets'
validation, the transfer conditions, the sampling curves, their tests and elbows, and
PathNet's, from :mod:`._rescigno_pathnet_report`) and its figures."""

from __future__ import annotations

import pandas as pd

from .._general_nets import TARGETS, epochs_phrase
from ..evaluation import CONDITIONS, compare_samplers, elbow_fractions, summarize
from ..evaluation._statistics import left_out_note
from ._pretraining import PAPER_VALIDATION_RMSE, SYNTHETIC_VALIDATION_SEED_OFFSET, TRAIN_FRACTION
from ._rescigno_config import PAPER
from ._rescigno_pathnet_report import paper_rows, pathnet_sections, sampling_figure_rows


def write_sections(report, config, results):
    """Add the Rescigno study's sections to ``report``."""
    if config.dataset != "synthetic":
        _participants_section(report, config, results)
    _validation_section(report, config, results[results["study"] == "general"])
    _transfer_section(report, results[results["study"] == "transfer"], config)
    paper = paper_rows(results)  # the paper's samplers, without PathNet's curves
    sampling = paper[paper["study"] == "sampling"]
    if len(sampling):
        _sampling_section(report, sampling)
        _sampler_tests_section(report, paper)
        _elbow_section(report, paper)
    if (results["condition"] == "pathnet").any():
        pathnet_sections(report, config, results)


def figures(config, results):
    """The transfer figure and, with sampling rows, the sampling curves' figure."""
    from ..plotting import plot_sampling, plot_transfer

    suffix = " (synthetic data)" if config.dataset == "synthetic" else ""
    transfer = plot_transfer(paper_rows(results), title=f"Transfer conditions{suffix}")
    drawn = {"transfer": transfer.figure}
    if (results["study"] == "sampling").any():
        axes = plot_sampling(
            sampling_figure_rows(results), title=f"Labelled fraction and RMSE{suffix}"
        )
        drawn["sampling"] = axes[0].figure
    return drawn


def frames_per_subject(results, folds):
    """Each subject's number of frames, from the transfer study's rows: every frame is
    in the training fold of all folds but one, so the training folds' sizes add up to
    ``(folds - 1)`` times it.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "condition": "transfer_100",
    ...                      "target": "valence", "subject": [3, 3, 3], "fold": [0, 1, 2],
    ...                      "n_train": [6, 6, 6]})
    >>> frames_per_subject(rows, folds=3).to_dict()
    {3: 9}
    """
    rows = results[(results["study"] == "transfer") & (results["condition"] == "transfer_100")]
    rows = rows[rows["target"] == rows["target"].iloc[0]] if len(rows) else rows
    totals = rows.groupby("subject")["n_train"].sum()
    return (totals // (folds - 1)).astype(int)


def _participants_section(report, config, results):
    from ._rescigno_config import PAPER_PARTICIPANTS

    frames = frames_per_subject(results, config.folds)
    if not len(frames):
        return
    how = (
        "named with --participants"
        if config.participants
        else f"the {config.lab_subjects} lowest participant numbers found (the profile's "
        "lab_subjects; the paper uses ten participants of experiment 1 without naming them)"
    )
    count = (
        "as in the paper"
        if len(frames) == PAPER_PARTICIPANTS
        else f"**not the paper's {PAPER_PARTICIPANTS}: a departure**"
    )
    report.heading("AMIGOS participants")
    report.paragraph(
        f"{len(frames)} participants ({count}), {how}: "
        + ", ".join(str(p) for p in frames.index)
        + ". Frames per participant, found by the loader (a face every 4 s): "
        + ", ".join(f"{p}: {n}" for p, n in frames.items())
        + f"; mean {frames.mean():.0f}. The paper says about 1000 per subject; its 16 "
        "short videos of under 250 s each give at most 16 x 250 / 4 = 1000 frames."
    )


def _validation_section(report, config, rows):
    if not len(rows):
        return
    report.heading("General nets on their validation set (the paper's Section 3.2)")
    n_train = int(rows["n_train"].iloc[0])
    if config.dataset == "synthetic":
        wild = config.pretraining
        people = max(1, round(wild.wild_subjects * (1 - TRAIN_FRACTION) / TRAIN_FRACTION))
        where = (
            f"Validation set: synthetic wild faces of {people} people no general net saw "
            f"({wild.wild_images_per_subject} each; a fresh draw with seed + "
            f"{SYNTHETIC_VALIDATION_SEED_OFFSET}, 40 people for every 60 of the "
            f"{wild.wild_subjects} training people). The nets trained on all "
            f"{n_train} synthetic wild images: the generator draws new people at will, so "
            "the paper's 60/40 split would only take training data away. The paper's "
            "figures are on AffectNet, not comparable with a cartoon generator's."
        )
    else:
        where = (
            f"The paper splits AffectNet into training (60%) and validation (40%) sets; "
            f"here a seeded draw by image (seed {config.seed}; AffectNet names no person) "
            f"of the training list's usable images: the nets trained on {n_train} of them "
            "and were scored on the other 40%. The official validation list is not part "
            "of it (it is PathNet's held-out set)."
        )
    report.paragraph(where)
    table = rows[["target", "rmse", "ccc", "pcc", "sagr"]].copy()
    table["paper rmse"] = table["target"].map(PAPER_VALIDATION_RMSE)
    table["paper ccc"] = "not stated"
    report.table(table)


def _transfer_table(summary):
    columns = ["target", "condition", "n_subjects", "rmse_mean", "rmse_std"]
    table = summary[columns + ["ccc_mean", "pcc_mean", "sagr_mean"]].copy()
    table["target"] = pd.Categorical(
        table["target"], [t for t in TARGETS if t in set(table["target"])]
    )
    table["condition"] = pd.Categorical(table["condition"], [*CONDITIONS, "pathnet"])
    table = table.sort_values(["target", "condition"])
    table["n_subjects"] = table["n_subjects"].astype(int)
    return table


#: A condition whose mean CCC is below this while its mean PCC is at least
#: FLAT_PCC_MIN predicts nearly a constant (see flat_predictions).
FLAT_CCC_MAX, FLAT_PCC_MIN = 0.1, 0.5


def flat_predictions(summary):
    """The transfer conditions whose predictions follow the labels but barely move.

    A CCC near 0 with a clearly positive PCC is a net whose outputs are in the labels'
    order but within a tiny range around their mean: close to the plateau where a
    regression net predicts the mean. Its RMSE is then about the labels' spread, whatever
    it learnt, and a comparison with it measures a barely trained net.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`~sklearn_fer.evaluation.summarize` of the transfer rows (columns
        ``target``, ``condition``, ``ccc_mean``, ``pcc_mean``).

    Returns
    -------
    pandas.DataFrame
        The rows of ``summary`` with ``ccc_mean < FLAT_CCC_MAX`` and
        ``pcc_mean >= FLAT_PCC_MIN`` or undefined (a constant has no correlation), in
        the study's order of targets (valence, arousal, then any other), each target's
        rows in their order.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"target": ["valence", "valence"],
    ...                         "condition": ["no_transfer", "transfer_0"],
    ...                         "ccc_mean": [0.016, 0.925], "pcc_mean": [0.864, 0.948]})
    >>> flat_predictions(summary)["condition"].tolist()
    ['no_transfer']
    """
    pcc = summary["pcc_mean"]
    flat = (summary["ccc_mean"] < FLAT_CCC_MAX) & ((pcc >= FLAT_PCC_MIN) | pcc.isna())
    order = {target: i for i, target in enumerate(TARGETS)}
    return summary[flat].sort_values(
        "target", key=lambda targets: targets.map(order).fillna(len(order)), kind="stable"
    )


def _flat_check(summary, config):
    flat = flat_predictions(summary)
    if not len(flat):
        return []
    listed = "; ".join(
        f"{r.condition} {r.target} (CCC {r.ccc_mean:.3f}, PCC {r.pcc_mean:.3f})"
        if pd.notna(r.pcc_mean)
        else f"{r.condition} {r.target} (CCC {r.ccc_mean:.3f}, constant predictions)"
        for r in flat.itertuples()
    )
    epochs = ""
    if "no_transfer" in set(flat["condition"]):
        epochs = (
            " No Transfer trains AlexNet from scratch for "
            f"{epochs_phrase(config.no_transfer_epochs)} on a training fold (the paper: "
            f"{PAPER.no_transfer_epochs})."
        )
    return [
        f"Predictions that follow the labels but barely move: {listed}. A CCC near 0 with "
        "a clearly positive PCC is a net close to the plateau where it predicts the mean: "
        f"its RMSE is about the labels' spread, and comparing with it measures a barely "
        f"trained net.{epochs}"
    ]


def _transfer_checks(summary):
    checks = []
    for target in TARGETS:
        means = summary[summary["target"] == target].set_index("condition")["rmse_mean"]
        if {"transfer_100", "no_transfer", "transfer_0"} <= set(means.index):
            below_nt = means["transfer_100"] < means["no_transfer"]
            below_t0 = means["transfer_100"] < means["transfer_0"]
            checks.append(
                f"{target}: Transfer 100% RMSE {means['transfer_100']:.3f}; No Transfer "
                f"{means['no_transfer']:.3f} ({'higher' if below_nt else 'NOT higher'}); "
                f"Transfer 0% {means['transfer_0']:.3f} "
                f"({'higher' if below_t0 else 'NOT higher'})."
            )
    return checks


def _transfer_section(report, transfer, config):
    summary = summarize(transfer)
    report.heading("Transfer conditions (the paper's Fig. 5)")
    report.figure("transfer")
    report.table(_transfer_table(summary))
    report.paragraph("What the generator's design implies, checked on these numbers:")
    checks = _transfer_checks(summary)
    if checks:
        report.bullets(checks)
    for note in _flat_check(summary, config):
        report.paragraph(note)
    left_out = left_out_note(summary)
    if left_out:
        report.paragraph(left_out)


def _sampling_section(report, sampling):
    summary = summarize(sampling, metrics=["rmse"])
    report.heading("Sampling curves (the paper's Fig. 6)")
    report.figure("sampling")
    report.paragraph("Mean RMSE across subjects by labelled fraction of the training fold:")
    for target in TARGETS:
        block = (
            summary[summary["target"] == target]
            .pivot_table(index="fraction", columns="sampler", values="rmse_mean")
            .reset_index()
        )
        report.paragraph(f"**{target}**")
        report.table(block)
        first, last = block.iloc[0, 1:].mean(), block.iloc[-1, 1:].mean()
        report.paragraph(
            f"Across samplers, RMSE goes from {first:.3f} at {block['fraction'].iloc[0]:.0%}"
            f" to {last:.3f} at {block['fraction'].iloc[-1]:.0%}"
            f" ({'falling' if last < first else 'NOT falling'} as the fraction grows)."
        )
    report.paragraph(seed_noise_note(sampling))


def seed_noise_note(sampling):
    """What the curves say of the seed noise of one fine-tuning.

    At a fraction of 1.0 every sampler picks the whole training fold: the same rows,
    fitted with each sampler's own seed, so the samplers' differences there are seed
    noise alone. The note gives their spread (largest minus smallest mean RMSE across
    samplers, per target), the yardstick for differences at other fractions; without a
    fraction of 1.0 it says the noise is not measured.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"target": "valence", "fraction": 1.0, "subject": [1, 1],
    ...                      "fold": 0, "sampler": ["random", "gsx"], "rmse": [0.20, 0.23],
    ...                      "study": "sampling", "condition": "fine_tuned"})
    >>> print(seed_noise_note(rows))  # doctest: +NORMALIZE_WHITESPACE
    At 100% every sampler fine-tunes on the same rows (the whole training fold) with its
    own seed, so their differences there are seed noise: the samplers' mean RMSE spans
    0.030 for valence. Differences between samplers smaller than that, at any fraction,
    are within the noise of one fit.
    """
    full = sampling[sampling["fraction"] >= 1.0]
    if not len(full) or full["sampler"].nunique() < 2:
        return (
            "These curves have no fraction of 100%, where every sampler fits the same rows "
            "and only the seeds differ: the seed noise of a fit is not measured here (add "
            "1.0 to the fractions to measure it)."
        )
    summary = summarize(full, metrics=["rmse"])
    spans = [
        (target, block["rmse_mean"].max() - block["rmse_mean"].min())
        for target, block in summary.groupby("target", sort=False)
    ]
    listed = ", ".join(f"{span:.3f} for {target}" for target, span in spans)
    return (
        "At 100% every sampler fine-tunes on the same rows (the whole training fold) with "
        "its own seed, so their differences there are seed noise: the samplers' mean RMSE "
        f"spans {listed}. Differences between samplers smaller than that, at any fraction, "
        "are within the noise of one fit."
    )


def _sampler_tests_section(report, results):
    tests = compare_samplers(results)
    n_subjects = results["subject"].nunique()
    report.heading("Each sampler against random, paired by subject", level=3)
    report.paragraph(
        "The paper reports no significant difference without a test. Here each subject's "
        "mean over folds is one pair (folds share a subject's frames, subjects do not): "
        "`mean_difference` is the sampler's RMSE minus random's (negative: the sampler is "
        "better) with its 95% Student-t interval across subjects (`ci_low`, `ci_high`); "
        "`p_value` is the two-sided Wilcoxon signed-rank test and `p_holm` the same after "
        "Holm's correction over the samplers compared at each target and fraction. With "
        f"{n_subjects} subjects no p-value can fall below {min(1.0, 2 / 2**n_subjects):.4f}. "
        "`p_corrected` pairs every subject and fold instead, with the corrected resampled "
        "t-test of Nadeau & Bengio (2003), which inflates the variance for what the folds "
        "of one cross-validation share (conservative across subjects, which share nothing); "
        "`p_corrected_holm` is it after Holm's correction."
    )
    if len(tests):
        report.table(tests.drop(columns=["statistic", "min_p"]))
        for column, test in (("p_holm", "Wilcoxon"), ("p_corrected_holm", "corrected t")):
            significant = tests[tests[column] < 0.05]
            listed = "; ".join(
                f"{r.target} {r.fraction:.0%} {r.sampler} ({r.mean_difference:+.3f})"
                for r in significant.itertuples()
            )
            report.paragraph(
                f"Differences significant at 0.05 after Holm's correction ({test} test): "
                f"{listed or 'none'}."
            )
    else:
        report.paragraph("Not enough subjects.")


def _elbow_section(report, results):
    report.heading("Elbow fractions", level=3)
    report.paragraph(
        "The fraction where each mean curve bends most: the point farthest below "
        "the chord joining the curve's first and last points, both axes rescaled "
        "to [0, 1] (the 'kneedle' rule). NaN: no bend."
    )
    report.table(elbow_fractions(results))
