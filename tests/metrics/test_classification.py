import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate

from sklearn_fer.datasets import AFFECTNET_EXPRESSIONS
from sklearn_fer.metrics import (
    CLASSIFICATION_SCORERS,
    accuracy,
    balanced_accuracy,
    classification_scores,
    cohen_kappa,
    macro_f1,
)

# An unbalanced expression sample: mostly neutral (0) and happiness (1), a little contempt.
Y_TRUE = np.array([0] * 8 + [1] * 10 + [7] * 2)
Y_PRED = np.array([0] * 6 + [1] * 2 + [1] * 9 + [0] + [1, 7])


def _no_warnings(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **kwargs)


def test_accuracy_is_the_share_of_correct_predictions():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(np.mean(Y_TRUE == Y_PRED))


def test_balanced_accuracy_is_the_mean_recall_over_true_classes():
    recalls = [np.mean(Y_PRED[Y_TRUE == c] == c) for c in (0, 1, 7)]  # 6/8, 9/10, 1/2
    assert balanced_accuracy(Y_TRUE, Y_PRED) == pytest.approx(np.mean(recalls))
    chance = 1 / 3
    adjusted = (np.mean(recalls) - chance) / (1 - chance)
    assert balanced_accuracy(Y_TRUE, Y_PRED, adjusted=True) == pytest.approx(adjusted)


def test_a_majority_predictor_scores_high_accuracy_but_low_balanced_accuracy_f1_and_kappa():
    majority = np.ones_like(Y_TRUE)
    assert accuracy(Y_TRUE, majority) == 0.5
    assert balanced_accuracy(Y_TRUE, majority) == pytest.approx(1 / 3)
    assert macro_f1(Y_TRUE, majority) < 0.25
    assert cohen_kappa(Y_TRUE, majority) == 0.0


def test_macro_f1_is_the_unweighted_mean_of_per_class_f1():
    f1 = []
    for c in (0, 1, 7):
        tp = np.sum((Y_PRED == c) & (Y_TRUE == c))
        precision, recall = tp / np.sum(Y_PRED == c), tp / np.sum(Y_TRUE == c)
        f1.append(2 * precision * recall / (precision + recall))
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(np.mean(f1))
    # Counting all eight expressions, five never shown nor predicted score zero_division.
    assert _no_warnings(macro_f1, Y_TRUE, Y_PRED, labels=range(8)) == pytest.approx(np.sum(f1) / 8)
    assert macro_f1(Y_TRUE, Y_PRED, labels=range(8), zero_division=1.0) == pytest.approx(
        (np.sum(f1) + 5) / 8
    )


def test_cohen_kappa_against_its_definition():
    classes = (0, 1, 7)
    observed = np.mean(Y_TRUE == Y_PRED)
    expected = sum(np.mean(Y_TRUE == c) * np.mean(Y_PRED == c) for c in classes)
    assert cohen_kappa(Y_TRUE, Y_PRED) == pytest.approx((observed - expected) / (1 - expected))
    assert cohen_kappa(Y_TRUE, Y_TRUE) == 1.0


def test_cohen_kappa_is_nan_without_a_warning_when_only_one_class_is_seen():
    assert np.isnan(_no_warnings(cohen_kappa, [3, 3, 3], [3, 3, 3]))
    assert np.isnan(cohen_kappa([3, 3], [3, 3], labels=range(8)))


def test_string_labels_work_like_integer_codes():
    names = np.array([AFFECTNET_EXPRESSIONS[code] for code in range(8)])
    as_codes = classification_scores(Y_TRUE, Y_PRED)
    as_names = classification_scores(names[Y_TRUE], names[Y_PRED])
    assert as_names == pytest.approx(as_codes)


def test_classification_scores_holds_the_four_metrics():
    scores = classification_scores(Y_TRUE, Y_PRED)
    assert scores == {
        "accuracy": accuracy(Y_TRUE, Y_PRED),
        "balanced_accuracy": balanced_accuracy(Y_TRUE, Y_PRED),
        "macro_f1": macro_f1(Y_TRUE, Y_PRED),
        "cohen_kappa": cohen_kappa(Y_TRUE, Y_PRED),
    }


@pytest.mark.parametrize("metric", [accuracy, balanced_accuracy, macro_f1, cohen_kappa])
def test_bad_input(metric):
    with pytest.raises(ValueError, match="same length"):
        metric([0, 1], [0])
    with pytest.raises(ValueError, match="1-D"):
        metric([[0, 1]], [[0, 1]])
    with pytest.raises(ValueError, match="empty"):
        metric([], [])


def test_scorers_work_in_cross_validate_and_agree_with_scikit_learns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.digitize(X[:, 0] + 0.5 * rng.normal(size=90), [-0.5, 0.5])
    ours = cross_validate(LogisticRegression(), X, y, cv=3, scoring=CLASSIFICATION_SCORERS)
    theirs = cross_validate(
        LogisticRegression(), X, y, cv=3, scoring=["accuracy", "balanced_accuracy", "f1_macro"]
    )
    np.testing.assert_allclose(ours["test_accuracy"], theirs["test_accuracy"])
    np.testing.assert_allclose(ours["test_balanced_accuracy"], theirs["test_balanced_accuracy"])
    np.testing.assert_allclose(ours["test_macro_f1"], theirs["test_f1_macro"])
    assert np.all((ours["test_cohen_kappa"] > 0.2) & (ours["test_cohen_kappa"] <= 1))
