"""The transfer conditions (Fig. 5): tidy rows, Transfer 0% as the pre-trained net's
predictions, independence of n_jobs, group folds, joint nets and bad arguments."""

import math

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import RESULT_COLUMNS
from sklearn_fer.evaluation import _transfer as transfer_module
from sklearn_fer.metrics import rmse

from .._helpers import tiny_regressor
from ._runs import run_transfer


def test_transfer_results_are_tidy(transfer):
    assert list(transfer.columns) == RESULT_COLUMNS
    assert len(transfer) == 3 * 3 * 2 * 3  # subjects x folds x targets x conditions
    counts = transfer.groupby(["condition", "target"]).size()
    assert set(counts) == {9}
    assert set(transfer["study"]) == {"transfer"} and set(transfer["sampler"]) == {"none"}
    t0 = transfer[transfer["condition"] == "transfer_0"]
    assert (t0["n_train"] == 0).all() and (t0["fraction"] == 0).all()
    t100 = transfer[transfer["condition"] == "transfer_100"]
    assert (t100["n_train"] == 8).all() and (t100["fraction"] == 1).all()


def test_transfer_0_scores_the_pretrained_predictions_on_each_test_fold(transfer, twins, lab):
    rows = transfer[(transfer["condition"] == "transfer_0") & (transfer["target"] == "valence")]
    # Every frame is in exactly one test fold: fold RMSEs combine to the overall one.
    n_test = 4
    combined = math.sqrt(sum(r**2 * n_test for r in rows["rmse"]) / (n_test * len(rows)))
    direct = rmse(lab.valence, twins["valence"].predict(lab.images))
    assert combined == pytest.approx(direct, rel=1e-4)


def test_same_random_state_same_results_and_n_jobs_does_not_matter(transfer, twins, lab):
    again = run_transfer(twins, lab, n_jobs=2)
    pd.testing.assert_frame_equal(
        again.drop(columns="fit_seconds"),
        transfer.drop(columns="fit_seconds"),
        check_exact=False,
        rtol=1e-5,
    )


def test_group_folds_keep_segments_whole(twins, lab, monkeypatch):
    seen = []
    original = transfer_module._transfer_unit

    def spy(unit):
        rows = np.flatnonzero(lab.subject == unit["subject"])
        train = set(lab.segment[rows][unit["train"]])
        test = set(lab.segment[rows][unit["test"]])
        seen.append(train & test)
        return original(unit)

    monkeypatch.setattr(transfer_module, "_transfer_unit", spy)
    run_transfer(twins, lab, groups=lab.segment, conditions=["transfer_0"])
    assert seen and all(not shared for shared in seen)


def test_joint_two_output_net(lab):
    wild = make_faces(20, 2, domain="wild", random_state=3)
    joint = tiny_regressor().fit(wild.images, wild.target)
    results = run_transfer(joint, lab, conditions=["transfer_0"])
    assert set(results["target"]) == {"valence", "arousal"}
    rows = results[results["target"] == "arousal"]
    n_test = 4
    combined = math.sqrt(sum(r**2 * n_test for r in rows["rmse"]) / (n_test * len(rows)))
    assert combined == pytest.approx(rmse(lab.arousal, joint.predict(lab.images)[:, 1]), rel=1e-4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"conditions": ["transfer_50"]}, "conditions must be"),
        ({"cv": 1}, "at least 2 folds"),
        ({"cv": 20}, "a subject has 12 samples but cv asks for 20"),
        ({"random_state": None}, "random_state must be an int"),
        ({"target_names": ["valence"]}, "target_names must name each"),
        ({"subjects": np.zeros(5)}, "one entry per sample"),
    ],
)
def test_evaluate_transfer_rejects_bad_arguments(twins, lab, kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_transfer(twins, lab, **kwargs)


def test_pretrained_dict_must_cover_the_targets(twins, lab):
    with pytest.raises(ValueError, match=r"missing \['arousal'\]"):
        run_transfer({"valence": twins["valence"]}, lab)
