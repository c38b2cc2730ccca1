"""PathNet personalisation in the per-subject protocols: transfer, forgetting, sampling."""

import math

import numpy as np
import pandas as pd
import pytest

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.active import GreedySampler, MCDropoutSampler, RandomSampler
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import (
    FORGETTING_CONDITIONS,
    compare_conditions,
    evaluate_pathnet_transfer,
    pathnet_sampling_curve,
    sampling_curve,
)
from sklearn_fer.metrics import rmse
from sklearn_fer.pathnet import PathNetRegressor

SMALL = dict(
    n_layers=2,
    n_modules=4,
    module_units=8,
    max_active=2,
    population=2,
    steps_per_path=2,
    n_generations=2,
    max_epochs=2,
)
HEAD = DenseHeadRegressor(None, max_epochs=1, lr=1e-2)


@pytest.fixture(scope="module")
def wild_faces():
    return make_faces(6, 2, domain="wild", random_state=4)


@pytest.fixture(scope="module")
def general(twins, wild_faces):
    """A general PathNet per target on the wild features under that target's twin."""
    out = {}
    for index, (name, net) in enumerate(twins.items()):
        features = FrozenConvFeaturizer(net).fit().transform(wild_faces.images)
        out[name] = PathNetRegressor(**SMALL, random_state=index).fit(features, wild_faces[name])
    return out


@pytest.fixture(scope="module")
def pathnet_rows(twins, general, lab, wild_faces):
    return evaluate_pathnet_transfer(
        twins,
        general,
        lab.images,
        lab.target,
        subjects=lab.subject,
        cv=2,
        pathnet=PathNetRegressor(head="copy", **SMALL),
        head=HEAD,
        wild=(wild_faces.images, wild_faces.target),
        random_state=0,
    )


def _forgetting(rows, condition):
    block = rows[(rows["study"] == "forgetting") & (rows["condition"] == condition)]
    return block.set_index(["subject", "fold", "target"])["rmse"].sort_index()


def test_pathnet_transfer_has_a_row_per_subject_fold_and_target(pathnet_rows, lab):
    transfer = pathnet_rows[pathnet_rows["study"] == "transfer"]
    assert set(transfer["condition"]) == {"pathnet"}
    assert len(transfer) == 3 * 2 * 2  # subjects x folds x targets
    # 12 frames per subject, 2 folds: every fit saw its training fold of 6
    assert set(transfer["n_train"]) == {6}
    assert (transfer["fit_seconds"] > 0).all()
    forgetting = pathnet_rows[pathnet_rows["study"] == "forgetting"]
    assert sorted(set(forgetting["condition"])) == sorted(FORGETTING_CONDITIONS)
    assert len(forgetting) == len(transfer) * len(FORGETTING_CONDITIONS)


def test_the_general_path_keeps_its_wild_error_exactly(pathnet_rows, general, twins, wild_faces):
    before = _forgetting(pathnet_rows, "pathnet_general")
    after = _forgetting(pathnet_rows, "pathnet_general_after")
    assert (before == after).all()
    # and that error is the general PathNet's own, computed here independently
    for name, net in twins.items():
        features = FrozenConvFeaturizer(net).fit().transform(wild_faces.images)
        expected = rmse(wild_faces[name], general[name].predict(features))
        assert np.allclose(before.xs(name, level="target"), expected, rtol=1e-6)


def test_fine_tuning_moves_the_general_heads_wild_error(pathnet_rows, twins, wild_faces):
    untouched = _forgetting(pathnet_rows, "dense_head_general")
    personal = _forgetting(pathnet_rows, "dense_head_personal")
    for name, net in twins.items():
        features = FrozenConvFeaturizer(net).fit().transform(wild_faces.images)
        general_head = DenseHeadRegressor(net).initialize()
        expected = rmse(wild_faces[name], general_head.predict(features))
        assert np.allclose(untouched.xs(name, level="target"), expected, rtol=1e-5)
    # lr 1e-2 on 6 frames: every fold's fine-tuned head has a different wild error
    assert (personal != untouched).all()


def test_pathnet_transfer_without_wild_gives_no_forgetting_rows(twins, general, lab):
    rows = evaluate_pathnet_transfer(
        twins,
        general,
        lab.images,
        lab.target,
        subjects=lab.subject,
        cv=2,
        pathnet=PathNetRegressor(**SMALL),
        study="cross_domain",
        random_state=0,
    )
    assert set(rows["study"]) == {"cross_domain"}
    assert len(rows) == 12


def test_pathnet_transfer_resumes_from_its_cache(twins, general, lab, tmp_path, monkeypatch):
    from sklearn_fer.evaluation import _pathnet

    params = dict(
        subjects=lab.subject,
        cv=2,
        pathnet=PathNetRegressor(**SMALL),
        random_state=0,
        cache_dir=tmp_path,
    )
    first = evaluate_pathnet_transfer(twins, general, lab.images, lab.target, **params)

    def no_work(unit):
        raise AssertionError("a finished unit was recomputed")

    monkeypatch.setattr(_pathnet, "_pathnet_transfer_unit", no_work)
    again = evaluate_pathnet_transfer(twins, general, lab.images, lab.target, **params)
    columns = [c for c in first.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(again[columns], first[columns], check_dtype=False)


def test_pathnet_sampling_curve_fits_on_the_sampled_fractions(twins, general, lab):
    fractions = [0.2, 0.6]
    samplers = {"random": RandomSampler(), "gsx": GreedySampler("x")}
    curve = pathnet_sampling_curve(
        twins,
        general,
        lab.images,
        lab.target,
        subjects=lab.subject,
        cv=2,
        samplers=samplers,
        fractions=fractions,
        pathnet=PathNetRegressor(**SMALL),
        random_state=0,
    )
    assert set(curve["condition"]) == {"pathnet"} and set(curve["study"]) == {"sampling"}
    assert set(curve["sampler"]) == set(samplers)
    sizes = curve.groupby("fraction")["n_train"].unique()
    for fraction in fractions:
        assert sizes[fraction].tolist() == [math.ceil(fraction * 6)]
    # same samplers and seed: the fine-tuned curves sampled the same number of frames
    fine = sampling_curve(
        twins,
        lab.images,
        lab.target,
        subjects=lab.subject,
        cv=2,
        samplers=samplers,
        fractions=fractions,
        head=HEAD,
        random_state=0,
    )
    keys = ["subject", "fold", "target", "sampler", "fraction"]
    merged = curve.merge(fine, on=keys, suffixes=("_pathnet", "_fine"))
    assert len(merged) == len(curve)
    assert (merged["n_train_pathnet"] == merged["n_train_fine"]).all()


def test_bad_inputs_are_refused(twins, general, lab):
    args = (twins, general, lab.images, lab.target)
    common = dict(subjects=lab.subject, cv=2)
    with pytest.raises(TypeError, match="need no estimator"):
        pathnet_sampling_curve(*args, samplers={"mcdue": MCDropoutSampler()}, **common)
    with pytest.raises(ValueError, match=r"fractions must be numbers in \(0, 1\]"):
        pathnet_sampling_curve(*args, fractions=[0.0, 0.5], **common)
    with pytest.raises(ValueError, match=r"no PathNet for task\(s\) \['arousal'\]"):
        evaluate_pathnet_transfer(twins, {"valence": general["valence"]}, *args[2:], **common)
    with pytest.raises(TypeError, match="must be a fitted PathNetRegressor"):
        evaluate_pathnet_transfer(twins, {"valence": PathNetRegressor()}, *args[2:], **common)
    with pytest.raises(TypeError, match="pathnet must be a PathNetRegressor"):
        evaluate_pathnet_transfer(*args, pathnet=HEAD, **common)
    with pytest.raises(ValueError, match="study must be a non-empty str"):
        evaluate_pathnet_transfer(*args, study="", **common)


def test_compare_conditions_pairs_subjects_and_tests_them():
    from scipy import stats

    a = [0.25, 0.27, 0.26, 0.28, 0.24, 0.29]
    b = [0.30, 0.31, 0.25, 0.33, 0.30, 0.32]
    rows = pd.DataFrame(
        {
            "study": "transfer",
            "target": "valence",
            "condition": ["pathnet"] * 6 + ["transfer_100"] * 6 + ["no_transfer"] * 6,
            # the subjects of the second condition listed in another order: pairs by subject
            "subject": list(range(6)) + list(range(5, -1, -1)) + list(range(6)),
            "rmse": a + b[::-1] + [9.0] * 6,
        }
    )
    table = compare_conditions(rows, "pathnet", "transfer_100")
    assert len(table) == 1
    row = table.iloc[0]
    assert row["n_subjects"] == 6
    assert row["mean_difference"] == pytest.approx(np.mean(np.subtract(a, b)))
    assert row["p_value"] == pytest.approx(stats.wilcoxon(a, b).pvalue)
    assert row["p_holm"] == pytest.approx(row["p_value"])  # one target: nothing to correct
    with pytest.raises(ValueError, match="must differ"):
        compare_conditions(rows, "pathnet", "pathnet")
    assert compare_conditions(rows, "pathnet", "absent").empty
