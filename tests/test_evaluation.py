import math

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer import evaluation as evaluation_module
from sklearn_fer.active import GreedySampler, MCDropoutSampler, RandomSampler
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import (
    RESULT_COLUMNS,
    compare_samplers,
    elbow_fraction,
    elbow_fractions,
    evaluate_transfer,
    sampling_curve,
    summarize,
)
from sklearn_fer.metrics import rmse

from ._helpers import tiny_regressor


@pytest.fixture(scope="module")
def lab():
    return make_faces(3, 12, random_state=2)


@pytest.fixture(scope="module")
def twins(lab):
    wild = make_faces(20, 2, domain="wild", random_state=3)
    return {
        "valence": tiny_regressor(random_state=1).fit(wild.images, wild.valence),
        "arousal": tiny_regressor(random_state=2).fit(wild.images, wild.arousal),
    }


HEAD = DenseHeadRegressor(None, max_epochs=2, lr=0.01)


def _transfer(twins, lab, **kwargs):
    params = dict(
        subjects=lab.subject, cv=3, head=HEAD, no_transfer=tiny_regressor(), random_state=0
    )
    params.update(kwargs)
    return evaluate_transfer(twins, lab.images, lab.target, **params)


def _curve(twins, lab, **kwargs):
    params = dict(
        subjects=lab.subject,
        cv=3,
        head=HEAD,
        fractions=[0.2, 0.5, 1.0],
        samplers={
            "random": RandomSampler(),
            "gsx": GreedySampler("x"),
            "mcdue": MCDropoutSampler(n_iter=3),
        },
        random_state=0,
    )
    params.update(kwargs)
    return sampling_curve(twins, lab.images, lab.target, **params)


@pytest.fixture(scope="module")
def transfer(twins, lab):
    return _transfer(twins, lab)


@pytest.fixture(scope="module")
def curve(twins, lab):
    return _curve(twins, lab)


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
    again = _transfer(twins, lab, n_jobs=2)
    pd.testing.assert_frame_equal(
        again.drop(columns="fit_seconds"),
        transfer.drop(columns="fit_seconds"),
        check_exact=False,
        rtol=1e-5,
    )


def test_group_folds_keep_segments_whole(twins, lab, monkeypatch):
    seen = []
    original = evaluation_module._transfer_unit

    def spy(unit):
        rows = np.flatnonzero(lab.subject == unit["subject"])
        train = set(lab.segment[rows][unit["train"]])
        test = set(lab.segment[rows][unit["test"]])
        seen.append(train & test)
        return original(unit)

    monkeypatch.setattr(evaluation_module, "_transfer_unit", spy)
    _transfer(twins, lab, groups=lab.segment, conditions=["transfer_0"])
    assert seen and all(not shared for shared in seen)


def test_sampling_curve_sizes_and_nested_picks(curve):
    assert list(curve.columns) == RESULT_COLUMNS
    assert len(curve) == 3 * 3 * 2 * 3 * 3  # subjects x folds x targets x samplers x fractions
    assert sorted(curve["n_train"].unique()) == [2, 4, 8]  # ceil of 0.2, 0.5, 1.0 x 8
    assert set(curve["condition"]) == {"fine_tuned"}


def test_sampling_runs_each_sampler_once_per_fold(twins, lab, monkeypatch):
    calls = []
    original = GreedySampler.select

    def counting(self, X, n, **kwargs):
        calls.append(n)
        return original(self, X, n, **kwargs)

    monkeypatch.setattr(GreedySampler, "select", counting)
    _curve(twins, lab, samplers={"gsx": GreedySampler("x")}, fractions=[0.2, 0.5, 0.9])
    assert calls == [8] * 3 * 3 * 2  # one selection of ceil(0.9 * 8) per fold and target


def test_gsx_fold_selection_is_the_samplers_on_that_folds_features(twins, lab, monkeypatch):
    picked = []
    original = evaluation_module._NestedSelection.select

    def spy(self, X, n, **kwargs):
        order = original(self, X, n, **kwargs)
        picked.append((X.copy(), self.order.copy()))
        return order

    monkeypatch.setattr(evaluation_module._NestedSelection, "select", spy)
    _curve(twins, lab, samplers={"gsx": GreedySampler("x")}, fractions=[0.5])
    X, order = picked[0]
    assert X.shape == (8, 9216)
    assert order.tolist() == GreedySampler("x").select(X, 4).tolist()
    # X is the valence net's conv features of 8 of the first subject's frames.
    features = FrozenConvFeaturizer(twins["valence"]).fit_transform(lab.images[:12])
    matches = [np.flatnonzero(np.all(np.isclose(features, row, atol=1e-5), axis=1)) for row in X]
    assert all(len(m) == 1 for m in matches)


def test_cache_dir_resumes_without_recomputing(twins, lab, tmp_path, monkeypatch):
    first = _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0", "transfer_100"])
    files = sorted((tmp_path / "transfer").glob("*.csv"))
    assert len(files) == 3 * 3 * 2

    def no_work(unit):
        raise AssertionError("a finished unit was recomputed")

    monkeypatch.setattr(evaluation_module, "_transfer_unit", no_work)
    again = _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0", "transfer_100"])
    pd.testing.assert_frame_equal(again, first, check_dtype=False)


def test_interrupted_evaluation_resumes_to_the_same_results(twins, lab, tmp_path, monkeypatch):
    reference = _transfer(twins, lab, conditions=["transfer_100"])
    original = evaluation_module._transfer_unit
    done = []

    def interrupted(unit):
        if len(done) == 5:
            raise KeyboardInterrupt
        done.append(1)
        return original(unit)

    monkeypatch.setattr(evaluation_module, "_transfer_unit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_100"])
    assert len(list((tmp_path / "transfer").glob("*.csv"))) == 5
    monkeypatch.setattr(evaluation_module, "_transfer_unit", original)
    resumed = _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_100"])
    pd.testing.assert_frame_equal(
        resumed.drop(columns="fit_seconds"),
        reference.drop(columns="fit_seconds"),
        check_dtype=False,
        check_exact=False,
        rtol=1e-6,
    )


def test_cache_dir_of_another_configuration_is_refused(twins, lab, tmp_path):
    _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"])
    before = sorted(p.name for p in (tmp_path / "transfer").iterdir())
    with pytest.raises(ValueError, match="another configuration"):
        _transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"], random_state=1)
    assert sorted(p.name for p in (tmp_path / "transfer").iterdir()) == before


def test_joint_two_output_net(lab):
    wild = make_faces(20, 2, domain="wild", random_state=3)
    joint = tiny_regressor().fit(wild.images, wild.target)
    results = _transfer(joint, lab, conditions=["transfer_0"])
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
        _transfer(twins, lab, **kwargs)


def test_pretrained_dict_must_cover_the_targets(twins, lab):
    with pytest.raises(ValueError, match=r"missing \['arousal'\]"):
        _transfer({"valence": twins["valence"]}, lab)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fractions": [0.5, 1.5]}, ValueError, "fractions must be numbers in"),
        ({"samplers": {}}, ValueError, "samplers must be a non-empty dict"),
        ({"samplers": {"odd": object()}}, TypeError, "has no select"),
    ],
)
def test_sampling_curve_rejects_bad_arguments(twins, lab, kwargs, error, match):
    with pytest.raises(error, match=match):
        _curve(twins, lab, **kwargs)


# -- summaries ----------------------------------------------------------------------------


def test_summarize_averages_folds_within_subjects_then_across_subjects(transfer):
    table = summarize(transfer)
    row = table[(table["condition"] == "transfer_100") & (table["target"] == "arousal")]
    block = transfer[(transfer["condition"] == "transfer_100") & (transfer["target"] == "arousal")]
    per_subject = block.groupby("subject")["rmse"].mean()
    assert row["rmse_mean"].item() == pytest.approx(per_subject.mean())
    assert row["rmse_std"].item() == pytest.approx(per_subject.std(ddof=1))
    assert row["n_subjects"].item() == 3


def test_compare_samplers_is_scipys_paired_wilcoxon():
    rng = np.random.default_rng(0)
    rows = []
    for subject in range(8):
        for sampler, shift in (("random", 0.0), ("gsx", 0.02)):
            for fold in range(2):
                rows.append(
                    dict(
                        subject=subject,
                        fold=fold,
                        target="valence",
                        study="sampling",
                        condition="fine_tuned",
                        sampler=sampler,
                        fraction=0.1,
                        rmse=0.3 + shift + rng.normal(0, 0.01),
                    )
                )
    results = pd.DataFrame(rows)
    table = compare_samplers(results)
    assert len(table) == 1 and table["sampler"].item() == "gsx"
    means = results.groupby(["sampler", "subject"])["rmse"].mean()
    expected = stats.wilcoxon(means["gsx"], means["random"])
    assert table["p_value"].item() == pytest.approx(expected.pvalue)
    assert table["median_difference"].item() == pytest.approx(
        np.median(means["gsx"] - means["random"])
    )


def test_elbow_fraction():
    fractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
    assert elbow_fraction(fractions, [0.5, 0.3, 0.15, 0.13, 0.12, 0.115, 0.11]) == 0.2
    straight = [0.5 - 0.4 * (f - 0.05) / 0.85 for f in fractions]
    assert np.isnan(elbow_fraction(fractions, straight))  # no bend
    assert np.isnan(elbow_fraction([0.1, 0.5], [0.3, 0.2]))  # too few points
    assert elbow_fraction(fractions[::-1], [0.11, 0.115, 0.12, 0.13, 0.15, 0.3, 0.5]) == 0.2


def test_elbow_fractions_per_target_and_sampler(curve):
    table = elbow_fractions(curve)
    assert set(table.columns) == {"target", "sampler", "elbow_fraction"}
    assert len(table) == 2 * 3


@pytest.mark.slow
def test_dask_backend_gives_the_local_results(twins, lab):
    distributed = pytest.importorskip("dask.distributed")
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        local = _transfer(twins, lab, conditions=["transfer_0", "transfer_100"], n_jobs=1)
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster:
            with distributed.Client(cluster), joblib.parallel_backend("dask"):
                remote = _transfer(twins, lab, conditions=["transfer_0", "transfer_100"])
    finally:
        torch.set_num_threads(threads)
    pd.testing.assert_frame_equal(
        remote.drop(columns="fit_seconds"),
        local.drop(columns="fit_seconds"),
        check_exact=False,
        rtol=1e-6,
    )
