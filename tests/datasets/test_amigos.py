import hashlib
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from sklearn_fer.datasets import DatasetNotFoundError, _amigos, load_amigos, read_amigos_annotations

from .._helpers import face_frames

FPS = 2.0
SECONDS = 48  # segments 1 and 2 annotated, segment 3 (40-48 s) only for one video
BLANK_SECONDS = {8, 9}  # no face on screen: the 8 s sample is dropped


def _write_video(path, faces):
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = faces.shape[1:3]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (width, height))
    assert writer.isOpened()
    for second in range(SECONDS):
        if second in BLANK_SECONDS:
            frame = np.full((height, width, 3), 110, np.uint8)
        else:
            frame = faces[second % len(faces)]
        for _ in range(int(FPS)):
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def _annotation_rows():
    rows = []
    for user, video, segments in ((1, 10, (1, 2, 3)), (2, 13, (1, 2))):
        for segment in segments:
            base = 0.1 * segment * (1 if user == 1 else -1)
            rows.append(
                {
                    "UserID": user,
                    "VideoID": video,
                    "Segment_Index": segment,
                    "Valence_Annotator_1": base,
                    "Valence_Annotator_2": base + 0.2,
                    "Valence_Annotator_3": 1.6,  # outside [-1, 1]: clipped to 1
                    "Arousal_Annotator_1": -base,
                    "Arousal_Annotator_2": -base,
                    "Arousal_Annotator_3": np.nan,  # not rated: mean of the other two
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def amigos_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("AMIGOS")
    faces = face_frames(6)[0]
    _write_video(root / "Exp1_P01_face" / "P01_10_face.mov", faces)
    _write_video(root / "Exp1_P2_face" / "P2_13_face.mov", faces[::-1])  # no zero padding
    _annotation_rows().to_excel(root / "External_Annotations.xlsx", index=False)
    (root / "README.txt").write_text("not a video")
    return root


@pytest.fixture()
def cache(tmp_path):
    return tmp_path / "cache"


def _expected_label(user, segment):
    base = 0.1 * segment * (1 if user == 1 else -1)
    return (base + base + 0.2 + 1.0) / 3, -base


def test_frames_labels_and_segments(amigos_root, cache):
    data = load_amigos(amigos_root, image_size=64, cache_dir=cache)
    # 12 samples per video (0, 4, ..., 44 s); 8 s is blank; P2 has no segment 3.
    times_p1 = [0, 4, 12, 16, 20, 24, 28, 32, 36, 40, 44]
    times_p2 = [0, 4, 12, 16, 20, 24, 28, 32, 36]
    np.testing.assert_array_equal(data.time_s, times_p1 + times_p2)
    np.testing.assert_array_equal(data.subject, [1] * 11 + [2] * 9)
    assert set(data.video[:11]) == {"10"} and set(data.video[11:]) == {"13"}
    np.testing.assert_array_equal(data.segment, [int(t // 20) + 1 for t in times_p1 + times_p2])
    for i in range(len(data.images)):
        valence, arousal = _expected_label(data.subject[i], data.segment[i])
        assert data.valence[i] == pytest.approx(valence, abs=1e-6)
        assert data.arousal[i] == pytest.approx(arousal, abs=1e-6)
    assert data.images.shape == (20, 64, 64, 3) and data.images.dtype == np.uint8
    np.testing.assert_array_equal(data.target, np.column_stack([data.valence, data.arousal]))


def test_dropped_frames_are_counted_with_their_reason(amigos_root, cache):
    dropped = load_amigos(amigos_root, image_size=64, cache_dir=cache).dropped
    counts = dropped.groupby("reason").size().to_dict()
    assert counts == {"no face detected": 2, "no annotation for its segment": 2}
    no_face = dropped[dropped["reason"] == "no face detected"]
    assert no_face["time_s"].tolist() == [8.0, 8.0]
    no_label = dropped[dropped["reason"] == "no annotation for its segment"]
    assert no_label[["participant", "time_s"]].values.tolist() == [[2, 40.0], [2, 44.0]]


def _digest(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


def test_cache_hit_does_not_decode_again_and_sources_stay_untouched(
    amigos_root, cache, monkeypatch
):
    before = _digest(amigos_root)
    first = load_amigos(amigos_root, image_size=64, cache_dir=cache)
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == 2 and not any(name.startswith(".tmp") for name in entries)

    def no_decoding(*args, **kwargs):
        raise AssertionError("the video was decoded again")

    monkeypatch.setattr(_amigos, "VideoFrames", no_decoding)
    second = load_amigos(amigos_root, image_size=64, cache_dir=cache)
    np.testing.assert_array_equal(second.images, first.images)
    np.testing.assert_array_equal(second.target, first.target)
    assert _digest(amigos_root) == before


def test_other_settings_do_not_reuse_the_cache(amigos_root, cache):
    load_amigos(amigos_root, image_size=64, cache_dir=cache)
    other = load_amigos(amigos_root, image_size=64, every_seconds=8, cache_dir=cache)
    assert len(list(cache.iterdir())) == 4
    np.testing.assert_array_equal(np.unique(other.time_s), [0, 16, 24, 32, 40])


def test_interrupted_cache_write_leaves_no_entry(amigos_root, cache, monkeypatch):
    def failing_savez(stream, **arrays):
        stream.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(_amigos.np, "savez", failing_savez)
    with pytest.raises(KeyboardInterrupt):
        load_amigos(amigos_root, image_size=64, cache_dir=cache)
    assert list(cache.iterdir()) == []


def test_participants_filter_and_unknown_participant(amigos_root):
    data = load_amigos(amigos_root, participants=[2], image_size=64, cache_dir=False)
    assert set(data.subject) == {2}
    with pytest.raises(ValueError, match=r"participant\(s\) \[7\]; found participants \[1, 2\]"):
        load_amigos(amigos_root, participants=[7], image_size=64, cache_dir=False)


def test_layout_pattern_can_be_overridden(amigos_root, tmp_path):
    root = tmp_path / "flat"
    root.mkdir()
    (root / "subject1-video10.mov").write_bytes(
        (amigos_root / "Exp1_P01_face" / "P01_10_face.mov").read_bytes()
    )
    _annotation_rows().to_csv(root / "External_Annotations.csv", index=False)
    data = load_amigos(
        root,
        image_size=64,
        cache_dir=False,
        video_pattern=r"subject(?P<participant>\d+)-video(?P<video>\d+)\.mov",
    )
    assert len(data.images) == 11 and set(data.subject) == {1}


def test_annotations_are_averaged_after_clipping(amigos_root):
    labels = read_amigos_annotations(amigos_root / "External_Annotations.xlsx")
    row = labels[(labels.participant == 1) & (labels.segment == 2)].iloc[0]
    assert row.valence == pytest.approx((0.2 + 0.4 + 1.0) / 3)
    assert row.arousal == pytest.approx(-0.2)
    assert row.video == "10"


def test_missing_root_annotations_and_videos(tmp_path, amigos_root):
    with pytest.raises(DatasetNotFoundError, match="AMIGOS root .* does not exist"):
        load_amigos(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetNotFoundError, match="External_Annotations"):
        load_amigos(empty)
    _annotation_rows().to_csv(empty / "External_Annotations.csv", index=False)
    with pytest.raises(DatasetNotFoundError, match="no video .* matches"):
        load_amigos(empty)


def test_annotation_file_without_expected_columns(tmp_path, amigos_root):
    path = tmp_path / "External_Annotations.csv"
    pd.DataFrame({"UserID": [1], "VideoID": [10]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="lacks the column.*Segment_Index.*expected"):
        load_amigos(amigos_root, annotations=path, cache_dir=False)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"every_seconds": 0}, r"'every_seconds' .* \(0.0, inf\)\. Got 0 instead"),
        ({"every_seconds": "4"}, r"'every_seconds' .* Got '4' instead"),
        ({"every_seconds": True}, r"'every_seconds' .* \(not a bool\)"),
        ({"image_size": 62}, r"'image_size' .* \[63, inf\)\. Got 62 instead"),
        ({"video_pattern": r".*\.mov"}, "named groups 'participant' and 'video'"),
    ],
)
def test_bad_arguments_are_rejected(amigos_root, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_amigos(amigos_root, cache_dir=False, **kwargs)


def test_unreadable_video_is_skipped_with_a_warning(amigos_root, tmp_path):
    root = tmp_path / "broken"
    (root / "Exp1_P03_face").mkdir(parents=True)
    (root / "Exp1_P03_face" / "P03_10_face.mov").write_bytes(b"not a video")
    _annotation_rows().to_csv(root / "External_Annotations.csv", index=False)
    with pytest.warns(UserWarning, match="skipped Exp1_P03_face/P03_10_face.mov"):
        data = load_amigos(root, image_size=64, cache_dir=False)
    assert len(data.images) == 0
    assert data.dropped["reason"].tolist() == ["unreadable video"]
