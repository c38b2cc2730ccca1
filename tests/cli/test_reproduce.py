"""The sklearn-fer command line, end to end on the smoke profile."""

import dataclasses
import pickle
import re
import shutil

import cv2
import numpy as np
import pandas as pd
import pytest
import torch

from sklearn_fer import cli, study
from sklearn_fer.evaluation import RESULT_COLUMNS
from sklearn_fer.evaluation import _pathnet as pathnet_module
from sklearn_fer.evaluation import _sampling as sampling_module
from sklearn_fer.evaluation import _transfer as transfer_module
from sklearn_fer.study import _data, _pretraining
from sklearn_fer.study._run import LOCK_FILE

from .._helpers import face_frames

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("data_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKLEARN_FER_DATA", str(home))
        yield home


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, data_home):
    out = tmp_path_factory.mktemp("smoke") / "out"
    assert cli.main(["reproduce", "--profile", "smoke", "--out", str(out), "--no-progress"]) == 0
    return out


def _results(out):
    return pd.read_csv(out / "results.csv").drop(columns="fit_seconds")


def test_smoke_run_writes_every_output(smoke):
    for name in (
        "results.csv",
        "report.md",
        "transfer.png",
        "sampling.png",
        "config.json",
        "model/model.json",
        "model/valence.pt",
        "model/arousal.pt",
    ):
        assert (smoke / name).is_file(), name
    for figure in ("transfer.png", "sampling.png"):
        assert (smoke / figure).read_bytes().startswith(PNG)
    results = pd.read_csv(smoke / "results.csv")
    assert list(results.columns) == RESULT_COLUMNS
    assert set(results["study"]) == {
        "transfer",
        "sampling",
        "forgetting",
        "cross_domain",
        "general",
    }
    assert set(results["target"]) == {"valence", "arousal"}
    transfer = results[results["study"] == "transfer"]
    assert set(transfer["condition"]) == {"no_transfer", "transfer_0", "transfer_100", "pathnet"}
    sampling = results[results["study"] == "sampling"]
    fine_tuned = sampling[sampling["condition"] == "fine_tuned"]
    assert set(fine_tuned["sampler"]) == {"random", "gsx", "gsy", "igs", "mcdue"}
    pathnet = sampling[sampling["condition"] == "pathnet"]
    assert set(pathnet["sampler"]) == {"random", "gsx"}
    assert sorted(sampling["fraction"].unique()) == [0.2, 0.6]
    assert results[["rmse", "ccc", "sagr"]].notna().all().all()
    assert not (smoke / "checkpoints").exists()
    assert not (smoke / LOCK_FILE).exists()  # a finished run leaves no lock (issue 25)


def test_report_states_synthetic_data_and_every_departure_from_the_paper(smoke):
    report = (smoke / "report.md").read_text()
    assert "**These results come from synthetic data.**" in report
    for setting, *_ in study.deviations(study.make_config("smoke")):
        assert re.search(rf"^\| {setting}\s+\|", report, re.MULTILINE)
    assert "![transfer](transfer.png)" in report and "![sampling](sampling.png)" in report
    assert "Wilcoxon" in report and "Elbow" in report
    # the smoke curves stop at 60%: the seed noise of a fit is said not to be measured
    assert "no fraction of 100%" in report


def test_report_gives_the_general_nets_validation_scores_beside_the_papers(smoke):
    from sklearn_fer.persistence import read_manifest

    results = pd.read_csv(smoke / "results.csv")
    general = results[results["study"] == "general"].set_index("target")
    scores = read_manifest(smoke / "model")["metadata"]["validation"]["scores"]
    for target in ("valence", "arousal"):
        assert general.loc[target, "rmse"] == pytest.approx(scores[target]["rmse"])
    report = (smoke / "report.md").read_text()
    section = report.split("## General nets on their validation set", 1)[1].split("\n## ")[0]
    assert "people no general net saw" in section
    for target, paper in (("valence", 0.279), ("arousal", 0.242)):
        row = rf"\| {target}\s+\|\s+{general.loc[target, 'rmse']:.3f} \|.*\|\s+{paper}"
        assert re.search(row + r"\s+\| not stated", section), target


def test_report_says_what_pathnet_takes_from_the_meta_transfer_paper(smoke):
    report = (smoke / "report.md").read_text()
    assert "### What is taken from *Meta-transfer learning for emotion recognition*" in report
    assert "Fernando et al. (2017)" in report and "SAVEE, EMODB, eNTERFACE" in report


def test_rerun_resumes_without_recomputing(smoke, monkeypatch):
    before = _results(smoke)

    def no_work(*args, **kwargs):
        raise AssertionError("finished work was recomputed")

    monkeypatch.setattr(transfer_module, "_transfer_unit", no_work)
    monkeypatch.setattr(sampling_module, "_sampling_unit", no_work)
    monkeypatch.setattr(pathnet_module, "_pathnet_transfer_unit", no_work)
    monkeypatch.setattr(pathnet_module, "_pathnet_sampling_unit", no_work)
    monkeypatch.setattr(_pretraining, "fit_resumably", no_work)
    assert cli.main(["reproduce", "--profile", "smoke", "--out", str(smoke), "--no-progress"]) == 0
    pd.testing.assert_frame_equal(_results(smoke), before)


def test_interrupted_run_resumes_to_the_same_results(smoke, tmp_path, monkeypatch, capsys):
    out = tmp_path / "interrupted"
    original = sampling_module._sampling_unit
    done = []

    def interrupt_after_four(unit):
        if len(done) == 4:
            raise KeyboardInterrupt
        done.append(1)
        return original(unit)

    monkeypatch.setattr(sampling_module, "_sampling_unit", interrupt_after_four)
    code = cli.main(["reproduce", "--profile", "smoke", "--out", str(out), "--no-progress"])
    assert code == 130
    assert "run the same command to resume" in capsys.readouterr().err
    assert (out / LOCK_FILE).is_file()  # left by the interrupted run, held by none
    assert not (out / "results.csv").exists()
    assert len(list((out / "cache" / "sampling").glob("s*.csv"))) == 4
    monkeypatch.setattr(sampling_module, "_sampling_unit", original)
    assert cli.main(["reproduce", "--profile", "smoke", "--out", str(out), "--no-progress"]) == 0
    pd.testing.assert_frame_equal(_results(out), _results(smoke), check_exact=False, rtol=1e-6)


def test_general_nets_with_progress_bars_come_back_from_worker_processes(tmp_path, data_home):
    # A net that still held its progress bar (and the bar its stream) could not be
    # unpickled in the parent: `make reproduce` failed this way with --n-jobs 2.
    smoke = study.make_config("smoke", seed=5)
    config = dataclasses.replace(
        smoke, pretraining=dataclasses.replace(smoke.pretraining, epochs=1)
    )
    wild, _ = _data.load_data(config, None, None, lambda message: None)
    nets = _pretraining.general_models(
        config, wild, tmp_path, data_home, progress=True, log=lambda m: None, n_jobs=2
    )
    assert sorted(nets) == ["arousal", "valence"]
    assert all(len(net.history) == 1 for net in nets.values())


def test_out_holding_another_configuration_is_refused(smoke, capsys):
    before = (smoke / "results.csv").read_bytes()
    code = cli.main(["reproduce", "--profile", "smoke", "--seed", "3", "--out", str(smoke)])
    assert code == 2
    assert "another configuration" in capsys.readouterr().err
    assert (smoke / "results.csv").read_bytes() == before


@pytest.mark.parametrize(
    "argv, message",
    [
        (["reproduce", "--profile", "huge"], "invalid choice"),
        (["reproduce", "--n-jobs", "0"], "positive int"),
        (["reproduce", "--seed", "-1"], "non-negative"),
        (["reproduce", "--dataset", "amigos"], "--affectnet-root"),
        (["reproduce", "--device", "tpu"], "--device"),
        (["reproduce", "--affectnet-root", "/tmp"], "go with --dataset amigos"),
        (["predict", "/no/such/video.mov", "--model", "/tmp"], "does not exist"),
        (["predict", "video.mov"], "--model"),
        (["predict", "video.mov", "--model", "m", "--every-seconds", "0"], "positive"),
        ([], "COMMAND"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_cuda_without_a_gpu_exits_2(capsys, tmp_path):
    assert cli.main(["reproduce", "--device", "cuda", "--out", str(tmp_path / "o")]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_foreign_non_empty_out_is_refused(tmp_path, capsys):
    (tmp_path / "thesis.tex").write_text("precious")
    assert cli.main(["reproduce", "--profile", "smoke", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def _write_video(path, frames, fps=2.0):
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    for frame in frames:
        for _ in range(int(fps)):
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def test_predict_gives_per_frame_valence_and_arousal(smoke, tmp_path):
    frames = face_frames(4)[0]
    blank = np.full_like(frames[:1], 100)
    video = tmp_path / "clip.mov"
    _write_video(video, np.concatenate([frames[:2], blank, frames[2:]]))
    out = tmp_path / "frames.csv"
    code = cli.main(
        [
            "predict",
            str(video),
            "--model",
            str(smoke / "model"),
            "--every-seconds",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["time_s", "face_found", "valence", "arousal"]
    np.testing.assert_allclose(table["time_s"], [0, 1, 2, 3, 4])
    assert table["face_found"].tolist() == [True, True, False, True, True]
    assert table.loc[2, ["valence", "arousal"]].isna().all()
    assert table.loc[table["face_found"], ["valence", "arousal"]].notna().all().all()


def test_predict_refuses_a_model_folder_holding_a_pickle(smoke, tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    for item in (smoke / "model").iterdir():
        (model / item.name).write_bytes(item.read_bytes())
    (model / "valence.pt").write_bytes(pickle.dumps({"not": "weights", "f": print}))
    video = tmp_path / "clip.mov"
    _write_video(video, face_frames(1)[0])
    assert cli.main(["predict", str(video), "--model", str(model)]) == 2
    assert "not a weights file" in capsys.readouterr().err


def test_the_study_choices_are_the_registered_studies(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "10000")  # no line breaks (argparse breaks at hyphens)
    assert cli.main(["reproduce", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "--study {rescigno,nasri,zhou-shi}" in shown
    from sklearn_fer.study._registry import REGISTRY

    for name in study.STUDIES:  # each study's description is in the help, zhou-shi's too
        default = " (default)" if name == "rescigno" else ""
        assert f"{name}{default}: {REGISTRY[name].does}." in shown
    assert "layers.png, selectivity.png and robustness.png" in shown
    for name, registered in study.STUDIES.items():
        assert registered.name == name
        assert isinstance(registered.configure("smoke"), registered.config_class)


def test_the_command_line_starts_without_torch_and_prints_its_version():
    # --help must be instant: building the parser imports none of the heavy libraries.
    import subprocess
    import sys

    code = (
        "import sys, sklearn_fer.cli as c; c._main._parser(); "
        "print(sorted(m for m in ('torch', 'skorch', 'cv2', 'sklearn', 'pandas') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    with pytest.raises(SystemExit) as exit_:
        cli._main._parser().parse_args(["--version"])
    assert exit_.value.code == 0


def test_every_option_of_every_command_has_help():
    import argparse

    parser = cli._main._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        for action in command._actions:
            assert action.help, f"sklearn-fer {name} {action.option_strings or action.dest}"


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_jobs(smoke, tmp_path, monkeypatch):
    # Every seed comes from --seed and the unit's position, never from the order units
    # finish in; a fresh data home makes the general models be pre-trained again too.
    monkeypatch.setenv("SKLEARN_FER_DATA", str(tmp_path / "home"))
    out = tmp_path / "parallel"
    arguments = ["reproduce", "--profile", "smoke", "--out", str(out), "--no-progress"]
    assert cli.main(arguments + ["--n-jobs", "2"]) == 0
    serial, parallel = _results(smoke), _results(out)
    keys = ["study", "target", "subject", "fold", "condition", "sampler", "fraction", "n_train"]
    pd.testing.assert_frame_equal(serial[keys], parallel[keys])
    # Every unit and both pre-trainings run on one thread in either case
    # (sklearn_fer._threads), so the arithmetic, and every metric, is the same bit for bit.
    metrics = ["rmse", "ccc", "pcc", "sagr"]
    pd.testing.assert_frame_equal(serial[metrics], parallel[metrics], check_exact=True)


def test_an_interrupted_copy_of_the_cached_model_leaves_no_half_folder(
    smoke, data_home, tmp_path, monkeypatch
):
    # `reproduce` copies the shared model cache into a new --out; a copy cut short must
    # not leave an out/model that a resumed run would load as the general model.
    config = study.make_config("smoke")
    wild, _ = _data.load_data(config, None, None, lambda message: None)
    copyfile, copied = shutil.copyfile, []

    def copy_one_then_fail(source, destination, **kwargs):
        if copied:
            raise KeyboardInterrupt
        copied.append(source)
        return copyfile(source, destination, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", copy_one_then_fail)
    with pytest.raises(KeyboardInterrupt):
        _pretraining.general_models(config, wild, tmp_path, data_home, False, lambda m: None)
    assert copied  # the copy had started
    assert not (tmp_path / "model").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".model")]
    monkeypatch.setattr(shutil, "copyfile", copyfile)
    nets = _pretraining.general_models(config, wild, tmp_path, data_home, False, lambda m: None)
    reference = (smoke / "model" / "valence.pt").read_bytes()
    assert (tmp_path / "model" / "valence.pt").read_bytes() == reference
    assert sorted(nets) == ["arousal", "valence"]


# What a run of `sklearn-fer reproduce` sees of its kernels, from a fresh process: the
# study itself is replaced by a stub that records torch's kernel level and the variables
# the worker processes would inherit.
_KERNEL_PROBE = """
import json, os, sys
import torch
from sklearn_fer import cli, study
seen = {}
def stub(config, out, **kwargs):
    seen["level"] = torch.backends.cpu.get_cpu_capability()
    seen["environ"] = {k: os.environ.get(k) for k in json.loads(sys.argv[1])}
    raise study.StudyError("stub")
study.reproduce = stub
code = cli.main(["reproduce", "--profile", "smoke", "--out", sys.argv[2], *sys.argv[3:]])
print(json.dumps({"code": code, **seen}))
"""


def _probe_kernels(tmp_path, *options):
    import json
    import os
    import subprocess
    import sys

    from sklearn_fer._threads import PORTABLE_KERNELS

    environ = {k: v for k, v in os.environ.items() if k not in PORTABLE_KERNELS}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _KERNEL_PROBE,
            json.dumps(list(PORTABLE_KERNELS)),
            str(tmp_path / "out"),
            *options,
        ],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _bare_torch_level():
    import os
    import subprocess
    import sys

    from sklearn_fer._threads import PORTABLE_KERNELS

    environ = {k: v for k, v in os.environ.items() if k not in PORTABLE_KERNELS}
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    return done.stdout.strip()


def test_reproduce_restricts_every_kernel_library_to_avx2_for_itself_and_its_workers(tmp_path):
    from sklearn_fer._threads import PORTABLE_KERNELS

    seen, stderr = _probe_kernels(tmp_path)
    assert seen["code"] == 2 and "stub" in stderr
    # torch's own kernels (AVX512 on this project's CPUs without the mode) ...
    assert seen["level"] == "AVX2"
    # ... and MKL's and oneDNN's, in this process and in the workers it starts.
    assert seen["environ"] == PORTABLE_KERNELS
    assert "warning" not in stderr
    native, _ = _probe_kernels(tmp_path, "--native-kernels")
    assert native["environ"] == dict.fromkeys(PORTABLE_KERNELS)
    # The library alone changes nothing: the CPU's widest kernels, as in bare torch.
    assert native["level"] == _bare_torch_level()


def test_reproduce_after_torch_computed_keeps_native_kernels_and_says_so(
    tmp_path, monkeypatch, capsys
):
    from sklearn_fer._threads import PORTABLE_KERNELS

    for name in PORTABLE_KERNELS:
        monkeypatch.delenv(name, raising=False)
    torch.ones(3).sum()  # this process has computed: its kernels are chosen
    seen = {}

    def stub(config, out, **kwargs):
        import os

        seen.update({k: os.environ.get(k) for k in PORTABLE_KERNELS})
        raise study.StudyError("stub")

    monkeypatch.setattr(study, "reproduce", stub)
    assert cli.main(["reproduce", "--profile", "smoke", "--out", str(tmp_path / "o")]) == 2
    if torch.backends.cpu.get_cpu_capability().startswith("AVX512"):
        # Workers restricted and this process not would compute apart: neither is.
        assert seen == dict.fromkeys(PORTABLE_KERNELS)
        assert "not restricted to AVX2" in capsys.readouterr().err
    else:
        assert seen == PORTABLE_KERNELS
    assert all(name not in __import__("os").environ for name in PORTABLE_KERNELS)


@pytest.mark.slow
def test_results_are_the_same_with_kernels_restricted_to_avx2_from_outside(tmp_path):
    # What a CPU without AVX-512 computes (MKL and oneDNN limited to AVX2 by their own
    # variables) is what reproduce computes here: results.csv identical to the bit.
    import os
    import subprocess
    import sys

    from sklearn_fer._threads import PORTABLE_KERNELS

    frames = []
    for name, extra in (
        ("default", {}),
        ("avx2", {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}),
    ):
        environ = {k: v for k, v in os.environ.items() if k not in PORTABLE_KERNELS}
        environ.update(extra, SKLEARN_FER_DATA=str(tmp_path / f"home-{name}"))
        out = tmp_path / name
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sklearn_fer",
                "reproduce",
                "--profile",
                "smoke",
                "--out",
                str(out),
                "--no-progress",
            ],
            env=environ,
            check=True,
            capture_output=True,
        )
        frames.append(_results(out))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
