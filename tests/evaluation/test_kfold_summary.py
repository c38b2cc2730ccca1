"""summarize_folds: one row per training set x start x test set, the Student-t interval
of the mean across folds, and clear errors for bad input."""

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.evaluation import KFOLD_METRICS, summarize_folds


def _rows():
    rows = []
    for fold, (a, b) in enumerate([(0.2, 0.9), (0.4, 0.7), (0.6, 0.8), (0.4, 0.6)]):
        for training_set, accuracy in (("wild", a), ("both", b)):
            rows.append(
                {
                    "fold": fold,
                    "training_set": training_set,
                    "condition": "from_scratch",
                    "test_set": "lab",
                    "splitter": "StratifiedGroupKFold",
                    **{metric: accuracy for metric in KFOLD_METRICS},
                }
            )
    return pd.DataFrame(rows)


def test_means_and_intervals_across_folds():
    summary = summarize_folds(_rows()).set_index("training_set")
    assert list(summary.index) == ["wild", "both"]  # the order of the results
    wild = summary.loc["wild"]
    # four folds: 0.2, 0.4, 0.6, 0.4 -> mean 0.4, sd sqrt(0.08/3); t(0.975, 3) = 3.1824
    sd = np.sqrt(0.08 / 3)
    assert wild["n_folds"] == 4 and wild["splitter"] == "StratifiedGroupKFold"
    assert wild["accuracy_mean"] == pytest.approx(0.4)
    assert wild["accuracy_std"] == pytest.approx(sd)
    assert wild["accuracy_ci_low"] == pytest.approx(0.4 - 3.182446 * sd / 2, abs=1e-6)
    assert wild["accuracy_ci_high"] == pytest.approx(0.4 + 3.182446 * sd / 2, abs=1e-6)
    narrower = summarize_folds(_rows(), confidence=0.5).set_index("training_set")
    assert narrower.loc["wild", "accuracy_ci_high"] < wild["accuracy_ci_high"]
    for metric in KFOLD_METRICS:
        assert f"{metric}_ci_low" in summary.columns


def test_one_fold_has_no_interval():
    summary = summarize_folds(_rows().query("fold == 0"), metrics="accuracy")
    assert summary["accuracy_mean"].tolist() == [0.2, 0.9]
    assert summary[["accuracy_std", "accuracy_ci_low"]].isna().all().all()


@pytest.mark.parametrize(
    "rows, kwargs, match",
    [
        (_rows(), {"confidence": 1.5}, r"'confidence' .* \(0.0, 1.0\)\. Got 1.5"),
        (_rows(), {"metrics": ["rmse"]}, r"lack the columns \['rmse'\]"),
        (_rows().drop(columns="splitter"), {}, "splitter"),
        (_rows().iloc[:0], {}, "no rows"),
    ],
)
def test_bad_input(rows, kwargs, match):
    with pytest.raises(ValueError, match=match):
        summarize_folds(rows, **kwargs)
