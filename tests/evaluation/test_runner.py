"""The runner and its store: finished units are not recomputed, an interrupted run
resumes to the same results, a folder of another configuration is refused, and a dask
cluster gives the local results."""

import joblib
import pandas as pd
import pytest

from sklearn_fer.evaluation import _transfer as transfer_module

from ._runs import run_transfer


def test_cache_dir_resumes_without_recomputing(twins, lab, tmp_path, monkeypatch):
    first = run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0", "transfer_100"])
    files = sorted((tmp_path / "transfer").glob("*.csv"))
    assert len(files) == 3 * 3 * 2

    def no_work(unit):
        raise AssertionError("a finished unit was recomputed")

    monkeypatch.setattr(transfer_module, "_transfer_unit", no_work)
    again = run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0", "transfer_100"])
    pd.testing.assert_frame_equal(again, first, check_dtype=False)


def test_interrupted_evaluation_resumes_to_the_same_results(twins, lab, tmp_path, monkeypatch):
    reference = run_transfer(twins, lab, conditions=["transfer_100"])
    original = transfer_module._transfer_unit
    done = []

    def interrupted(unit):
        if len(done) == 5:
            raise KeyboardInterrupt
        done.append(1)
        return original(unit)

    monkeypatch.setattr(transfer_module, "_transfer_unit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_100"])
    assert len(list((tmp_path / "transfer").glob("*.csv"))) == 5
    monkeypatch.setattr(transfer_module, "_transfer_unit", original)
    resumed = run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_100"])
    pd.testing.assert_frame_equal(
        resumed.drop(columns="fit_seconds"),
        reference.drop(columns="fit_seconds"),
        check_dtype=False,
        check_exact=False,
        rtol=1e-6,
    )


def test_cache_dir_of_another_configuration_is_refused(twins, lab, tmp_path):
    run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"])
    before = sorted(p.name for p in (tmp_path / "transfer").iterdir())
    with pytest.raises(ValueError, match="another configuration"):
        run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"], random_state=1)
    assert sorted(p.name for p in (tmp_path / "transfer").iterdir()) == before


@pytest.mark.slow
def test_dask_backend_gives_the_local_results(twins, lab):
    distributed = pytest.importorskip("dask.distributed")
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        local = run_transfer(twins, lab, conditions=["transfer_0", "transfer_100"], n_jobs=1)
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster:
            with distributed.Client(cluster), joblib.parallel_backend("dask"):
                remote = run_transfer(twins, lab, conditions=["transfer_0", "transfer_100"])
    finally:
        torch.set_num_threads(threads)
    pd.testing.assert_frame_equal(
        remote.drop(columns="fit_seconds"),
        local.drop(columns="fit_seconds"),
        check_exact=False,
        rtol=1e-6,
    )
