"""Faults in the study runner's cache: a damaged unit file is never read as a result.

Unit files are written atomically, so a half-written file only comes from outside (a full
disk, a copy cut short, a crash of the file system). Each file ends in the checksum of its
content; a file cut at any byte, or with any byte changed, is recomputed.
"""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import _transfer as transfer_module
from sklearn_fer.evaluation._store import UnitStore

from .._helpers import tiny_regressor
from ..evaluation._runs import run_transfer
from ._clean import count

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ROWS = [
    {"subject": "s0", "target": "valence", "fold": 0, "rmse": 0.25, "ccc": 0.5},
    {"subject": "s0", "target": "valence", "fold": 0, "rmse": 0.125, "ccc": -0.75},
]


def _store(tmp_path):
    return UnitStore(tmp_path, "study", "fingerprint")


def test_a_saved_unit_loads_as_saved(tmp_path):
    store = _store(tmp_path)
    store.save("unit", ROWS)
    assert store.load("unit") == ROWS


@FUZZ
@given(data=st.data())
def test_a_cut_or_changed_unit_file_is_not_a_result(tmp_path, data):
    store = _store(tmp_path)
    store.save("unit", ROWS)
    path = store.path("unit")
    content = path.read_bytes()
    # The closing newline is no content: cutting or changing only it leaves the unit whole.
    if data.draw(st.booleans()):
        damaged = content[: data.draw(st.integers(0, len(content) - 2))]
    else:
        at = data.draw(st.integers(0, len(content) - 2))
        byte = data.draw(st.integers(0, 255).filter(lambda b: b != content[at]))
        damaged = content[:at] + bytes([byte]) + content[at + 1 :]
    path.write_bytes(damaged)
    count("faults")
    assert store.load("unit") is None
    count("faults", "clean error")  # detected: the unit is computed again


@pytest.fixture(scope="module")
def study():
    lab = make_faces(3, 12, random_state=2)
    wild = make_faces(20, 2, domain="wild", random_state=3)
    twins = {
        "valence": tiny_regressor(random_state=1).fit(wild.images, wild.valence),
        "arousal": tiny_regressor(random_state=2).fit(wild.images, wild.arousal),
    }
    return twins, lab


def test_a_truncated_cache_file_is_recomputed_to_the_same_results(study, tmp_path, monkeypatch):
    twins, lab = study
    first = run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"])
    files = sorted((tmp_path / "transfer").glob("*.csv"))
    victim = files[len(files) // 2]
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    original, recomputed = transfer_module._transfer_unit, []

    def counting(unit):
        recomputed.append(unit)
        return original(unit)

    monkeypatch.setattr(transfer_module, "_transfer_unit", counting)
    again = run_transfer(twins, lab, cache_dir=tmp_path, conditions=["transfer_0"])
    assert len(recomputed) == 1
    timing = [c for c in first.columns if c.endswith("_seconds")]  # wall time, never equal
    pd.testing.assert_frame_equal(again.drop(columns=timing), first.drop(columns=timing))
    count("faults")
    count("faults", "clean error")


def _reproduce(out, env):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "sklearn_fer", "reproduce", "--profile", "smoke"]
    return subprocess.Popen(
        [*argv, "--out", str(out), "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _units(out):
    return len(list((out / "cache").rglob("*.csv"))) if (out / "cache").exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_units", [1, 5])
def test_sigkill_during_reproduce_then_rerun_gives_the_uninterrupted_results(
    tmp_path, kill_after_units
):
    import os
    import signal
    import time

    env = {**os.environ, "SKLEARN_FER_DATA": str(tmp_path / "data"), "OMP_NUM_THREADS": "1"}
    reference = tmp_path / "reference"
    assert _reproduce(reference, env).wait(timeout=900) == 0
    out = tmp_path / "killed"
    process = _reproduce(out, env)
    while _units(out) < kill_after_units and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before the kill point"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "results.csv").exists()
    assert _reproduce(out, env).wait(timeout=900) == 0

    def results(folder):
        return pd.read_csv(folder / "results.csv").drop(columns="fit_seconds")

    pd.testing.assert_frame_equal(results(out), results(reference), check_exact=False, rtol=1e-6)


def test_a_second_run_on_a_locked_out_is_refused_and_changes_nothing(tmp_path):
    from sklearn_fer._locking import file_lock
    from sklearn_fer.study import StudyError, make_config, reproduce
    from sklearn_fer.study._run import LOCK_FILE

    out = tmp_path / "out"
    out.mkdir()
    with file_lock(out / LOCK_FILE):  # what a running reproduce holds
        with pytest.raises(StudyError, match="another reproduce is writing into"):
            reproduce(make_config("smoke"), out, progress=False, log=lambda m: None)
    assert [p.name for p in out.iterdir()] == [LOCK_FILE]  # no config.json, no results


def test_the_lock_file_is_not_written_into_a_foreign_folder(tmp_path):
    from sklearn_fer.study import StudyError, make_config, reproduce

    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(StudyError, match="not empty and holds no study configuration"):
        reproduce(make_config("smoke"), tmp_path, progress=False, log=lambda m: None)
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]


@pytest.mark.slow
def test_two_concurrent_reproduce_processes_on_one_out(tmp_path):
    import os
    import time

    env = {**os.environ, "SKLEARN_FER_DATA": str(tmp_path / "data"), "OMP_NUM_THREADS": "1"}
    out = tmp_path / "out"
    first = _reproduce(out, env)
    while _units(out) < 1 and first.poll() is None:
        time.sleep(0.05)
    assert first.poll() is None, "the first run finished before the second started"
    second = _reproduce(out, env)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 2
    assert b"another reproduce is writing into" in err and b"Traceback" not in err
    assert first.wait(timeout=900) == 0
    assert len(pd.read_csv(out / "results.csv"))  # the first run's results are whole
