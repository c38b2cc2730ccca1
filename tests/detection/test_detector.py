"""MTCNNDetector: parameters, the largest face, following a face through a real video."""

import numpy as np
import pytest

from sklearn_fer import FaceCropper
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.detection import MTCNNDetector, make_detector

from .._helpers import require_facenet
from .._real_media import real_media


def test_parameters_are_refused_naming_them():
    with pytest.raises(ValueError, match="min_face_size"):
        MTCNNDetector(min_face_size=5).fit()
    with pytest.raises(ValueError, match="thresholds must be 3 numbers in"):
        MTCNNDetector(thresholds=(0.6, 0.7)).fit()
    with pytest.raises(ValueError, match="thresholds must be 3 numbers in"):
        MTCNNDetector(thresholds=(0.6, 0.7, 1.5)).fit()
    with pytest.raises(ValueError, match="redetect_every"):
        MTCNNDetector(redetect_every=0).fit()


def test_detectors_by_name():
    assert isinstance(make_detector("haar"), FaceCropper)
    assert isinstance(make_detector("mtcnn"), MTCNNDetector)
    with pytest.raises(ValueError, match="detector must be one of"):
        make_detector("yolo")
    with pytest.raises(TypeError, match="detect\\(images\\)"):
        make_detector(3)


def test_a_blank_image_has_no_face_and_a_bad_one_is_named():
    require_facenet()
    assert MTCNNDetector().detect([np.full((120, 160, 3), 90, np.uint8)]) == [None]
    with pytest.raises(TypeError, match="image 0 has dtype float64"):
        MTCNNDetector().detect([np.zeros((50, 50, 3))])


def _frames(name, **kwargs):
    return [frame for _, frame in VideoFrames(real_media(name), **kwargs)]


@pytest.mark.slow
def test_no_face_in_the_title_video_where_haar_takes_the_text():
    require_facenet()
    frames = _frames("no_face.mp4", every_seconds=None)
    assert any(box is not None for box in FaceCropper().detect(frames))  # the title text
    assert MTCNNDetector().detect(frames) == [None] * len(frames)
    boxes, _ = MTCNNDetector().detect_sequence(frames)
    assert boxes == [None] * len(frames)


def _iou(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    w = max(0, min(ax2, bx2) - max(a[0], b[0]))
    h = max(0, min(ay2, by2) - max(a[1], b[1]))
    return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)


@pytest.mark.slow
def test_following_the_face_agrees_with_detecting_it_on_every_frame():
    require_facenet()
    frames = _frames("WolfgangLanger_Pexels.mp4", every_seconds=None)[:60]
    each = MTCNNDetector().detect(frames)
    followed, state = MTCNNDetector(redetect_every=10).detect_sequence(frames[:25])
    rest, _ = MTCNNDetector(redetect_every=10).detect_sequence(frames[25:], state)
    followed += rest
    assert all(box is not None for box in each + followed)
    overlaps = [_iou(a, b) for a, b in zip(each, followed)]
    assert min(overlaps) > 0.7, overlaps
