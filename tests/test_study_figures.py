"""tools/study_figures.py: the README's study section is written from results.csv, and a
README that drifted from a fresh run fails the check."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

spec = importlib.util.spec_from_file_location(
    "study_figures", Path(__file__).parents[1] / "tools" / "study_figures.py"
)
study_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(study_figures)


def _run_folder(tmp_path, transfer_100_arousal=0.15, no_transfer_ccc=0.5):
    rows, rng = [], np.random.default_rng(0)
    for subject in range(6):
        for target in ("valence", "arousal"):
            for condition, rmse in (("no_transfer", 0.5), ("transfer_0", 0.3)):
                rows.append(("transfer", condition, "none", 1.0, target, subject, rmse))
            best = 0.1 if target == "valence" else transfer_100_arousal
            rows.append(("transfer", "transfer_100", "none", 1.0, target, subject, best))
            for sampler in ("random", "gsx"):
                for fraction in (0.1, 0.5):
                    rmse = 0.3 - 0.2 * fraction + rng.normal(0, 0.01)
                    rows.append(
                        ("sampling", "fine_tuned", sampler, fraction, target, subject, rmse)
                    )
    results = pd.DataFrame(
        rows, columns=["study", "condition", "sampler", "fraction", "target", "subject", "rmse"]
    )
    results = results.assign(fold=0, ccc=0.5, pcc=0.5, sagr=0.5)
    no_transfer = results["condition"] == "no_transfer"
    results.loc[no_transfer, "ccc"] = no_transfer_ccc
    results.loc[no_transfer, "pcc"] = 0.8
    out = tmp_path / "run"
    out.mkdir(parents=True)
    results.to_csv(out / "results.csv", index=False)
    (out / "config.json").write_text(
        json.dumps(
            {"profile": "quick", "lab_frames_per_subject": 60, "folds": 5, "no_transfer_epochs": 6}
        )
    )
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{study_figures.BEGIN}\n{study_figures.END}\n\nmore\n")
    return out, readme


def _main(*arguments):
    return study_figures.main([str(a) for a in arguments])


def test_written_section_holds_the_runs_numbers_and_passes_the_check(tmp_path):
    out, readme = _run_folder(tmp_path)
    assert _main("--write", "--out", out, "--readme", readme) == 0
    text = readme.read_text()
    assert text.startswith("# title\n") and text.endswith("\n\nmore\n")
    assert "| Transfer 100% (dense head fine-tuned on the training fold) | 0.100 ± 0.000 |" in text
    assert "6 synthetic subjects x 60 frames, 5-fold" in text
    assert "for both targets" in text
    assert _main("--check", "--out", out, "--readme", readme) == 0


def test_a_number_that_drifted_beyond_the_tolerance_fails_the_check(tmp_path, capsys):
    out, readme = _run_folder(tmp_path)
    _main("--write", "--out", out, "--readme", readme)
    text = readme.read_text()
    readme.write_text(text.replace("0.100 ± 0.000", "0.101 ± 0.000"))
    assert _main("--check", "--out", out, "--readme", readme) == 0  # within 0.002
    readme.write_text(text.replace("0.100 ± 0.000", "0.103 ± 0.000"))
    assert _main("--check", "--out", out, "--readme", readme) == 1
    assert "README says 0.103, this run gives 0.100" in capsys.readouterr().err


def test_a_conclusion_that_no_longer_holds_fails_the_check(tmp_path, capsys):
    out, readme = _run_folder(tmp_path)
    _main("--write", "--out", out, "--readme", readme)
    worse_out, _ = _run_folder(tmp_path / "worse", transfer_100_arousal=0.6)
    assert _main("--check", "--out", worse_out, "--readme", readme) == 1
    assert "the text differs" in capsys.readouterr().err
    _main("--write", "--out", worse_out, "--readme", readme)
    assert "for valence only" in readme.read_text()


def test_a_baseline_whose_predictions_barely_move_is_named_with_its_numbers(tmp_path):
    out, _ = _run_folder(tmp_path)
    assert "barely move" not in study_figures.render(out)  # CCC 0.5: nothing to say
    flat_out, _ = _run_folder(tmp_path / "flat", no_transfer_ccc=0.02)
    text = study_figures.render(flat_out)
    assert (
        "The predictions of No Transfer (valence CCC 0.020 with PCC 0.800, arousal CCC "
        "0.020 with PCC 0.800) follow the labels' order but barely move" in text
    )
    assert "for 6 epochs on a training fold (the paper: 50)" in text


def test_a_readme_without_the_markers_is_refused(tmp_path):
    out, readme = _run_folder(tmp_path)
    readme.write_text("no markers here\n")
    with pytest.raises(SystemExit, match="no study section"):
        _main("--check", "--out", out, "--readme", readme)


def test_pathnet_rows_leave_the_papers_sentences_alone_and_get_their_own(tmp_path):
    out, readme = _run_folder(tmp_path)
    paper_only = study_figures.render(out)
    results = pd.read_csv(out / "results.csv")
    extra = []
    for row in results[results["condition"] == "transfer_100"].itertuples():
        extra.append({**row._asdict(), "condition": "pathnet", "rmse": row.rmse + 0.05})
    for row in results[results["study"] == "sampling"].itertuples():
        extra.append({**row._asdict(), "condition": "pathnet", "rmse": 9.0})
    for row in results[results["condition"] == "transfer_100"].itertuples():
        for condition, rmse in (
            ("dense_head_general", 0.4),
            ("dense_head_personal", 0.45),
            ("pathnet_general", 0.42),
            ("pathnet_general_after", 0.42),
            ("pathnet_personal", 0.5),
        ):
            extra.append(
                {**row._asdict(), "study": "forgetting", "condition": condition, "rmse": rmse}
            )
    extra = pd.DataFrame(extra).drop(columns="Index")
    pd.concat([results, extra]).to_csv(out / "results.csv", index=False)
    with_pathnet = study_figures.render(out)
    # the paper's blocks are unchanged (PathNet's curves of 9.0 RMSE would move them)
    assert with_pathnet.startswith(paper_only[: -len(study_figures.END)])
    assert "mean RMSE against Transfer 100%: valence 0.150 against 0.100" in with_pathnet
    assert "changes the dense head's RMSE by +0.050 on average" in with_pathnet
    assert "keeps its RMSE exactly in every fold." in with_pathnet
