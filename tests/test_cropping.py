import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_fer import FaceCropper

from ._helpers import face_frames


@pytest.fixture(scope="module")
def frames():
    return face_frames(6)


def _inside(box, placed, slack=0.15):
    x, y, w, h = box
    px, py, size, _ = placed
    tolerance = slack * size
    return (
        x >= px - tolerance
        and y >= py - tolerance
        and x + w <= px + size + tolerance
        and y + h <= py + size + tolerance
    )


def test_detect_finds_the_face_where_it_was_put(frames):
    images, _, _, placed = frames
    boxes = FaceCropper(min_neighbors=3).detect(images)
    assert len(boxes) == len(images)
    for box, where in zip(boxes, placed):
        assert box is not None and _inside(box, where)


def test_transform_returns_rgb_crops_of_the_output_size(frames):
    images = frames[0]
    crops = FaceCropper(output_size=96, min_neighbors=3).fit_transform(images)
    assert crops.shape == (len(images), 96, 96, 3) and crops.dtype == np.uint8


def test_crop_centres_the_face_and_margin_adds_context():
    # A white square on black: the crop of its box with no margin is all white, with a
    # margin it shows black context on every side.
    image = np.zeros((100, 100, 3), np.uint8)
    image[30:70, 20:60] = 255
    box = (20, 30, 40, 40)
    tight = FaceCropper(output_size=64, margin=0.0).crop(image[None], [box])[0]
    loose = FaceCropper(output_size=64, margin=0.5).crop(image[None], [box])[0]
    assert tight.min() == 255
    assert loose[32, 32].min() == 255
    for corner in (loose[0, 0], loose[0, -1], loose[-1, 0], loose[-1, -1]):
        assert corner.max() == 0


def test_crops_past_the_border_repeat_edge_pixels():
    image = np.zeros((50, 50, 3), np.uint8)
    image[:, :25] = 200
    crop = FaceCropper(output_size=20, margin=0.5).crop(image[None], [(0, 10, 30, 30)])[0]
    assert crop[10, 0].tolist() == [200, 200, 200]


def test_largest_face_is_chosen(frames, monkeypatch):
    cropper = FaceCropper()

    class FakeCascade:
        def detectMultiScale(self, *args, **kwargs):
            return np.array([[0, 0, 10, 10], [5, 5, 30, 20], [1, 1, 20, 20]])

    monkeypatch.setattr("sklearn_fer.cropping._cascade", lambda path: FakeCascade())
    assert cropper.detect(frames[0][:1]) == [(5, 5, 30, 20)]


def test_grayscale_input_gives_rgb_output(frames):
    import cv2

    gray = np.stack([cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in frames[0]])
    crops = FaceCropper(output_size=64, min_neighbors=3).transform(gray)
    assert crops.shape == (len(gray), 64, 64, 3)
    np.testing.assert_array_equal(crops[..., 0], crops[..., 1])


def test_list_of_images_of_different_sizes(frames):
    images = [frames[0][0], frames[0][1][:200, :300]]
    assert FaceCropper(output_size=64, min_neighbors=3).transform(images).shape == (2, 64, 64, 3)


def test_missing_face_raises_naming_the_image(frames):
    images = frames[0][:3].copy()
    images[1] = 128
    with pytest.raises(ValueError, match="no face found in image 1"):
        FaceCropper(min_neighbors=3).transform(images)


def test_missing_face_can_fall_back_to_a_centre_crop(frames):
    images = frames[0][:3].copy()
    images[2] = 90
    cropper = FaceCropper(output_size=32, min_neighbors=3, on_missing="center")
    with pytest.warns(UserWarning, match=r"no face found in 1 of 3 images \(2\)"):
        crops = cropper.transform(images)
    assert cropper.n_centered_ == 1
    np.testing.assert_array_equal(crops[2], 90)


def test_inputs_are_not_modified(frames):
    images = frames[0].copy()
    FaceCropper(min_neighbors=3).transform(images)
    np.testing.assert_array_equal(images, frames[0])


def test_cropper_clones_and_pickles_after_use(frames):
    cropper = FaceCropper(output_size=64, min_neighbors=3)
    first = cropper.fit_transform(frames[0][:2])
    restored = pickle.loads(pickle.dumps(cropper))
    np.testing.assert_array_equal(restored.transform(frames[0][:2]), first)
    assert clone(cropper).get_params() == cropper.get_params()


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"output_size": 0}, ValueError, r"'output_size' .* an int .* \[1, inf\)\. Got 0"),
        ({"output_size": True}, TypeError, r"'output_size' .* \(not a bool\) .* Got True"),
        ({"margin": -0.1}, ValueError, r"'margin' .* \[0.0, 2.0\]\. Got -0.1"),
        ({"scale_factor": 1.0}, ValueError, r"'scale_factor' .* \(1.0, inf\)\. Got 1.0"),
        ({"min_neighbors": -1}, ValueError, r"'min_neighbors' .* \[0, inf\)\. Got -1"),
        ({"on_missing": "skip"}, ValueError, r"'on_missing' .* a str among .*Got 'skip'"),
        ({"cascade_path": "/no/such.xml"}, ValueError, "does not exist"),
    ],
)
def test_bad_parameters_are_rejected(params, error, match):
    with pytest.raises(error, match=match):
        FaceCropper(**params).fit()


def test_invalid_cascade_file_is_rejected(tmp_path):
    bogus = tmp_path / "cascade.xml"
    bogus.write_text("<opencv_storage></opencv_storage>")
    with pytest.raises(ValueError, match="not a valid OpenCV cascade"):
        FaceCropper(cascade_path=str(bogus)).fit()


@pytest.mark.parametrize(
    "images, error, match",
    [
        (np.zeros((64, 64), np.uint8), ValueError, "shape"),
        (np.zeros((2, 64, 64, 4), np.uint8), ValueError, "expected"),
        (np.zeros((2, 64, 64, 3), np.float32), TypeError, "uint8"),
        (np.zeros((0, 64, 64, 3), np.uint8), ValueError, "empty"),
        ("frames.png", TypeError, "array or a list"),
    ],
)
def test_bad_images_are_rejected(images, error, match):
    with pytest.raises(error, match=match):
        FaceCropper().detect(images)
