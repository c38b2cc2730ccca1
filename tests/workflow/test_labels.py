import re
import threading

import numpy as np
import pytest

from sklearn_fer.workflow import _labels as labels_module
from sklearn_fer.workflow import read_labels, set_label

HEADER = "path,valence,arousal,expression,video,time_s,round,sampler,note\n"


@pytest.fixture
def folder(tmp_path):
    rows = [f"faces/f{i}.png,,,,v.mp4,{4 * i}.000,1,gsx,mine {i}\n" for i in range(6)]
    (tmp_path / "labels.csv").write_text(HEADER + "".join(rows))
    return tmp_path


def test_read_labels_types_the_columns_and_keeps_added_ones(folder):
    set_label(folder, "faces/f2.png", 0.5, -0.25)
    labels = read_labels(folder)
    assert labels["valence"].isna().sum() == 5
    assert labels.loc[2, ["valence", "arousal"]].tolist() == [0.5, -0.25]
    assert labels["time_s"].tolist() == [0, 4, 8, 12, 16, 20]
    assert labels["round"].tolist() == [1] * 6
    assert labels["note"].tolist() == [f"mine {i}" for i in range(6)]


def test_set_label_changes_only_its_two_cells(folder):
    before = (folder / "labels.csv").read_text().splitlines()
    row = set_label(folder, "faces/f3.png", 0.123456, 1)
    assert row["valence"] == "0.123" and row["arousal"] == "1.000"
    after = (folder / "labels.csv").read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert changed == [4]
    assert after[4] == "faces/f3.png,0.123,1.000,,v.mp4,12.000,1,gsx,mine 3"
    set_label(folder, "faces/f3.png", None, None)
    assert (folder / "labels.csv").read_text().splitlines() == before


@pytest.mark.parametrize(
    "valence, arousal, error, message",
    [
        (1.5, 0.0, ValueError, "valence must be a number in"),
        (0.0, float("nan"), ValueError, "arousal must be a number in"),
        (0.0, None, ValueError, "both valence and arousal"),
        ("0.5", 0.0, ValueError, "valence must be a number"),
        (True, 0.0, ValueError, "valence must be a number"),
    ],
)
def test_bad_labels_are_refused_and_nothing_changes(folder, valence, arousal, error, message):
    before = (folder / "labels.csv").read_bytes()
    with pytest.raises(error, match=message):
        set_label(folder, "faces/f1.png", valence, arousal)
    assert (folder / "labels.csv").read_bytes() == before


def test_an_unknown_frame_is_a_key_error(folder):
    with pytest.raises(KeyError, match="lists no frame 'faces/other.png'"):
        set_label(folder, "faces/other.png", 0.0, 0.0)


def test_concurrent_writers_lose_nothing(folder):
    # Twelve labels set from six threads at once: each read-modify-write holds the lock.
    values = {f"faces/f{i}.png": (i / 10, -i / 10) for i in range(6)}
    threads = [
        threading.Thread(target=set_label, args=(folder, path, *value))
        for path, value in values.items()
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    labels = read_labels(folder).set_index("path")
    for path, (valence, arousal) in values.items():
        assert labels.loc[path, ["valence", "arousal"]].tolist() == [valence, arousal]


def test_an_interrupted_write_leaves_the_previous_file(folder, monkeypatch):
    before = (folder / "labels.csv").read_bytes()

    def fail_midway(path, content):
        (path.parent / ".tmp-partial.csv").write_text(content[:20])
        raise KeyboardInterrupt

    monkeypatch.setattr(labels_module, "atomic_write", fail_midway)
    with pytest.raises(KeyboardInterrupt):
        set_label(folder, "faces/f0.png", 0.1, 0.1)
    assert (folder / "labels.csv").read_bytes() == before


@pytest.mark.parametrize(
    "row, message",
    [
        ("faces/x.png,2,0", "line 3 (faces/x.png): label outside"),
        ("faces/x.png,0.5,", "line 3 (faces/x.png): missing or non-numeric"),
        ("../x.png,0,0", "path leaves root"),
        ("faces/a.png,0,0", "line 3 (faces/a.png): the same file as line 2"),
        ("./faces/a.png,0,0", "line 3 (./faces/a.png): the same file as line 2"),
        ("faces\\a.png,0,0", "line 3 (faces\\a.png): the same file as line 2"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, message):
    (tmp_path / "labels.csv").write_text(f"path,valence,arousal\nfaces/a.png,,\n{row}\n")
    with pytest.raises(ValueError, match=re.escape(message)):
        read_labels(tmp_path)


def test_missing_columns(tmp_path):
    (tmp_path / "labels.csv").write_text("path,valence\nfaces/a.png,0\n")
    with pytest.raises(ValueError, match="lacks the column"):
        read_labels(tmp_path)


def test_no_labels_file_reads_as_no_rows(tmp_path):
    assert len(read_labels(tmp_path)) == 0
    assert np.isin(["path", "valence", "arousal"], read_labels(tmp_path).columns).all()
