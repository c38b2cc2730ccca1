"""PathNetClassifier: labels, probabilities, and the published accuracy fitness."""

import numpy as np
import pytest

from sklearn_fer.pathnet import PathNetClassifier

from .conftest import TINY


@pytest.fixture(scope="module")
def expressions():
    rng = np.random.default_rng(0)
    X = np.maximum(rng.normal(size=(96, 12)), 0).astype(np.float32)
    labels = np.array(["neutral", "happy", "sad"])[np.argmax(X[:, :3], axis=1)]
    return X, labels


def test_it_learns_string_labels_and_predicts_them(expressions):
    X, labels = expressions
    clf = PathNetClassifier(**{**TINY, "max_epochs": 80, "batch_size": 96}, random_state=0)
    clf.fit(X, labels)
    assert clf.classes_.tolist() == ["happy", "neutral", "sad"]
    assert clf.tasks_[0]["kind"] == "classification"
    assert clf.score(X, labels) > 0.8
    proba = clf.predict_proba(X)
    assert proba.shape == (96, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_the_tournament_fitness_is_the_training_accuracy(expressions):
    X, labels = expressions
    clf = PathNetClassifier(**TINY, random_state=0).fit(X, labels)
    fitness = clf.fitness_history_["fitness"]
    assert ((fitness >= 0) & (fitness <= 1)).all()
    # 96 rows in batches of 16: each step's accuracy is a multiple of 1/16, T=2 averaged.
    assert np.allclose((fitness * 32) % 1, 0)


def test_an_accuracy_target_stops_the_evolution(expressions):
    X, labels = expressions
    clf = PathNetClassifier(
        **{**TINY, "n_generations": 40}, target_fitness=0.0, random_state=0
    ).fit(X, labels)
    assert clf.n_generations_ == 1


def test_one_class_is_refused(expressions):
    X, _ = expressions
    with pytest.raises(ValueError, match="y has only one class \\('happy'\\)"):
        PathNetClassifier(**TINY).fit(X, np.full(len(X), "happy"))


def test_continuous_targets_are_refused(expressions):
    X, _ = expressions
    with pytest.raises(ValueError, match="Unknown label type"):
        PathNetClassifier(**TINY).fit(X, np.linspace(0, 1, len(X)))


def test_a_copied_head_needs_the_same_classes(expressions):
    X, labels = expressions
    general = PathNetClassifier(**TINY, random_state=0).fit(X, labels)
    personal_settings = {k: v for k, v in TINY.items() if k not in ("n_layers", "n_modules")}
    personal_settings.pop("module_units")
    same = PathNetClassifier(source=general, head="copy", random_state=0, **personal_settings)
    assert same.fit(X[:40], labels[:40]).predict(X).shape == (96,)
    binary = np.where(labels == "happy", "happy", "other")
    with pytest.raises(ValueError, match=r"y has classes \['happy', 'other'\] but the source"):
        PathNetClassifier(source=general, head="copy", **personal_settings).fit(X, binary)
    new = PathNetClassifier(source=general, random_state=0, **personal_settings).fit(X, binary)
    assert np.array_equal(new.predict(X, task=0), general.predict(X))
    assert set(new.predict(X)) <= {"happy", "other"}
