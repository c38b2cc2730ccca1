"""The README's study figures, written from a ``results.csv`` and checked against one.

Every number in README.md's section on the study comes from the quick study that
``make reproduce`` runs. This script writes that section from the run's output folder
(``results.csv`` and ``config.json``), between the markers

    <!-- study:begin ... -->
    <!-- study:end -->

and CI checks it: ``--check`` writes the section again from a fresh run and fails when
any sentence differs, or any number differs by more than ``--tolerance`` (0.002).

Run::

    python tools/study_figures.py --write  [--out sklearn_fer_results/quick]
    python tools/study_figures.py --check  [--out sklearn_fer_results/quick]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pandas as pd

from sklearn_fer._general_nets import epochs_phrase
from sklearn_fer.evaluation import compare_samplers, summarize
from sklearn_fer.study import PAPER
from sklearn_fer.study._rescigno_report import flat_predictions

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- study:begin: written by `python tools/study_figures.py --write`; CI checks it -->"
END = "<!-- study:end -->"
CONDITIONS = {
    "no_transfer": "No Transfer (AlexNet trained on the subject only)",
    "transfer_0": "Transfer 0% (general model, no personal data)",
    "transfer_100": "Transfer 100% (dense head fine-tuned on the training fold)",
}
TARGETS = ("valence", "arousal")
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _transfer_table(summary):
    lines = ["| condition | valence | arousal |", "|---|---|---|"]
    for condition, label in CONDITIONS.items():
        cells = []
        for target in TARGETS:
            row = summary[(summary["condition"] == condition) & (summary["target"] == target)]
            cells.append(f"{row['rmse_mean'].item():.3f} ± {row['rmse_std'].item():.3f}")
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _transfer_sentences(summary):
    means = summary.set_index(["target", "condition"])["rmse_mean"]
    best = [t for t in TARGETS if means[t].idxmin() == "transfer_100"]
    if len(best) == len(TARGETS):
        first = "Transfer 100% has the lowest RMSE of the three conditions for both targets"
    elif best:
        first = f"Transfer 100% has the lowest RMSE of the three conditions for {best[0]} only"
    else:
        first = "Transfer 100% does not have the lowest RMSE for either target"
    better = min(TARGETS, key=lambda t: means[t, "transfer_0"])
    worse = max(TARGETS, key=lambda t: means[t, "transfer_0"])
    return (
        f"{first}, and the general model transfers {better} better than {worse} "
        f"(Transfer 0%: {means[better, 'transfer_0']:.3f} against "
        f"{means[worse, 'transfer_0']:.3f})."
    )


def _flat_sentence(summary, config):
    """Which conditions barely move their predictions (CCC near 0, PCC clearly positive)."""
    flat = flat_predictions(summary[summary["condition"].isin(list(CONDITIONS))])
    if not len(flat):
        return None
    parts = []
    for condition, rows in flat.groupby("condition", sort=False):
        name = CONDITIONS[condition].split(" (")[0]
        cells = ", ".join(
            f"{r.target} CCC {r.ccc_mean:.3f} with PCC {r.pcc_mean:.3f}"
            if pd.notna(r.pcc_mean)
            else f"{r.target} CCC {r.ccc_mean:.3f}, constant"
            for r in rows.itertuples()
        )
        parts.append(f"{name} ({cells})")
    sentence = (
        f"The predictions of {' and '.join(parts)} follow the labels' order but barely move "
        "from their mean: a net close to the plateau where it predicts the mean, whose RMSE "
        "is about the labels' spread"
    )
    if "no_transfer" in set(flat["condition"]):
        sentence += (
            "; No Transfer trains AlexNet from scratch for "
            f"{epochs_phrase(config['no_transfer_epochs'])} "
            f"on a training fold (the paper: {PAPER.no_transfer_epochs}), so the gap to "
            "it measures a barely trained baseline"
        )
    return sentence + "."


def _curve_sentence(sampling):
    summary = summarize(sampling, metrics=["rmse"])
    parts = []
    for target in TARGETS:
        curve = summary[summary["target"] == target].groupby("fraction")["rmse_mean"].mean()
        direction = "falls" if curve.iloc[-1] < curve.iloc[0] else "does not fall"
        parts.append(
            f"{target} {direction} from {curve.iloc[0]:.3f} at {curve.index[0]:.0%} to "
            f"{curve.iloc[-1]:.3f} at {curve.index[-1]:.0%}"
        )
    return "Averaged over the samplers, the RMSE of the sampling curves: " + "; ".join(parts) + "."


def _sampler_sentences(results, n_subjects):
    tests = compare_samplers(results)
    significant = tests[tests["p_holm"] < 0.05]
    largest = tests.loc[tests["mean_difference"].abs().idxmax()]
    text = [
        f"Each sampler against random, paired across the {n_subjects} subjects (the exact "
        f"two-sided Wilcoxon test cannot go below p = {tests['min_p'].min():.4f} with "
        f"{n_subjects}): the largest mean difference is {largest['sampler']} for "
        f"{largest['target']} at {largest['fraction']:.0%}, {largest['mean_difference']:+.3f} "
        f"RMSE (95% interval {largest['ci_low']:+.3f} to {largest['ci_high']:+.3f}, "
        f"p = {largest['p_value']:.3f})."
    ]
    if len(significant):
        listed = "; ".join(
            f"{r.sampler} for {r.target} at {r.fraction:.0%} ({r.mean_difference:+.3f}, "
            f"p_holm = {r.p_holm:.3f})"
            for r in significant.itertuples()
        )
        text.append(
            f"After Holm's correction over the samplers at each target and fraction, "
            f"{len(significant)} of {len(tests)} comparisons are significant at 0.05: "
            f"{listed}."
        )
    else:
        text.append(
            f"After Holm's correction over the samplers at each target and fraction, none "
            f"of the {len(tests)} comparisons is significant at 0.05, as the paper found."
        )
    corrected = tests[tests["p_corrected_holm"] < 0.05]
    listed = "; ".join(
        f"{r.sampler} for {r.target} at {r.fraction:.0%} ({r.mean_difference:+.3f}, "
        f"p = {r.p_corrected_holm:.3f})"
        for r in corrected.itertuples()
    )
    text.append(
        "Pairing every subject and fold instead, with the corrected resampled t-test "
        "(Nadeau & Bengio 2003: the variance inflated for what the folds share), "
        + (
            f"{len(corrected)} of {len(tests)} comparisons are significant at 0.05 after "
            f"Holm's correction: {listed}."
            if len(corrected)
            else f"none of the {len(tests)} comparisons is significant at 0.05 after Holm's "
            "correction."
        )
    )
    return " ".join(text)


def _pathnet_sentences(results):
    """PathNet transfer against fine-tuning, and forgetting (issue 13), when they ran."""
    rows = results[
        (results["study"] == "transfer") & results["condition"].isin(["pathnet", "transfer_100"])
    ]
    means = summarize(rows, metrics=["rmse"]).set_index(["target", "condition"])["rmse_mean"]
    parts = [
        f"{t} {means[t, 'pathnet']:.3f} against {means[t, 'transfer_100']:.3f}" for t in TARGETS
    ]
    text = (
        "PathNet transfer (not in the paper: a personal path evolved with the general path "
        "frozen), mean RMSE against Transfer 100%: " + "; ".join(parts) + "."
    )
    forgetting = results[results["study"] == "forgetting"]
    if len(forgetting):
        wide = forgetting.pivot_table(
            index=["subject", "fold", "target"], columns="condition", values="rmse"
        )
        change = (wide["dense_head_personal"] - wide["dense_head_general"]).mean()
        exact = bool((wide["pathnet_general_after"] == wide["pathnet_general"]).all())
        text += (
            f" On held-out wild faces, fine-tuning changes the dense head's RMSE by "
            f"{change:+.3f} on average; PathNet's general task keeps its RMSE "
            + ("exactly in every fold." if exact else "NOT exactly in every fold.")
        )
    return text


def render(out):
    """The README section, from the output folder of a quick study."""
    everything = pd.read_csv(out / "results.csv")
    # the paper's conditions and samplers only; PathNet's rows get a paragraph of their own
    paper = everything["study"].isin(["transfer", "sampling"])
    results = everything[paper & (everything["condition"] != "pathnet")]
    config = json.loads((out / "config.json").read_text())
    transfer = summarize(results[results["study"] == "transfer"])
    sampling = results[results["study"] == "sampling"]
    n_subjects = results["subject"].nunique()
    intro = (
        f"`sklearn-fer reproduce --profile {config['profile']} --n-jobs 2` "
        f"({n_subjects} synthetic subjects x {config['lab_frames_per_subject']} frames, "
        f"{config['folds']}-fold cross-validation per subject, twin nets for valence and "
        "arousal), mean RMSE across subjects (± standard deviation across subjects):"
    )
    blocks = [
        BEGIN,
        intro,
        _transfer_table(transfer),
        _transfer_sentences(transfer),
        _flat_sentence(transfer, config),
        _curve_sentence(sampling),
        _sampler_sentences(results, n_subjects),
    ]
    if (everything["condition"] == "pathnet").any():
        blocks.append(_pathnet_sentences(everything))
    blocks.append(END)
    return "\n\n".join(block for block in blocks if block is not None)


def _section(text, path):
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: no study section between {BEGIN!r} and {END!r}")
    return start, end + len(END)


def compare(written, fresh, tolerance):
    """Differences between two renderings: sentences that differ, numbers that drift."""
    problems = []
    if NUMBER.sub("#", written) != NUMBER.sub("#", fresh):
        problems.append("the text differs (beyond its numbers): rewrite it with --write")
        return problems
    for old, new in zip(NUMBER.findall(written), NUMBER.findall(fresh)):
        if abs(float(old) - float(new)) > tolerance:
            problems.append(f"README says {old}, this run gives {new}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the README's section")
    mode.add_argument("--check", action="store_true", help="fail if the README has drifted")
    parser.add_argument("--out", type=Path, default=ROOT / "sklearn_fer_results" / "quick")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--tolerance", type=float, default=0.002)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    start, end = _section(text, args.readme)
    fresh = render(args.out)
    if args.write:
        args.readme.write_text(text[:start] + fresh + text[end:], encoding="utf-8")
        print(f"{args.readme}: study section written from {args.out}")
        return 0
    problems = compare(text[start:end], fresh, args.tolerance)
    for problem in problems:
        print(f"{args.readme}: {problem}", file=sys.stderr)
    if problems:
        print("--- this run gives ---\n" + fresh, file=sys.stderr)
        return 1
    print(f"{args.readme}: every study figure matches {args.out / 'results.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
