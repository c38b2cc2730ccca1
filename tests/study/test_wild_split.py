"""The general nets' training and validation sets: the paper's 60/40 split of AffectNet
by image (Section 3.2), a fresh synthetic draw for the synthetic stand-in, and their
validation scores in the model folder, ``pretrain``'s output and the report."""

import dataclasses
import json

import numpy as np
import pytest
from sklearn.utils import Bunch

from sklearn_fer import cli
from sklearn_fer.persistence import read_manifest
from sklearn_fer.study import _pretraining, make_config

from ..datasets.test_affectnet import HEADER, _row, _write_image


def test_the_split_is_sixty_forty_by_image_disjoint_and_seeded():
    train, validation = _pretraining.split_by_image(1000, seed=0)
    assert (len(train), len(validation)) == (600, 400)
    assert not set(train) & set(validation)
    assert sorted([*train, *validation]) == list(range(1000))
    again, _ = _pretraining.split_by_image(1000, seed=0)
    other, _ = _pretraining.split_by_image(1000, seed=1)
    np.testing.assert_array_equal(train, again)
    assert set(other) != set(train)
    # a random draw, not the first 60% of the list
    assert 0 < np.mean(train < 600) < 0.9


def _wild(n):
    rng = np.random.default_rng(0)
    return Bunch(
        images=rng.integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8),
        valence=rng.uniform(-1, 1, n).astype(np.float32),
        arousal=rng.uniform(-1, 1, n).astype(np.float32),
    )


@pytest.fixture()
def spy(monkeypatch):
    """Records the number of images each general net trains on."""
    seen = []
    train = _pretraining._pretrain_on_one_thread

    def recording(config, index, images, y, folder, progress):
        seen.append((len(images), len(y)))
        return train(config, index, images, y, folder, progress)

    monkeypatch.setattr(_pretraining, "_pretrain_on_one_thread", recording)
    return seen


def test_real_data_train_on_sixty_percent_and_validate_on_the_rest(tmp_path, spy):
    config = dataclasses.replace(make_config("smoke"), dataset="amigos")
    wild = _wild(20)
    nets = _pretraining.general_models(
        config, wild, tmp_path, tmp_path / "home", False, lambda m: None, validate=True
    )
    assert spy == [(12, 12), (12, 12)]
    validation = read_manifest(tmp_path / "model")["metadata"]["validation"]
    assert validation["n_train"] == 12 and validation["train_fraction"] == 0.6
    assert "the paper's 40%" in validation["description"]
    _, held = _pretraining.split_by_image(20, config.seed)
    for target in ("valence", "arousal"):
        scores = validation["scores"][target]
        assert scores["n"] == 8
        prediction = nets[target].predict(wild.images[held]).ravel()
        truth = wild[target][held]
        expected = np.sqrt(np.mean((prediction.astype(np.float64) - truth) ** 2))
        assert scores["rmse"] == pytest.approx(expected, rel=1e-5)


def test_synthetic_nets_keep_every_wild_image_and_validate_on_new_people(tmp_path, spy):
    config = make_config("smoke")
    wild = _wild(30)
    _pretraining.general_models(
        config, wild, tmp_path, tmp_path / "home", False, lambda m: None, validate=True
    )
    assert spy == [(30, 30), (30, 30)]
    validation = read_manifest(tmp_path / "model")["metadata"]["validation"]
    people = round(config.pretraining.wild_subjects * 0.4 / 0.6)
    assert validation["train_fraction"] == 1.0
    assert (
        validation["scores"]["valence"]["n"] == people * config.pretraining.wild_images_per_subject
    )


def test_a_cached_model_without_scores_gets_them(tmp_path, spy):
    config = make_config("smoke")
    home = tmp_path / "home"
    _pretraining.general_models(config, _wild(10), tmp_path / "a", home, False, print)
    assert "validation" not in read_manifest(tmp_path / "a" / "model")["metadata"]
    _pretraining.general_models(
        config, _wild(10), tmp_path / "b", home, False, print, validate=True
    )
    assert len(spy) == 2  # trained once, reused
    assert "validation" in read_manifest(tmp_path / "b" / "model")["metadata"]


@pytest.fixture()
def affectnet(tmp_path):
    """Ten usable faces in AffectNet's layout."""
    root = tmp_path / "AffectNet"
    box = (20, 30, 50, 60)
    rows = []
    for i in range(10):
        _write_image(root / "Manually_Annotated_Images" / "1" / f"{i}.jpg", 20 * i, box)
        rows.append(_row(f"1/{i}.jpg", box, 1, round(-0.9 + 0.2 * i, 2), 0.1))
    lists = root / "Manually_Annotated_file_lists"
    lists.mkdir(parents=True)
    (lists / "training.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return root


@pytest.mark.slow
def test_pretrain_on_affectnet_splits_and_reports_validation(affectnet, tmp_path, capsys, spy):
    out = tmp_path / "general"
    tiny = ["--profile", "smoke", "--epochs", "1", "--hidden-units", "8", "--no-progress"]
    assert cli.main(["pretrain", "--affectnet-root", str(affectnet), "--out", str(out), *tiny]) == 0
    printed = capsys.readouterr().out
    assert "6 train (60%), 4 validate (40%)" in printed
    for target, paper in (("valence", 0.279), ("arousal", 0.242)):
        assert f"general model ({target}) on its validation set (4 images): RMSE" in printed
        assert f"the paper, on AffectNet: RMSE {paper}" in printed
    metadata = read_manifest(out)["metadata"]
    assert metadata["validation"]["scores"]["arousal"]["n"] == 4
    assert metadata["data"]["split"]["train_fraction"] == 0.6
    json.dumps(metadata)  # JSON as written


def test_pretrain_on_synthetic_faces_reports_validation(tmp_path, capsys):
    out = tmp_path / "general"
    tiny = ["--profile", "smoke", "--synthetic-people", "6", "--images-per-person", "2"]
    tiny += ["--epochs", "1", "--hidden-units", "8", "--no-progress"]
    assert cli.main(["pretrain", "--out", str(out), *tiny]) == 0
    printed = capsys.readouterr().out
    assert "general model (valence) on its validation set (8 images)" in printed
    assert read_manifest(out)["metadata"]["validation"]["scores"]["valence"]["n"] == 8
