"""ModelCrop: the face crop a model carries, checked against the code it stands for."""

import json

import cv2
import numpy as np
import pytest

from sklearn_fer import AlexNetRegressor, FaceCropper
from sklearn_fer._model_crop import FER_CROP, ModelCrop, default_crop
from sklearn_fer.persistence import ModelFolderError, read_manifest, save_pretrained


def _frame(seed=0, shape=(240, 320, 3)):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


@pytest.mark.parametrize("box", [(100, 50, 80, 80), (0, 0, 60, 60), (280, 200, 70, 70)])
@pytest.mark.parametrize("size", [64, 227])
def test_the_default_crop_is_face_croppers(box, size):
    frame = _frame()
    expected = FaceCropper(output_size=size).crop([frame], [box])[0]
    np.testing.assert_array_equal(default_crop(size).cut(frame, box), expected)


def _fer(frame, box):
    """fer 25.10.3's detect_emotions crop, written out: gray, padded 40 px with the mean of
    the two bottom rows, the box squared, 10 px offsets, cv2.resize to 64 x 64."""
    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    mean = cv2.mean(gray[-2:])[0]
    padded = cv2.copyMakeBorder(gray, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=[mean] * 3)
    x, y, w, h = box
    if h > w:
        x, w = x - (h - w) // 2, h
    elif w > h:
        y, h = y - (w - h) // 2, w
    x1, x2, y1, y2 = x - 10 + 40, x + w + 10 + 40, y - 10 + 40, y + h + 10 + 40
    return cv2.resize(padded[max(0, y1) : y2, max(0, x1) : x2], (64, 64))


@pytest.mark.parametrize(
    "box", [(100, 50, 80, 80), (100, 50, 60, 90), (100, 50, 91, 60), (3, 4, 70, 70)]
)
def test_the_fer_crop_is_fers_preprocessing(box):
    frame = _frame(1)
    ours = FER_CROP.cut(frame, box)
    assert ours.shape == (64, 64, 3)
    assert (ours == ours[..., :1]).all()  # gray in three equal channels
    # The border value is the mean of the bottom rows of the colour frame converted to
    # gray (fer: of the gray frame): at most one level apart.
    assert np.abs(ours[..., 0].astype(int) - _fer(frame, box)).max() <= 1


def test_the_labelling_face_is_the_same_region_in_colour():
    frame = _frame(2)
    big = FER_CROP.cut_for_labelling(frame, (100, 50, 80, 80), 224)
    assert big.shape == (224, 224, 3) and not (big == big[..., :1]).all()
    left, top, width, height = FER_CROP.region((100, 50, 80, 80))
    region = frame[top : top + height, left : left + width]
    np.testing.assert_array_equal(
        big, cv2.resize(region, (224, 224), interpolation=cv2.INTER_LINEAR)
    )
    model_input = FER_CROP.from_face(big)
    gray = cv2.resize(cv2.cvtColor(big, cv2.COLOR_RGB2GRAY), (64, 64))
    np.testing.assert_array_equal(model_input[..., 0], gray)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"size": 0}, "size must be an int"),
        ({"size": 64, "margin": -0.1}, "margin must be"),
        ({"size": 64, "offsets": [10]}, "offsets must be"),
        ({"size": 64, "color": "bgr"}, "color must be one of"),
        ({"size": 64, "interpolation": "nearest"}, "interpolation must be one of"),
        ({"size": 64, "border": "wrap"}, "border must be one of"),
        ({"size": 64, "squish": True}, "unknown fields"),
    ],
)
def test_bad_crops_are_refused_naming_the_field(fields, message):
    with pytest.raises(ValueError, match=message):
        ModelCrop.from_json(fields)


def test_the_manifest_carries_the_crop(tmp_path):
    net = AlexNetRegressor(module__hidden_units=8).initialize()
    folder = save_pretrained({"valence": net}, tmp_path / "m", image_size=64, crop=FER_CROP)
    assert read_manifest(folder)["crop"] == FER_CROP
    stored = json.loads((folder / "model.json").read_text())
    assert stored["crop"]["offsets"] == [10, 10] and stored["crop"]["color"] == "gray"
    # A folder from before crops were recorded reads as FaceCropper's crop.
    del stored["crop"]
    (folder / "model.json").write_text(json.dumps(stored))
    assert read_manifest(folder)["crop"] == ModelCrop(64)
    stored["crop"] = {**FER_CROP.to_json(), "color": "infrared"}
    (folder / "model.json").write_text(json.dumps(stored))
    with pytest.raises(ModelFolderError, match="crop color must be one of"):
        read_manifest(folder)
    with pytest.raises(ValueError, match="must equal image_size"):
        save_pretrained({"valence": net}, tmp_path / "n", image_size=96, crop=FER_CROP)
