import hashlib
import warnings
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from sklearn_fer.datasets import AFFECTNET_COLUMNS, DatasetNotFoundError, load_affectnet

HEADER = ",".join(AFFECTNET_COLUMNS)


def _write_image(path, value, box=None, size=(120, 100)):
    """A gray image; inside ``box`` (x, y, w, h) the pixels are ``value``."""
    image = np.full((size[0], size[1], 3), 30, np.uint8)
    if box is not None:
        x, y, w, h = box
        image[y : y + h, x : x + w] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)


def _row(path, box, expression, valence, arousal):
    x, y, w, h = box
    landmarks = ";".join(["1.0"] * 136)
    return f"{path},{x},{y},{w},{h},{landmarks},{expression},{valence},{arousal}"


@pytest.fixture()
def affectnet(tmp_path):
    """A tiny AffectNet in the documented layout, with every kind of row to drop."""
    root = tmp_path / "AffectNet"
    images = root / "Manually_Annotated_Images"
    box = (20, 30, 50, 60)
    _write_image(images / "1" / "happy.jpg", 240, box)
    _write_image(images / "1" / "sad.jpg", 120, box)
    _write_image(images / "2" / "calm.png", 180, box)
    _write_image(images / "2" / "uncertain.jpg", 200, box)
    (images / "2" / "broken.jpg").write_bytes(b"not a jpeg at all")
    rows = [
        _row("1/happy.jpg", box, 1, 0.8, 0.5),
        _row("1/sad.jpg", box, 2, -0.6, -0.3),
        _row("2/calm.png", box, 0, 0.1, -0.7),
        _row("2/uncertain.jpg", box, 9, -2, -2),
        _row("2/calm.png", (20, 30, 0, 60), 0, 0.1, -0.7),  # zero width
        _row("2/calm.png", (500, 500, 10, 10), 0, 0.1, -0.7),  # outside the image
        _row("../outside.jpg", box, 0, 0.1, 0.1),
        _row("/etc/passwd", box, 0, 0.1, 0.1),
        _row("3/missing.jpg", box, 0, 0.1, 0.1),
        _row("2/broken.jpg", box, 0, 0.1, 0.1),
        _row("1/happy.jpg", box, 1, "", 0.5),
        _row("1/happy.jpg", box, 1, 1.5, 0.5),
    ]
    lists = root / "Manually_Annotated_file_lists"
    lists.mkdir(parents=True)
    (lists / "training.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    # validation.csv as distributed: no header row.
    (lists / "validation.csv").write_text("\n".join(rows[:3]) + "\n")
    return root


def _digest(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


EXPECTED_REASONS = {
    3: "uncertain or no face (valence/arousal = -2)",
    4: "invalid face box",
    5: "invalid face box",
    6: "path leaves root",
    7: "path leaves root",
    8: "missing image",
    9: "unreadable image",
    10: "missing or non-numeric label",
    11: "label outside [-1, 1]",
}


def test_loads_faces_labels_and_reports_every_dropped_row(affectnet):
    with pytest.warns(UserWarning, match=r"skipped 2 AffectNet image\(s\).*3/missing.jpg"):
        data = load_affectnet(affectnet, image_size=64)
    assert data.images.shape == (3, 64, 64, 3) and data.images.dtype == np.uint8
    np.testing.assert_allclose(data.valence, [0.8, -0.6, 0.1])
    np.testing.assert_allclose(data.arousal, [0.5, -0.3, -0.7])
    np.testing.assert_array_equal(data.expression, [1, 2, 0])
    assert list(data.path) == ["1/happy.jpg", "1/sad.jpg", "2/calm.png"]
    # Each face is the box's content: 240, 120 and 180 gray (JPEG within a few levels).
    np.testing.assert_allclose(data.images.mean(axis=(1, 2, 3)), [240, 120, 180], atol=3)
    assert dict(zip(data.dropped["row"], data.dropped["reason"])) == EXPECTED_REASONS
    assert "licensed" in data.DESCR


def test_files_are_left_byte_identical(affectnet):
    before = _digest(affectnet)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_affectnet(affectnet, image_size=64)
        load_affectnet(affectnet, image_size=64, lazy=True)
    assert _digest(affectnet) == before


def test_validation_list_without_header_is_read(affectnet):
    data = load_affectnet(affectnet, subset="validation", image_size=64)
    assert len(data.images) == 3
    np.testing.assert_allclose(data.valence, [0.8, -0.6, 0.1])


def test_lazy_images_load_on_access_and_match_eager(affectnet):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = load_affectnet(affectnet, image_size=64)
        lazy = load_affectnet(affectnet, image_size=64, lazy=True)
    # Lazily, existence is checked up front; decoding problems surface on access.
    assert list(lazy.path) == [
        "1/happy.jpg",
        "1/sad.jpg",
        "2/calm.png",
        "2/calm.png",
        "2/broken.jpg",
    ]
    assert lazy.images.shape == (5, 64, 64, 3)
    for index in range(3):
        np.testing.assert_array_equal(lazy.images[index], eager.images[index])
    with pytest.raises(ValueError, match="outside image"):
        lazy.images[3]
    with pytest.raises(OSError, match="broken.jpg"):
        lazy.images[4]
    subset = lazy.images[[0, 2]]
    np.testing.assert_array_equal(np.asarray(subset), eager.images[[0, 2]])


def test_missing_root_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        load_affectnet(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="does not exist"):  # also a ValueError
        load_affectnet(tmp_path / "nowhere")


def test_missing_file_list_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="Manually_Annotated_file_lists/training.csv"):
        load_affectnet(tmp_path)


def test_csv_without_expected_columns_is_rejected(affectnet):
    path = affectnet / "Manually_Annotated_file_lists" / "training.csv"
    pd.DataFrame({"subDirectory_filePath": ["1/happy.jpg"], "valence": [0.1]}).to_csv(
        path, index=False
    )
    with pytest.raises(ValueError, match="lacks the column.*face_x.*expected"):
        load_affectnet(affectnet)


def test_headerless_csv_with_wrong_width_is_rejected(affectnet):
    path = affectnet / "Manually_Annotated_file_lists" / "validation.csv"
    path.write_text("1/happy.jpg,1,2\n")
    with pytest.raises(ValueError, match="no header row and 3 columns"):
        load_affectnet(affectnet, subset="validation")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"subset": "test"}, "subset must be one of"),
        ({"image_size": 32}, r"'image_size' .* \[63, inf\)\. Got 32 instead"),
        ({"image_size": 0}, r"'image_size' .* \[63, inf\)\. Got 0 instead"),
    ],
)
def test_bad_arguments_are_rejected(affectnet, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_affectnet(affectnet, **kwargs)
