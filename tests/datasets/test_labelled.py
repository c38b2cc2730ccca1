import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from sklearn_fer.datasets import DatasetNotFoundError, LazyImages, load_labelled_faces


def _image(root, name, value):
    path = Path(root) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.full((90, 80, 3), value, dtype=np.uint8)
    image[:45, :40] = 255 - value  # a corner that a box can cut out
    cv2.imwrite(str(path), image)


def _csv(root, text, name="labels.csv"):
    (Path(root) / name).write_text(text, encoding="utf-8")


def _digest(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def root(tmp_path):
    for index, name in enumerate(["faces/a.png", "faces/b.png", "faces/c.png", "d.png"]):
        _image(tmp_path, name, 40 * (index + 1))
    return tmp_path


def test_labelled_rows_load_and_pending_ones_are_left_out(root):
    _csv(
        root,
        "path,valence,arousal,expression,time_s\n"
        "faces/a.png,0.5,-0.25,happy,0\n"
        "faces/b.png,,,,4\n"
        "faces/c.png,-1,1,,8\n",
    )
    before = _digest(root)
    faces = load_labelled_faces(root, image_size=64)
    assert faces.images.shape == (2, 64, 64, 3) and faces.images.dtype == np.uint8
    np.testing.assert_allclose(faces.target, [[0.5, -0.25], [-1, 1]])
    np.testing.assert_allclose(faces.valence, [0.5, -1])
    assert faces.path.tolist() == ["faces/a.png", "faces/c.png"]
    assert faces.expression.tolist() == ["happy", ""]
    assert faces.row.tolist() == [0, 2]
    assert faces.frame["time_s"].tolist() == ["0", "8"]
    assert faces.dropped.to_dict("records") == [
        {"row": 1, "path": "faces/b.png", "reason": "not labelled yet"}
    ]
    assert (
        abs(faces.images[0].mean() - cv2.resize(_read(root / "faces/a.png"), (64, 64)).mean()) < 2
    )
    assert "expression" in faces.DESCR
    assert _digest(root) == before


def _read(path):
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


BAD_ROWS = (
    "path,valence,arousal\n"
    "faces/a.png,0.5,0.5\n"
    "faces/b.png,1.5,0\n"
    "faces/c.png,0.2,\n"
    "d.png,abc,0\n"
    "../outside.png,0,0\n"
    "/etc/passwd,0,0\n"
    "missing.png,0,0\n"
    ",0.1,0.1\n"
)
REASONS = [
    "label outside [-1, 1]",
    "missing or non-numeric label",
    "missing or non-numeric label",
    "path leaves root",
    "path leaves root",
    "missing image",
    "missing path",
]


def test_bad_rows_raise_naming_their_lines(root):
    _csv(root, BAD_ROWS)
    with pytest.raises(ValueError) as error:
        load_labelled_faces(root, image_size=64)
    message = str(error.value)
    assert "has 7 bad row(s)" in message
    assert "line 3 (faces/b.png): label outside [-1, 1]" in message
    assert "line 4 (faces/c.png): missing or non-numeric label" in message
    assert "line 7 (/etc/passwd): path leaves root" in message
    assert "and 2 more" in message and "errors='drop'" in message


def test_bad_rows_can_be_dropped_and_listed(root):
    _csv(root, BAD_ROWS)
    with pytest.warns(UserWarning, match="skipped 1 labelled face image"):
        faces = load_labelled_faces(root, image_size=64, errors="drop")
    assert faces.path.tolist() == ["faces/a.png"]
    assert faces.dropped["reason"].tolist() == REASONS
    assert faces.dropped["row"].tolist() == list(range(1, 8))


def test_face_boxes_cut_the_face_out_first(root):
    _csv(
        root,
        "path,valence,arousal,face_x,face_y,face_width,face_height\nfaces/a.png,0,0,0,0,40,45\n",
    )
    face = load_labelled_faces(root, image_size=64).images[0]
    assert abs(face.mean() - (255 - 40)) < 3


def test_lazy_loading_gives_the_same_faces(root):
    _csv(root, "path,valence,arousal\nfaces/a.png,0,0\nd.png,0.1,0.2\n")
    eager = load_labelled_faces(root, image_size=64)
    lazy = load_labelled_faces(root, image_size=64, lazy=True)
    assert isinstance(lazy.images, LazyImages)
    np.testing.assert_array_equal(np.asarray(lazy.images), eager.images)


def test_a_labels_file_elsewhere_and_a_byte_order_mark(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("csv") / "mine.csv"
    elsewhere.write_text("\ufeffpath,valence,arousal\nd.png,0.3,0.4\n", encoding="utf-8")
    faces = load_labelled_faces(root, labels=elsewhere, image_size=64)
    np.testing.assert_allclose(faces.target, [[0.3, 0.4]])


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("path,valence\na.png,0\n", ValueError, "lacks the column"),
        ("path,valence,arousal,face_x\nd.png,0,0,1\n", ValueError, "not all of"),
        ("", ValueError, "cannot read"),
    ],
)
def test_malformed_labels_files(root, text, error, message):
    _csv(root, text)
    with pytest.raises(error, match=message):
        load_labelled_faces(root, image_size=64)


def test_missing_root_or_labels(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        load_labelled_faces(tmp_path / "nothing")
    with pytest.raises(DatasetNotFoundError, match="labels file"):
        load_labelled_faces(tmp_path)
    with pytest.raises(ValueError, match="errors must be one of"):
        load_labelled_faces(tmp_path, errors="ignore")
