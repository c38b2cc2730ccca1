"""Video loader attacks: AMIGOS trees with links out of the root and broken videos, hostile
annotation files, and truncated videos through VideoFrames, query_video and predict_video.

Pass: a clean ValueError or OSError naming the file or the value, or the video or frame
listed in ``dropped`` with its reason; no video outside the root is opened, and the tree
(``root`` and what lies outside it) is byte-identical afterwards. Inputs are a few frames
of a few KB each, so a decoder that loops would still show up as a slow test.
"""

import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_fer.datasets import (
    VideoFrames,
    _video,
    load_amigos,
    read_amigos_annotations,
)
from sklearn_fer.workflow import predict_video, query_video

from .._helpers import detectable_frames, tiny_general_folder, write_video
from ._clean import count, expect_clean_error
from .test_loaders import _digest

SECONDS = 4  # one face a second, 2 frames a second: 8 frames, ~45 KB as MJPG
COLUMNS = ["UserID", "VideoID", "Segment_Index"] + [
    f"{dim}_Annotator_{k}" for dim in ("Valence", "Arousal") for k in (1, 2, 3)
]
AVI_PATTERN = r"P(?P<participant>\d+)_(?P<video>\d+)\.avi"


def expect_os_error(area, call, path):
    """``call()`` must raise an OSError whose message names ``path``."""
    count(area)
    with pytest.raises(OSError) as info:
        call()
    assert os.fspath(path) in str(info.value), f"{str(info.value)!r} does not name {path}"
    count(area, "clean error")
    return info.value


def _annotations(path, participants, text=None):
    """One rated segment (the first 20 s) of video 10 for each participant."""
    if text is None:
        rows = [f"{p},10,1,0.5,0.5,0.5,-0.5,-0.5,-0.5" for p in participants]
        text = ",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _blank_frames(data):
    """The video with the start of every JPEG frame zeroed: it opens, no frame decodes."""
    data = bytearray(data)
    start = data.find(b"\xff\xd8\xff")
    while start >= 0:
        data[start : start + 400] = bytes(400)
        start = data.find(b"\xff\xd8\xff", start + 400)
    return bytes(data)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """A good MJPG video as .avi and .mov bytes, and the times VideoFrames gives for it."""
    folder = tmp_path_factory.mktemp("videos")
    frames = detectable_frames(SECONDS)[0]
    avi = write_video(folder / "good.avi", frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mov = write_video(folder / "good.mov", frames)
    times = [t for t, _ in VideoFrames(avi, every_seconds=1)]
    assert times == [0.0, 1.0, 2.0, 3.0]
    return {"avi": avi, "mov": mov, "times": times}


@pytest.fixture()
def opened(monkeypatch):
    """Every path a video is opened from, through VideoFrames (the loaders' only reader)."""
    paths = []
    capture = _video._capture

    def spy(path):
        paths.append(Path(os.fspath(path)))
        return capture(path)

    monkeypatch.setattr(_video, "_capture", spy)
    return paths


def _load(root, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_amigos(root, image_size=64, every_seconds=1, **kwargs)
    return data, [str(w.message) for w in caught]


def _reasons(data):
    """participant -> sorted reasons of the rows dropped for it."""
    table = data.dropped
    return {int(p): sorted(group["reason"]) for p, group in table.groupby("participant")}


def _check_frames(data, participant, times):
    """Each of ``times`` either loaded or dropped for having no face, never both."""
    loaded = data.time_s[data.subject == participant].tolist()
    table = data.dropped[data.dropped["participant"] == participant]
    no_face = table.loc[table["reason"] == "no face detected", "time_s"].tolist()
    assert sorted(loaded + no_face) == list(times)
    assert loaded, f"no face of participant {participant} was loaded"


# AMIGOS: links out of the root and broken videos in the default layout.


@pytest.fixture(scope="module")
def amigos_tree(tmp_path_factory, videos):
    base = tmp_path_factory.mktemp("amigos")
    root, outside = base / "root", base / "outside"
    good = videos["mov"].read_bytes()
    files = {
        1: good,
        2: good[: len(good) // 2],  # cut in the middle: the index at the end is lost
        3: good[:100],
        4: b"",
        5: b"just some text renamed to look like a video\n" * 20,
        9: _blank_frames(good),
    }
    for participant, data in files.items():
        folder = root / f"Exp1_P{participant:02d}_face"
        folder.mkdir(parents=True)
        (folder / f"P{participant:02d}_10_face.mov").write_bytes(data)
    (outside / "Exp1_P07_face").mkdir(parents=True)
    (outside / "P06_10_face.mov").write_bytes(good)
    (outside / "Exp1_P07_face" / "P07_10_face.mov").write_bytes(good)
    (root / "Exp1_P06_face").mkdir()
    (root / "Exp1_P06_face" / "P06_10_face.mov").symlink_to(outside / "P06_10_face.mov")
    (root / "Exp1_P07_face").symlink_to(outside / "Exp1_P07_face")  # a linked folder
    (root / "Exp1_P08_face").mkdir()
    (root / "Exp1_P08_face" / "P08_10_face.mov").symlink_to(outside / "gone.mov")  # broken
    (root / "Exp1_P10_face").mkdir()  # a link that stays inside the root: allowed
    (root / "Exp1_P10_face" / "P10_10_face.mov").symlink_to("../Exp1_P01_face/P01_10_face.mov")
    _annotations(root / "External_Annotations.csv", range(1, 11))
    return base


def test_amigos_links_out_of_the_root_are_never_read_and_broken_videos_are_reported(
    amigos_tree, videos, opened, tmp_path
):
    root = amigos_tree / "root"
    before = _digest(amigos_tree)
    data, messages = _load(root, cache_dir=tmp_path / "cache")
    count("amigos", "tried")
    inside = root.resolve()
    assert opened and all(p.resolve().is_relative_to(inside) for p in opened), opened
    assert _digest(amigos_tree) == before
    reasons = _reasons(data)
    for participant in (2, 3, 4, 5):
        assert reasons[participant] == ["unreadable video"]
    assert reasons[6] == reasons[8] == ["path leaves root"]
    assert reasons[9] == ["no frame could be decoded"]
    assert 7 not in reasons and 7 not in set(data.subject)  # a linked folder is not walked
    for participant in (2, 3, 4, 5, 6, 8, 9):
        relative = f"Exp1_P{participant:02d}_face/P{participant:02d}_10_face.mov"
        assert any(relative in m for m in messages), f"no warning names {relative}"
    assert set(data.subject) == {1, 10}
    _check_frames(data, 1, videos["times"])
    _check_frames(data, 10, videos["times"])
    assert data.dropped.loc[data.dropped["time_s"].isna(), "participant"].tolist() == [
        2,
        3,
        4,
        5,
        6,
        8,
        9,
    ]
    count("amigos", "clean error")


def test_amigos_annotation_file_linked_from_outside_the_root_is_not_read(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = _annotations(tmp_path / "External_Annotations.csv", [1])
    (root / "External_Annotations.csv").symlink_to(outside)
    expect_clean_error(
        "amigos", lambda: load_amigos(root, cache_dir=False), "External_Annotations.csv", "link"
    )
    # Given explicitly, the same file is read.
    with pytest.raises(ValueError, match="no video"):
        load_amigos(root, annotations=outside, cache_dir=False)


# AMIGOS: truncated and broken .avi videos through a custom layout.


@pytest.fixture(scope="module")
def avi_tree(tmp_path_factory, videos):
    root = tmp_path_factory.mktemp("amigos_avi")
    good = videos["avi"].read_bytes()
    files = {
        1: good,
        2: good[: len(good) // 2],  # an AVI cut in the middle still opens
        3: good[:100],
        4: b"",
        5: b"RIFF not really an AVI, a text file renamed\n" * 20,
    }
    for participant, data in files.items():
        (root / f"P{participant:02d}_10.avi").write_bytes(data)
    _annotations(root / "External_Annotations.csv", range(1, 6))
    return root


def test_amigos_truncated_video_gives_its_decodable_frames_and_reports_the_rest(
    avi_tree, videos, tmp_path
):
    before = _digest(avi_tree)
    cache = tmp_path / "cache"
    data, messages = _load(avi_tree, video_pattern=AVI_PATTERN, cache_dir=cache)
    count("amigos")
    assert _digest(avi_tree) == before
    decodable = [t for t, _ in VideoFrames(avi_tree / "P02_10.avi", every_seconds=1)]
    assert 0 < len(decodable) < len(videos["times"])
    _check_frames(data, 1, videos["times"])
    _check_frames(data, 2, decodable)
    reasons = _reasons(data)
    for participant in (3, 4, 5):
        assert reasons[participant] == ["unreadable video"]
    lost = data.dropped[data.dropped["reason"] == "frame not decoded"]
    assert lost["participant"].tolist() == [2] * (len(videos["times"]) - len(decodable))
    assert lost["time_s"].tolist() == videos["times"][len(decodable) :]
    assert any("P02_10.avi" in m and "could not be decoded" in m for m in messages)
    count("amigos", "clean error")
    # From the cache, the same frames and the same report.
    again, _ = _load(avi_tree, video_pattern=AVI_PATTERN, cache_dir=cache)
    np.testing.assert_array_equal(again.images, data.images)
    pd.testing.assert_frame_equal(again.dropped, data.dropped)
    assert _digest(avi_tree) == before


def test_amigos_participant_that_is_not_a_number_names_the_file(avi_tree, tmp_path):
    root = tmp_path / "root"
    (root / "..evil").mkdir(parents=True)
    (root / "..evil" / "10.avi").write_bytes((avi_tree / "P01_10.avi").read_bytes())
    _annotations(root / "External_Annotations.csv", [1])
    expect_clean_error(
        "amigos",
        lambda: load_amigos(
            root, video_pattern=r"(?P<participant>[^/]+)/(?P<video>\d+)\.avi", cache_dir=False
        ),
        "..evil/10.avi",
    )


# AMIGOS: hostile annotation files.

HEADER = ",".join(COLUMNS)
GOOD_ROW = "1,10,1,0.5,0.5,0.5,-0.5,-0.5,-0.5"


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("", ("cannot read",)),
        ("\x00\x01\x02\n", ("lacks the column",)),
        ("\ufeff" + GOOD_ROW + "\n", ("lacks the column", "UserID")),  # a BOM, no header
        (GOOD_ROW + "\n", ("lacks the column", "UserID")),  # no header
        (
            HEADER.replace(",Arousal_Annotator_3", "") + "\n1,10,1,0,0,0,0,0\n",
            ("Arousal_Annotator_3",),
        ),
        (HEADER + "\n" + GOOD_ROW + ",7,8\n", ("more fields than the header",)),
        (HEADER + "\n" + GOOD_ROW.replace("0.5", "high", 1) + "\n", ("line 2", "'high'")),
        (
            HEADER + "\n" + GOOD_ROW.replace("0.5", "inf", 1) + "\n",
            ("line 2: Valence_Annotator_1 inf is not",),
        ),
        (
            HEADER + "\n" + GOOD_ROW.replace("-0.5", "-inf", 1) + "\n",
            ("Arousal_Annotator_1", "-inf"),
        ),
        (
            HEADER + "\n" + GOOD_ROW.replace("0.5", "1e309", 1) + "\n",
            ("Valence_Annotator_1", "inf"),
        ),
        (HEADER + "\n" + GOOD_ROW.replace("0.5", "0x1", 1) + "\n", ("'0x1'",)),
        (HEADER + "\n" + GOOD_ROW.replace("1,10", "../1,10") + "\n", ("UserID", "'../1'")),
        (HEADER + "\n" + GOOD_ROW.replace("1,10", "/etc/passwd,10") + "\n", ("'/etc/passwd'",)),
        (HEADER + "\n" + GOOD_ROW.replace("1,10", "-1,10") + "\n", ("UserID -1 is not",)),
        (HEADER + "\n" + GOOD_ROW.replace("1,10", "1e20,10") + "\n", ("UserID 1e+20 is not",)),
        (
            HEADER + "\n" + GOOD_ROW.replace("1,10,1", "1,10,1.5") + "\n",
            ("Segment_Index 1.5 is not",),
        ),
        (HEADER + "\n" + GOOD_ROW.replace("1,10,1", "1,10,0") + "\n", ("Segment_Index 0 is not",)),
        (
            HEADER + "\n" + GOOD_ROW.replace("1,10,1", "1,10,-3") + "\n",
            ("Segment_Index -3 is not",),
        ),
        (
            HEADER + "\n" + GOOD_ROW.replace("1,10,1", "1,10,inf") + "\n",
            ("Segment_Index inf is not",),
        ),
        (HEADER + "\n" + GOOD_ROW.replace("1,10,1", "1,,1") + "\n", ("VideoID is empty",)),
        (HEADER + "\n" + GOOD_ROW.replace("1,10,1", ",10,1") + "\n", ("UserID is empty",)),
        (HEADER + "\n\n" + GOOD_ROW + "\n" + GOOD_ROW.replace("0.5", "x", 1) + "\n", ("line 4",)),
    ],
)
def test_amigos_malformed_annotations_are_clean_errors(avi_tree, tmp_path, text, fragments):
    labels = _annotations(tmp_path / "External_Annotations.csv", [], text=text)
    before = _digest(avi_tree)
    error = expect_clean_error(
        "amigos",
        lambda: load_amigos(
            avi_tree, annotations=labels, video_pattern=AVI_PATTERN, cache_dir=False
        ),
        str(labels),
    )
    message = str(error)
    assert all(fragment in message for fragment in fragments), message
    assert _digest(avi_tree) == before


def test_amigos_latin1_annotations_are_a_clean_error(avi_tree, tmp_path):
    labels = tmp_path / "External_Annotations.csv"
    labels.write_bytes((HEADER + ",Remarque\n" + GOOD_ROW + ",trés bien\n").encode("latin-1"))
    expect_clean_error(
        "amigos",
        lambda: load_amigos(
            avi_tree, annotations=labels, video_pattern=AVI_PATTERN, cache_dir=False
        ),
        str(labels),
    )


def test_amigos_spreadsheet_errors_name_the_row(avi_tree, tmp_path):
    labels = tmp_path / "External_Annotations.xlsx"
    pd.DataFrame([[1, 10, 1, "high", 0, 0, 0, 0, 0]], columns=COLUMNS).to_excel(labels, index=False)
    expect_clean_error(
        "amigos",
        lambda: load_amigos(
            avi_tree, annotations=labels, video_pattern=AVI_PATTERN, cache_dir=False
        ),
        "row 2: Valence_Annotator_1 'high'",
    )


@pytest.mark.parametrize(
    "text, valence",
    [
        ("\ufeff" + HEADER + "\n" + GOOD_ROW + "\n", 0.5),  # a BOM
        (HEADER + ",Notes\n" + GOOD_ROW + ",fine\n", 0.5),  # an extra column
        (HEADER + "\n\n" + GOOD_ROW + "\n\n", 0.5),  # blank lines
        (HEADER + "\n" + GOOD_ROW.replace("0.5,0.5,0.5", "1e6,-7,") + "\n", 0.0),  # clipped
        (HEADER + "\n" + GOOD_ROW.replace("0.5,0.5,0.5", "nan,,0.25") + "\n", 0.25),
    ],
)
def test_amigos_odd_but_valid_annotations_are_read(avi_tree, tmp_path, text, valence):
    labels = _annotations(tmp_path / "External_Annotations.csv", [], text=text)
    count("amigos")
    data, _ = _load(avi_tree, annotations=labels, video_pattern=AVI_PATTERN, cache_dir=False)
    assert set(data.subject) == {1}
    np.testing.assert_allclose(data.valence, valence)
    np.testing.assert_allclose(data.arousal, -0.5)
    count("amigos", "accepted")


@pytest.mark.parametrize(
    "row",
    [
        GOOD_ROW.replace("1,10,1", "1,../../outside,1"),  # an id, never a path
        GOOD_ROW.replace("1,10,1", "1,/etc/passwd,1"),
        GOOD_ROW.replace("0.5,0.5,0.5", ",,"),  # valence not rated
    ],
)
def test_amigos_annotation_that_names_no_video_labels_nothing(
    avi_tree, videos, tmp_path, opened, row
):
    labels = _annotations(tmp_path / "a.csv", [], text=HEADER + "\n" + row + "\n")
    count("amigos")
    data, _ = _load(
        avi_tree, annotations=labels, participants=[1], video_pattern=AVI_PATTERN, cache_dir=False
    )
    assert len(data.images) == 0
    no_label = data.dropped[data.dropped["reason"] == "no annotation for its segment"]
    no_face = data.dropped[data.dropped["reason"] == "no face detected"]
    assert sorted(no_label["time_s"].tolist() + no_face["time_s"].tolist()) == videos["times"]
    assert opened == [avi_tree / "P01_10.avi"] * 2  # opened for its header, then decoded
    count("amigos", "clean error")


GOOD_KEYS = ["1", "7", "0", "01"]
GOOD_VIDEOS = ["10", "010", "../../x", "/abs/video"]  # ids, never paths
GOOD_RATINGS = ["0.5", "-0.25", "", "nan", "1.5", "-7", "1e6"]  # empty: not rated
BAD_KEYS = ["-1", "1.5", "1e20", "inf", "nan", "", "../1", "/etc/passwd", "x"]
#: (column, bad value) for one cell of a generated table.
BAD_CELLS = (
    [(0, value) for value in BAD_KEYS]
    + [(2, value) for value in BAD_KEYS + ["0"]]  # segments count from 1
    + [(1, "")]
    + [(c, v) for c in range(3, 9) for v in ["high", "inf", "-inf", "1e309", "0x1", "1,2"]]
)
ANNOTATION_ROW = st.tuples(
    st.sampled_from(GOOD_KEYS),
    st.sampled_from(GOOD_VIDEOS),
    st.sampled_from(["1", "2", "01"]),
    st.lists(st.sampled_from(GOOD_RATINGS), min_size=6, max_size=6),
)


def _mean_rating(cells):
    values = [min(1.0, max(-1.0, float(c))) for c in cells if c not in ("", "nan")]
    return sum(values) / len(values) if values else math.nan


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(ANNOTATION_ROW, min_size=1, max_size=5),
    bad=st.none() | st.tuples(st.integers(0, 4), st.sampled_from(BAD_CELLS)),
    bom=st.booleans(),
)
def test_amigos_annotation_rows_are_read_exactly_or_the_bad_line_is_named(tmp_path, rows, bad, bom):
    table = [[u, v, s, *r] for u, v, s, r in rows]
    if bad is not None:
        row, (column, value) = bad[0] % len(table), bad[1]
        table[row][column] = f'"{value}"' if "," in value else value
    lines = [HEADER] + [",".join(cells) for cells in table]
    path = tmp_path / "External_Annotations.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    if bad is not None:
        error = expect_clean_error("annotations", lambda: read_amigos_annotations(path), str(path))
        assert f"line {row + 2}: {COLUMNS[column]}" in str(error)
        return
    count("annotations")
    labels = read_amigos_annotations(path)
    expected = []
    for user, video, segment, ratings in rows:
        valence, arousal = _mean_rating(ratings[:3]), _mean_rating(ratings[3:])
        if not (math.isnan(valence) or math.isnan(arousal)):  # a segment nobody rated
            expected.append([int(user), video.lstrip("0"), int(segment), valence, arousal])
    assert labels["participant"].tolist() == [e[0] for e in expected]
    assert labels["video"].tolist() == [e[1] for e in expected]
    assert labels["segment"].tolist() == [e[2] for e in expected]
    got = labels[["valence", "arousal"]].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, np.array([e[3:] for e in expected]).reshape(-1, 2))
    count("annotations", "accepted")


# VideoFrames, query_video and predict_video on truncated and broken videos.


@pytest.mark.parametrize("kind", ["avi", "mov"])
def test_a_video_cut_anywhere_gives_a_prefix_of_its_frames_or_a_clean_os_error(
    videos, tmp_path, kind
):
    data = videos[kind].read_bytes()
    full = list(VideoFrames(videos[kind], every_seconds=1))
    cuts = sorted({*range(0, len(data), len(data) // 25), len(data) - 1, 100})
    outcomes = set()
    for cut in cuts:
        path = tmp_path / f"cut_{cut}.{kind}"
        path.write_bytes(data[:cut])
        count("video")
        try:
            frames = VideoFrames(path, every_seconds=1)
        except OSError as error:
            assert str(path) in str(error)
            count("video", "clean error")
            outcomes.add("error")
            continue
        got = list(frames)
        assert [t for t, _ in got] == [t for t, _ in full][: len(got)]
        for (_, frame), (_, expected) in zip(got[:-1], full):  # the last may be cut short
            np.testing.assert_array_equal(frame, expected)
        count("video", "accepted")
        outcomes.add(len(got))
    assert "error" in outcomes
    if kind == "avi":  # an AVI keeps its index at the end: cut, its first frames still play
        assert {1, 2, 3} <= outcomes


NOT_VIDEOS = {
    "zero-byte": lambda good: b"",
    "100-byte stub": lambda good: good[:100],
    "100 zero bytes": lambda good: bytes(100),
    "RIFF header only": lambda good: b"RIFF\x00\x00\x00\x00AVI LIST",
    "text": lambda good: b"not a video\n" * 30,
}


@pytest.mark.parametrize("kind", sorted(NOT_VIDEOS))
def test_what_is_not_a_video_is_an_os_error_naming_the_file(videos, tmp_path, kind):
    path = tmp_path / "clip.avi"
    path.write_bytes(NOT_VIDEOS[kind](videos["avi"].read_bytes()))
    expect_os_error("video", lambda: VideoFrames(path, every_seconds=1), path)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A general model folder: twin tiny AlexNets, one epoch on synthetic wild faces."""
    return tiny_general_folder(tmp_path_factory.mktemp("models") / "general")


@pytest.fixture(scope="module")
def cut_video(tmp_path_factory, videos):
    path = tmp_path_factory.mktemp("cut") / "cut.avi"
    data = videos["avi"].read_bytes()
    path.write_bytes(data[: len(data) // 2])
    times = [t for t, _ in VideoFrames(path, every_seconds=1)]
    assert 0 < len(times) < len(videos["times"])
    return path, times


def test_predict_video_on_a_cut_video_predicts_its_decodable_frames(model, cut_video, tmp_path):
    path, times = cut_video
    before = _digest(path.parent)
    count("video")
    summary = predict_video(path, model, tmp_path / "out.csv", every_seconds=1)
    table = pd.read_csv(tmp_path / "out.csv")
    assert table["time_s"].tolist() == times == [float(t) for t in range(summary.n_frames)]
    assert table.loc[table["face_found"], ["valence", "arousal"]].notna().all().all()
    assert _digest(path.parent) == before
    count("video", "accepted")


def test_query_video_on_a_cut_video_chooses_among_its_decodable_frames(model, cut_video, tmp_path):
    path, times = cut_video
    count("video")
    chosen = query_video(path, model, tmp_path / "l", n=10, sampler="random", every_seconds=1)
    assert 0 < len(chosen) <= len(times)
    assert set(chosen["time_s"]) <= set(times)
    count("video", "accepted")


@pytest.mark.parametrize("kind", ["zero-byte", "100-byte stub", "text"])
def test_workflow_on_what_is_not_a_video_is_an_os_error_and_writes_nothing(
    model, videos, tmp_path, kind
):
    path = tmp_path / "clip.avi"
    path.write_bytes(NOT_VIDEOS[kind](videos["avi"].read_bytes()))
    out, folder = tmp_path / "out.csv", tmp_path / "labelling"
    expect_os_error("video", lambda: predict_video(path, model, out), path)
    expect_os_error("video", lambda: query_video(path, model, folder, n=2), path)
    assert list(tmp_path.iterdir()) == [path]  # no output, no folder, no temporary file
