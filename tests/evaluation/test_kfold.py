"""Nasri et al.'s k-fold protocol: tidy rows, folds that keep a person whole, models that
start where they should (random, the pre-trained head, the whole pre-trained net), seeds,
the resumable store, and clear errors for bad input."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import confusion_matrix

from sklearn_fer import AlexNetRegressor, BackboneClassifier, DenseHeadClassifier, FusedAdam
from sklearn_fer.datasets import LazyImages, make_faces
from sklearn_fer.evaluation import (
    KFOLD_COLUMNS,
    KFOLD_CONDITIONS,
    evaluate_training_sets,
    pooled_confusion,
)
from sklearn_fer.evaluation import _kfold as kfold_module

CLASSES = list(range(7))


def scratch_net(**params):
    defaults = dict(max_epochs=1, batch_size=16, optimizer=FusedAdam, lr=1e-3, random_state=0)
    return BackboneClassifier("mini_xception", **{**defaults, **params})


HEAD = DenseHeadClassifier(None, max_epochs=2, optimizer=FusedAdam, lr=1e-3, batch_size=16)


@pytest.fixture(scope="module")
def wild():
    return make_faces(24, 1, domain="wild", n_expressions=7, random_state=0)


@pytest.fixture(scope="module")
def lab():
    return make_faces(4, 8, n_expressions=7, random_state=1)


@pytest.fixture(scope="module")
def pretrained(wild):
    # A classifier whose output units are labelled by the classes: fine-tuning keeps them.
    return scratch_net(classes=CLASSES, random_state=3).fit(wild.images, wild.expression)


def run(wild, lab, **kwargs):
    params = dict(lab_groups=lab.subject, classes=CLASSES, cv=2, scratch=scratch_net(), head=HEAD)
    params.update(kwargs)
    return evaluate_training_sets(
        wild.images, wild.expression, lab.images, lab.expression, **params
    )


@pytest.fixture(scope="module")
def results(wild, lab, pretrained):
    return run(wild, lab, pretrained=pretrained, conditions=KFOLD_CONDITIONS)


def test_results_are_tidy(results, wild, lab):
    assert list(results.columns) == KFOLD_COLUMNS
    assert len(results) == 2 * 3 * 3 * 2  # folds x training sets x conditions x test sets
    assert results.groupby(["training_set", "condition", "test_set"]).size().eq(2).all()
    test_sizes = results.groupby(["training_set", "condition", "test_set"])["n_test"].sum()
    assert set(test_sizes.xs("wild", level="test_set")) == {len(wild.images)}
    assert set(test_sizes.xs("lab", level="test_set")) == {len(lab.images)}
    # n_train: the training fold of the set, or of both sets
    fold0 = results[(results["fold"] == 0) & (results["test_set"] == "wild")]
    n_train = fold0.groupby("training_set")["n_train"].first()
    wild_test = results.query("fold == 0 and test_set == 'wild'")["n_test"].iloc[0]
    lab_test = results.query("fold == 0 and test_set == 'lab'")["n_test"].iloc[0]
    assert n_train["wild"] == len(wild.images) - wild_test
    assert n_train["lab"] == len(lab.images) - lab_test
    assert n_train["both"] == n_train["wild"] + n_train["lab"]
    splitters = results.groupby("test_set")["splitter"].unique()
    assert splitters["wild"].tolist() == ["StratifiedKFold"]
    assert splitters["lab"].tolist() == ["StratifiedGroupKFold"]


def test_scores_agree_with_each_rows_confusion_matrix(results):
    for row in results.itertuples():
        matrix = json.loads(row.confusion)
        counts = np.asarray(matrix["counts"])
        assert matrix["labels"] == CLASSES
        assert counts.sum() == row.n_test
        assert row.accuracy == pytest.approx(np.trace(counts) / counts.sum())
    assert results[["balanced_accuracy", "macro_f1", "cohen_kappa"]].notna().all().all()


def test_subject_folds_keep_each_person_within_one_fold(wild, lab, monkeypatch):
    seen = {}
    original = kfold_module._training_set_unit

    def spy(unit):
        train, test = unit["train"]["lab"], unit["test"]["lab"]
        seen[unit["fold"]] = (set(lab.subject[train]), set(lab.subject[test]))
        return original(unit)

    monkeypatch.setattr(kfold_module, "_training_set_unit", spy)
    run(wild, lab, training_sets=["lab"])
    assert sorted(seen) == [0, 1]
    assert all(not (train & test) for train, test in seen.values())
    seen.clear()
    frames = run(wild, lab, training_sets=["lab"], lab_groups=None)
    assert set(frames.loc[frames["test_set"] == "lab", "splitter"]) == {"StratifiedKFold"}
    assert any(train & test for train, test in seen.values())  # frame folds mix people


def test_fine_tuning_starts_from_the_pretrained_net(wild, lab, pretrained):
    # No epochs of fine-tuning: the head on frozen features and the whole copied net must
    # both predict exactly what the pre-trained classifier predicts, fold by fold.
    before = {k: v.clone() for k, v in pretrained.module_.state_dict().items()}
    results = run(
        wild,
        lab,
        pretrained=pretrained,
        conditions=["fine_tuned_head", "fine_tuned_whole"],
        training_sets=["lab"],
        head=DenseHeadClassifier(None, max_epochs=0),
        whole=scratch_net(max_epochs=0),
    )
    expected = confusion_matrix(lab.expression, pretrained.predict(lab.images), labels=CLASSES)
    for condition in ("fine_tuned_head", "fine_tuned_whole"):
        rows = results[(results["condition"] == condition) & (results["test_set"] == "lab")]
        counts, labels = pooled_confusion(rows)
        assert labels.tolist() == CLASSES
        np.testing.assert_array_equal(counts, expected)
    for name, tensor in pretrained.module_.state_dict().items():
        torch.testing.assert_close(tensor, before[name], rtol=0, atol=0)


def test_a_regressor_backbone_gets_a_fresh_output_layer(wild, lab):
    regressor = AlexNetRegressor("mini_xception", max_epochs=1, random_state=0)
    regressor.fit(wild.images, wild.target)  # two outputs: valence and arousal
    results = run(
        wild,
        lab,
        pretrained=regressor,
        conditions=["fine_tuned_head", "fine_tuned_whole"],
        training_sets=["wild"],
        whole=scratch_net(module__image_size=48),  # module__* must not rebuild the copy
    )
    assert len(results) == 2 * 2 * 2
    for row in results.itertuples():
        assert json.loads(row.confusion)["labels"] == CLASSES  # seven units, not two
    assert regressor.module_.classifier.conv.out_channels == 2


def test_a_subset_of_units_gets_the_same_models(results, wild, lab, pretrained):
    subset = run(
        wild, lab, pretrained=pretrained, conditions=["fine_tuned_head"], training_sets=["both"]
    )
    full = results[
        (results["condition"] == "fine_tuned_head") & (results["training_set"] == "both")
    ]
    pd.testing.assert_frame_equal(
        subset.drop(columns="fit_seconds"),
        full.drop(columns="fit_seconds").reset_index(drop=True),
        check_exact=False,
        rtol=1e-6,
    )


def test_n_jobs_does_not_change_the_results(wild, lab):
    serial = run(wild, lab, training_sets=["lab"])
    parallel = run(wild, lab, training_sets=["lab"], n_jobs=2)
    pd.testing.assert_frame_equal(
        parallel.drop(columns="fit_seconds"),
        serial.drop(columns="fit_seconds"),
        check_exact=False,
        atol=1e-6,
    )


def test_cache_dir_resumes_without_recomputing(wild, lab, tmp_path, monkeypatch):
    first = run(wild, lab, training_sets=["lab", "both"], cache_dir=tmp_path)
    assert len(list((tmp_path / "training_sets").glob("fold*.csv"))) == 2 * 2

    def no_work(unit):
        raise AssertionError("a finished unit was recomputed")

    monkeypatch.setattr(kfold_module, "_training_set_unit", no_work)
    again = run(wild, lab, training_sets=["lab", "both"], cache_dir=tmp_path)
    pd.testing.assert_frame_equal(again, first, check_dtype=False)
    with pytest.raises(ValueError, match="another configuration"):
        run(wild, lab, training_sets=["lab", "both"], cache_dir=tmp_path, random_state=1)


def test_default_conditions_follow_pretrained(wild, lab, pretrained, monkeypatch):
    conditions = []
    monkeypatch.setattr(
        kfold_module, "_training_set_unit", lambda unit: conditions.append(unit["condition"]) or []
    )
    run(wild, lab, training_sets=["lab"])
    assert sorted(set(conditions)) == ["from_scratch"]
    conditions.clear()
    run(wild, lab, training_sets=["lab"], pretrained=pretrained)
    assert sorted(set(conditions)) == ["fine_tuned_head", "from_scratch"]


def test_pooled_confusion_refuses_mixed_labels_and_no_rows():
    rows = pd.DataFrame(
        {
            "confusion": [
                '{"labels": [0, 1], "counts": [[1, 0], [0, 1]]}',
                '{"labels": [0, 2], "counts": [[1, 0], [0, 1]]}',
            ]
        }
    )
    with pytest.raises(ValueError, match="other labels"):
        pooled_confusion(rows)
    with pytest.raises(ValueError, match="no rows"):
        pooled_confusion(rows.iloc[:0])


# -- bad input: each refused before any network is trained ----------------------------


@pytest.fixture
def no_training(monkeypatch):
    def trained(unit):
        raise AssertionError("a model was trained before the input was refused")

    monkeypatch.setattr(kfold_module, "_training_set_unit", trained)


def _labels_one_person_owns(lab, label, owner):
    """Lab labels 0/1 alternating, except ``label`` shown only by subject ``owner``."""
    y = np.arange(len(lab.subject)) % 2
    y[(lab.subject == owner) & (np.arange(len(y)) % 4 == 0)] = label
    return y


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"scratch": BackboneClassifier("mini_xeption")}, ValueError, "Did you mean"),
        ({"whole": BackboneClassifier("resnet")}, ValueError, "unknown backbone 'resnet'"),
        ({"cv": 1}, ValueError, "cv must be an int >= 2"),
        ({"cv": 2.5}, ValueError, "cv must be an int >= 2"),
        ({"cv": True}, ValueError, "cv must be an int >= 2"),
        ({"cv": 5}, ValueError, "the lab set has 4 groups but cv asks for 5 folds"),
        ({"cv": 30, "lab_groups": None}, ValueError, "more than the images of any class"),
        ({"conditions": ["transfer_0"]}, ValueError, "conditions must be"),
        ({"conditions": ["fine_tuned_head"]}, ValueError, "pass pretrained="),
        ({"training_sets": ["imagenet"]}, ValueError, "training_sets must be"),
        ({"classes": [0, 1, 2]}, ValueError, "not in classes"),
        ({"random_state": None}, ValueError, "random_state must be an int"),
        ({"lab_groups": [0, 1]}, ValueError, "lab_groups must have one entry per image"),
        ({"scratch": HEAD}, TypeError, "scratch must be a classifier of images"),
        ({"head": scratch_net()}, TypeError, "head must be a classifier on features"),
        ({"pretrained": torch.nn.Linear(3, 1)}, TypeError, "backbone protocol"),
    ],
)
def test_bad_arguments_are_refused(wild, lab, no_training, kwargs, error, match):
    with pytest.raises(error, match=match):
        run(wild, lab, **kwargs)


def test_one_class_only_in_a_training_fold_is_refused(wild, lab, no_training):
    y_lab = np.where(lab.subject == 0, 1, 0)  # the only 1s are subject 0's
    with pytest.raises(ValueError, match="lab training set holds one class only"):
        evaluate_training_sets(
            wild.images,
            wild.expression,
            lab.images,
            y_lab,
            lab_groups=lab.subject,
            cv=2,
            training_sets=["lab"],
            classes=CLASSES,
            scratch=scratch_net(),
        )


def test_a_test_label_no_training_fold_had_is_refused_unless_classes_are_given(wild, lab):
    y_wild = np.arange(len(wild.expression)) % 2
    y_lab = _labels_one_person_owns(lab, label=2, owner=1)
    common = dict(lab_groups=lab.subject, cv=2, training_sets=["lab"], scratch=scratch_net())
    with pytest.raises(ValueError, match=r"holds labels \[2\] that the lab training set never"):
        evaluate_training_sets(wild.images, y_wild, lab.images, y_lab, **common)
    # With the classes given, the label is a class every model has; it is scored.
    results = evaluate_training_sets(
        wild.images, y_wild, lab.images, y_lab, classes=[0, 1, 2], **common
    )
    counts, labels = pooled_confusion(results[results["test_set"] == "lab"])
    assert labels.tolist() == [0, 1, 2] and counts[2].sum() == (y_lab == 2).sum()


def test_images_must_be_arrays_of_one_size(wild, lab, no_training, tmp_path):
    with pytest.raises(ValueError, match="of one size"):
        run(wild, make_faces(4, 8, image_size=72, n_expressions=7, random_state=1))
    lazy = LazyImages([str(tmp_path / "missing.png")] * len(lab.images), image_size=64)
    with pytest.raises(TypeError, match="X_lab must be an array of images"):
        evaluate_training_sets(
            wild.images, wild.expression, lazy, lab.expression, scratch=scratch_net()
        )
