"""The extension point: a new protocol is a worker and a SubjectProtocol, and gets the
folds, seeds, resumable store and tidy results of the paper's protocols for free."""

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.evaluation import RESULT_COLUMNS, SubjectProtocol, result_rows, run_protocol

CALLS = []


def training_mean(unit):
    """Predicts the training fold's mean; records what the runner handed it."""
    CALLS.append(unit)
    y_train = unit["y"][unit["train"]][:, unit["columns"]]
    y_test = unit["y"][unit["test"]]
    prediction = np.repeat(y_train.mean(axis=0, keepdims=True), len(y_test), axis=0)
    return result_rows(
        unit,
        y_test,
        prediction,
        study="baseline",
        condition=unit["label"],
        sampler="none",
        fraction=1.0,
        n_train=len(y_train),
        fit_seconds=0.0,
    )


PROTOCOL = SubjectProtocol(
    name="baseline",
    label="training mean",
    worker=training_mean,
    seed_names=("a", "b"),
    seed_offset=300,
    settings={"label": "training_mean"},
    fingerprint={"label": "training_mean"},
    needs_features=False,
)


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def _run(twins, lab, **kwargs):
    return run_protocol(
        PROTOCOL, twins, lab.images, lab.target, subjects=lab.subject, cv=3, **kwargs
    )


def test_a_new_protocol_gets_folds_seeds_and_tidy_rows(twins, lab, calls):
    results = _run(twins, lab)
    assert list(results.columns) == RESULT_COLUMNS
    assert len(calls) == 3 * 3 * 2  # subjects x folds x twin nets
    assert set(results["condition"]) == {"training_mean"}  # settings reach every unit
    assert all(unit["features"] is None and "X" not in unit for unit in calls)
    # every frame of a subject is tested exactly once across its folds
    for unit in calls:
        assert sorted(np.concatenate([unit["train"], unit["test"]]).tolist()) == list(range(12))
    seeds = [tuple(unit["seeds"][name] for name in ("a", "b")) for unit in calls]
    assert len(set(seeds)) == len(seeds)  # independent streams per unit and name
    # the worker's prediction is the training mean: check one row against numpy
    unit = calls[0]
    column = unit["columns"][0]
    truth = unit["y"][unit["test"]][:, column]
    expected = np.sqrt(np.mean((truth - unit["y"][unit["train"]][:, column].mean()) ** 2))
    row = results[
        (results["subject"] == unit["subject"])
        & (results["fold"] == unit["fold"])
        & (results["target"] == unit["target_names"][column])
    ]
    assert row["rmse"].item() == pytest.approx(expected, rel=1e-6)


def test_a_new_protocol_resumes_from_its_own_store(twins, lab, calls, tmp_path):
    first = _run(twins, lab, cache_dir=tmp_path)
    assert len(list((tmp_path / "baseline").glob("*.csv"))) == len(calls) == 18
    calls.clear()
    again = _run(twins, lab, cache_dir=tmp_path)
    assert calls == []  # nothing recomputed
    pd.testing.assert_frame_equal(again, first, check_dtype=False)
    with pytest.raises(ValueError, match="another configuration"):
        _run(twins, lab, cache_dir=tmp_path, random_state=1)


def test_seeds_follow_the_units_position_not_the_run(twins, lab, calls):
    _run(twins, lab)
    first = {(u["subject"], u["fold"], tuple(u["columns"])): u["seeds"] for u in calls}
    calls.clear()
    _run(twins, lab, random_state=0)
    again = {(u["subject"], u["fold"], tuple(u["columns"])): u["seeds"] for u in calls}
    assert again == first
    calls.clear()
    _run(twins, lab, random_state=1)
    other = {(u["subject"], u["fold"], tuple(u["columns"])): u["seeds"] for u in calls}
    assert other.keys() == first.keys() and all(other[k] != first[k] for k in first)
