"""The report's "paper" column holds only what a paper states; AMIGOS' ten participants
(Rescigno et al. 2020, Section 3.1) are the default and any other count is a departure."""

import dataclasses

import pandas as pd
import pytest

from sklearn_fer._general_nets import flat_settings
from sklearn_fer.study import STUDIES, make_config
from sklearn_fer.study._data import amigos_participants
from sklearn_fer.study._nasri_config import NASRI_PAPER
from sklearn_fer.study._report import NOT_STATED, Report
from sklearn_fer.study._rescigno_config import PAPER_GAPS, deviations
from sklearn_fer.study._rescigno_report import _participants_section, frames_per_subject

# What the paper gives no value for (Section 3.2 lists pre-training's settings only).
UNSTATED = [
    "head_optimizer",
    "head_lr",
    "head_batch_size",
    "head_epochs",
    "no_transfer_optimizer",
    "no_transfer_lr",
    "no_transfer_epochs",
    "pathnet_population",
    "pathnet_generations",
    "pathnet_steps",
    "pathnet_epochs",
]


@pytest.mark.parametrize("profile", ["smoke", "quick", "paper"])
def test_unstated_settings_read_not_stated_in_every_profile(profile):
    rows = {row[0]: row for row in deviations(make_config(profile))}
    for name in UNSTATED + ["wild_subjects", "image_size"]:
        setting, paper, here, why = rows[name]
        assert paper == NOT_STATED, name
        assert here == flat_settings(make_config(profile))[name] and why
    # what the paper does state keeps its value, and only where the profile departs
    if profile == "paper":
        assert "pretrain_lr" not in rows and "folds" not in rows
    else:
        assert rows["pretrain_epochs"][1] == 50
        assert rows["lab_frames_per_subject"][1] == "about 1000"


def test_the_gap_note_on_fine_tuning_shows_in_every_profile():
    study = STUDIES["rescigno"]
    for profile in ("smoke", "quick", "paper"):
        gaps = dict(study.paper_gaps(make_config(profile)))
        assert "no fine-tuning settings" in gaps["head_optimizer"]
        assert "no fine-tuning settings" in gaps["head_epochs"]
    assert set(PAPER_GAPS) >= set(UNSTATED)


def test_nasri_paper_column_states_only_the_backbone_expressions_and_fine_tuning():
    study = STUDIES["nasri"]
    for profile in ("quick", "paper"):
        rows = {row[0]: row for row in study.deviations(study.configure(profile))}
        for name in (
            "wild_images",
            "lab_subjects",
            "lab_frames_per_subject",
            "pretrain_epochs",
            "scratch_epochs",
            "head_epochs",
            "folds",
            "lr",
            "batch_size",
        ):
            assert rows[name][1] == NOT_STATED, (profile, name)
            assert rows[name][2] == getattr(study.configure(profile), name)
    quick = {row[0]: row for row in study.deviations(study.configure("quick"))}
    assert quick["backbone"][1] == NASRI_PAPER.backbone == "xception"


def _amigos_tree(root, numbers):
    for n in numbers:
        folder = root / f"Exp1_P{n:02d}_face"
        folder.mkdir(parents=True)
        (folder / f"P{n:02d}_10_face.mov").write_bytes(b"")
    return root


def test_the_paper_profile_takes_the_ten_lowest_participants(tmp_path):
    root = _amigos_tree(tmp_path, [40, 3, 12, 1, 7, 22, 5, 9, 31, 2, 18, 11])
    paper = make_config("paper", dataset="amigos")
    assert amigos_participants(paper, root) == [1, 2, 3, 5, 7, 9, 11, 12, 18, 22]
    assert amigos_participants(make_config("quick", dataset="amigos"), root) == [1, 2, 3, 5, 7]
    chosen = make_config("paper", dataset="amigos", participants=[40, 3])
    assert amigos_participants(chosen, root) == [3, 40]


def test_a_count_other_than_ten_is_a_departure():
    assert "participants" not in {r[0] for r in deviations(make_config("paper", dataset="amigos"))}
    rows = {r[0]: r for r in deviations(make_config("quick", dataset="amigos"))}
    assert rows["participants"][1] == "10 of experiment 1 (not named)"
    assert "5 participants, not the paper's 10" in rows["participants"][3]
    named = {
        r[0]: r for r in deviations(make_config("paper", dataset="amigos", participants=[4, 8, 15]))
    }
    assert named["participants"][2] == "4, 8, 15"


def _transfer_rows(frames_by_subject, folds):
    rows = []
    for subject, n in frames_by_subject.items():
        sizes = [n // folds + (1 if i < n % folds else 0) for i in range(folds)]
        for fold, test_size in enumerate(sizes):
            for target in ("valence", "arousal"):
                rows.append(
                    dict(
                        study="transfer",
                        condition="transfer_100",
                        target=target,
                        subject=subject,
                        fold=fold,
                        n_train=n - test_size,
                    )
                )
    return pd.DataFrame(rows)


def test_frames_per_participant_come_from_the_folds_and_the_report_names_who():
    results = _transfer_rows({1: 347, 2: 1003, 5: 12}, folds=5)
    assert frames_per_subject(results, 5).to_dict() == {1: 347, 2: 1003, 5: 12}
    report = Report()
    config = dataclasses.replace(make_config("paper", dataset="amigos"), lab_subjects=3)
    _participants_section(report, config, results)
    text = report.text()
    assert "3 participants (**not the paper's 10: a departure**)" in text
    assert ": 1, 2, 5." in text and "1: 347, 2: 1003, 5: 12" in text
    assert "about 1000" in text


def test_the_user_guide_holds_the_reports_tables_of_the_related_works():
    import re
    from pathlib import Path

    from sklearn_fer.study._related import RELATED_WORKS

    guide = Path(__file__).parents[2] / "docs" / "user_guide.rst"
    text = re.sub(r"\s+", " ", guide.read_text())
    for work in RELATED_WORKS.values():
        assert work["title"].replace("*", "") in text
        for row in work["rows"]:
            assert " - ".join(row) in text, row
