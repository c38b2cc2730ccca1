"""MTCNN (Zhang et al. 2016) in plain torch, with the weights the facenet-pytorch wheel ships.

Three small networks in a cascade: P-Net proposes face windows over an image pyramid, R-Net
and O-Net refine and rescore them; boxes are regressed and merged by non-maximum
suppression after each stage. The networks here have the parameter names of
facenet-pytorch 2.6.0 (MIT licence), whose wheel holds their trained weights as plain
state dicts (``facenet_pytorch/data/{p,r,o}net.pt``, converted from the authors' Caffe
models): they are read with ``torch.load(weights_only=True)`` from the installed
distribution, without importing it (``facenet_pytorch`` imports torchvision, which
cannot import here). Non-maximum suppression is plain torch too (torchvision's ``nms``
is not available).
"""

from __future__ import annotations

from importlib import metadata
from numbers import Real
from pathlib import Path

import cv2
import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions, validate_params
from torch import nn

from .._validation import NumberInterval

__all__ = ["FACENET_INSTALL", "MTCNNNets", "detect_faces", "load_mtcnn", "nms"]

FACENET_INSTALL = "pip install --no-deps facenet-pytorch==2.6.0"
_FILES = {name: f"facenet_pytorch/data/{name}.pt" for name in ("pnet", "rnet", "onet")}


class PNet(nn.Module):
    """Proposal network: fully convolutional, a face score and a box offset per 12 px cell."""

    def __init__(self):
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 10, 3), nn.PReLU(10)
        self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(10, 16, 3), nn.PReLU(16)
        self.conv3, self.prelu3 = nn.Conv2d(16, 32, 3), nn.PReLU(32)
        self.conv4_1 = nn.Conv2d(32, 2, 1)
        self.conv4_2 = nn.Conv2d(32, 4, 1)

    def forward(self, x):
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
        return self.conv4_2(x), torch.softmax(self.conv4_1(x), dim=1)


def _caffe_flatten(x):
    # The weights come from Caffe, which flattened maps as (width, height, channels).
    return x.permute(0, 3, 2, 1).reshape(x.shape[0], -1)


class RNet(nn.Module):
    """Refinement network on 24 x 24 windows."""

    def __init__(self):
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 28, 3), nn.PReLU(28)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(28, 48, 3), nn.PReLU(48)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = nn.Conv2d(48, 64, 2), nn.PReLU(64)
        self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
        self.dense5_1 = nn.Linear(128, 2)
        self.dense5_2 = nn.Linear(128, 4)

    def forward(self, x):
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.prelu4(self.dense4(_caffe_flatten(self.prelu3(self.conv3(x)))))
        return self.dense5_2(x), torch.softmax(self.dense5_1(x), dim=1)


class ONet(nn.Module):
    """Output network on 48 x 48 windows (also five landmarks, unused here)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(3, 32, 3), nn.PReLU(32)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2, self.prelu2 = nn.Conv2d(32, 64, 3), nn.PReLU(64)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv3, self.prelu3 = nn.Conv2d(64, 64, 3), nn.PReLU(64)
        self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.conv4, self.prelu4 = nn.Conv2d(64, 128, 2), nn.PReLU(128)
        self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
        self.dense6_1 = nn.Linear(256, 2)
        self.dense6_2 = nn.Linear(256, 4)
        self.dense6_3 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.pool1(self.prelu1(self.conv1(x)))
        x = self.pool2(self.prelu2(self.conv2(x)))
        x = self.pool3(self.prelu3(self.conv3(x)))
        x = self.prelu5(self.dense5(_caffe_flatten(self.prelu4(self.conv4(x)))))
        return self.dense6_2(x), torch.softmax(self.dense6_1(x), dim=1)


class MTCNNNets(nn.Module):
    """The three networks of the cascade: ``pnet``, ``rnet``, ``onet``."""

    def __init__(self):
        super().__init__()
        self.pnet, self.rnet, self.onet = PNet(), RNet(), ONet()


def facenet_weights_path(name):
    """Where the installed facenet-pytorch keeps ``<name>.pt``; ImportError naming the install."""
    try:
        distribution = metadata.distribution("facenet-pytorch")
    except metadata.PackageNotFoundError:
        raise ImportError(
            "the MTCNN detector's weights ship inside the 'facenet-pytorch' package, which is "
            f"not installed: {FACENET_INSTALL} (--no-deps: its requirements pull torchvision "
            "and Pillow builds that are not needed here)."
        ) from None
    path = Path(distribution.locate_file(_FILES[name]))
    if not path.is_file():
        raise ImportError(
            f"the installed facenet-pytorch {distribution.version} has no {_FILES[name]}; "
            f"install the version this loader was written for: {FACENET_INSTALL}"
        )
    return path


def load_mtcnn():
    """The three networks with facenet-pytorch's trained weights, in evaluation mode."""
    nets = MTCNNNets()
    for name in ("pnet", "rnet", "onet"):
        state = torch.load(facenet_weights_path(name), map_location="cpu", weights_only=True)
        getattr(nets, name).load_state_dict(state)
    return nets.to(memory_format=torch.channels_last).eval().requires_grad_(False)


@validate_params(
    {
        "boxes": ["array-like"],
        "scores": ["array-like"],
        "threshold": [NumberInterval(Real, 0, 1, closed="both")],
        "mode": [StrOptions({"union", "min"})],
    },
    prefer_skip_nested_validation=True,
)
def nms(boxes, scores, threshold, mode="union"):
    """Greedy non-maximum suppression: indices kept, best score first.

    ``boxes`` are ``(n, 4)`` ``x1, y1, x2, y2`` (inclusive pixel corners, so a box's
    width is ``x2 - x1 + 1``); a box is dropped when its overlap with a kept one exceeds
    ``threshold``, the overlap being intersection over union (``"union"``) or over the
    smaller area (``"min"``). Plain numpy on the overlap matrix (torchvision's ``nms``
    is not available here).

    Parameters
    ----------
    boxes : array-like of shape (n, 4)
        ``x1, y1, x2, y2`` of each box.
    scores : array-like of shape (n,)
        The boxes' scores; the best is kept first.
    threshold : float
        Largest overlap a kept box may have with a better one.
    mode : {"union", "min"}, default="union"
        Intersection over union, or over the smaller of the two areas.

    Returns
    -------
    ndarray of int
        Indices of the kept boxes, best score first.

    Examples
    --------
    >>> import numpy as np
    >>> boxes = np.array([[0., 0., 9., 9.], [1., 1., 10., 10.], [20., 20., 29., 29.]])
    >>> nms(boxes, np.array([0.9, 0.8, 0.7]), 0.5).tolist()
    [0, 2]
    """
    boxes = np.asarray(boxes)
    scores = np.asarray(scores)
    if boxes.dtype.kind not in "iuf" or scores.dtype.kind not in "iuf":
        raise TypeError(
            f"boxes and scores must be numbers, got dtypes {boxes.dtype} and {scores.dtype}."
        )
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.shape != (len(boxes),):
        raise ValueError(
            f"boxes must have shape (n, 4) and scores shape (n,), got {boxes.shape} and "
            f"{scores.shape}."
        )
    if not (np.all(np.isfinite(boxes)) and np.all(np.isfinite(scores))):
        raise ValueError("boxes and scores must be finite (no NaN or infinity).")
    return _nms(boxes, scores, threshold, mode)


def _nms(boxes, scores, threshold, mode="union"):
    """:func:`nms` without its checks, for the detector's own well-formed arrays."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return np.empty(0, dtype=np.int64)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    boxes = boxes[order]
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    w = np.clip(np.minimum(x2[:, None], x2) - np.maximum(x1[:, None], x1) + 1, 0, None)
    h = np.clip(np.minimum(y2[:, None], y2) - np.maximum(y1[:, None], y1) + 1, 0, None)
    inter = w * h
    if mode == "min":
        overlap = inter / np.minimum(area[:, None], area)
    else:
        overlap = inter / (area[:, None] + area - inter)
    alive = np.ones(len(boxes), dtype=bool)
    keep = []
    for i in range(len(boxes)):
        if alive[i]:
            keep.append(i)
            alive &= overlap[i] <= threshold
            alive[i] = False
    return order[np.asarray(keep, dtype=np.int64)]


def _normalise(pixels):
    """uint8 HWC (or NHWC) pixels -> the networks' float NCHW input, (x - 127.5) / 128."""
    array = (np.asarray(pixels, dtype=np.float32) - 127.5) * 0.0078125
    if array.ndim == 3:
        array = array[None]
    # Channels last (the NHWC array seen as NCHW): this CPU build's max-pooling is about
    # ten times faster on it than on contiguous NCHW.
    return torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2)


def _square(boxes):
    """Boxes made square around their centres (side: the longer side)."""
    boxes = boxes.copy()
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    boxes[:, 0] += w * 0.5 - side * 0.5
    boxes[:, 1] += h * 0.5 - side * 0.5
    boxes[:, 2] = boxes[:, 0] + side
    boxes[:, 3] = boxes[:, 1] + side
    return boxes


def _regress(boxes, offsets, plus_one=True):
    boxes = boxes.copy()
    extra = 1 if plus_one else 0
    w = boxes[:, 2] - boxes[:, 0] + extra
    h = boxes[:, 3] - boxes[:, 1] + extra
    boxes[:, :4] += offsets * np.stack([w, h, w, h], 1)
    return boxes


def _windows(image, boxes, side):
    """Each box's pixels (clipped to the image), resampled to ``side`` x ``side``."""
    height, width = image.shape[:2]
    corners = np.trunc(boxes[:, :4]).astype(np.int64)
    x = np.maximum(corners[:, 0], 1)
    y = np.maximum(corners[:, 1], 1)
    ex = np.minimum(corners[:, 2], width)
    ey = np.minimum(corners[:, 3], height)
    crops, kept = [], []
    for k in range(len(boxes)):
        if ey[k] > y[k] - 1 and ex[k] > x[k] - 1:
            window = image[y[k] - 1 : ey[k], x[k] - 1 : ex[k]]
            crops.append(cv2.resize(window, (side, side), interpolation=cv2.INTER_AREA))
            kept.append(k)
    if not crops:
        return None, kept
    return _normalise(np.stack(crops)), kept


def _scales(height, width, min_face_size, factor):
    scale = 12.0 / min_face_size
    shortest = min(height, width) * scale
    scales = []
    while shortest >= 12:
        scales.append(scale)
        scale *= factor
        shortest *= factor
    return scales


def _proposals(nets, image, min_face_size, factor, threshold):
    height, width = image.shape[:2]
    found = []
    for scale in _scales(height, width, min_face_size, factor):
        size = (int(width * scale + 1), int(height * scale + 1))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        offsets, probabilities = nets.pnet(_normalise(small))
        score = probabilities[0, 1].numpy()
        rows, cols = np.nonzero(score >= threshold)
        if not len(rows):
            continue
        cells = np.stack([cols, rows], 1).astype(np.float64)
        boxes = np.concatenate(
            [
                np.floor((2 * cells + 1) / scale),
                np.floor((2 * cells + 12) / scale),
                score[rows, cols, None],
                offsets[0].numpy()[:, rows, cols].T,
            ],
            axis=1,
        )
        found.append(boxes[_nms(boxes[:, :4], boxes[:, 4], 0.5)])
    if not found:
        return np.zeros((0, 5))
    boxes = np.concatenate(found)
    boxes = boxes[_nms(boxes[:, :4], boxes[:, 4], 0.7)]
    return _square(_regress(boxes[:, :5], boxes[:, 5:9], plus_one=False))


def _refine(net, image, boxes, side, threshold, nms_mode):
    if not len(boxes):
        return boxes
    windows, kept = _windows(image, boxes, side)
    if windows is None:
        return boxes[:0]
    boxes = boxes[kept]
    offsets, probabilities = net(windows)
    score = probabilities[:, 1].numpy().astype(np.float64)
    passed = score > threshold
    boxes = np.concatenate([boxes[passed, :4], score[passed, None]], axis=1)
    offsets = offsets.numpy()[passed]
    if nms_mode == "union":
        keep = _nms(boxes[:, :4], boxes[:, 4], 0.7)
        return _square(_regress(boxes[keep], offsets[keep]))
    boxes = _regress(boxes, offsets)
    return boxes[_nms(boxes[:, :4], boxes[:, 4], 0.7, mode="min")]


@torch.inference_mode()
def detect_faces(nets, image, *, min_face_size=20, thresholds=(0.6, 0.7, 0.7), factor=0.709):
    """Every face MTCNN finds in one RGB uint8 image: ``(n, 5)`` ``x1, y1, x2, y2, score``.

    Parameters
    ----------
    nets : MTCNNNets
        From :func:`load_mtcnn`.
    image : ndarray of shape (height, width, 3), uint8
    min_face_size : float, default=20
        Smallest face side searched, in pixels (the pyramid starts at 12 / min_face_size).
    thresholds : tuple of 3 float, default=(0.6, 0.7, 0.7)
        Face-score thresholds of P-Net, R-Net and O-Net.
    factor : float, default=0.709
        Scale step of the image pyramid.

    Returns
    -------
    ndarray of shape (n, 5), float32
    """
    image = np.ascontiguousarray(image)
    boxes = _proposals(nets, image, min_face_size, factor, thresholds[0])
    boxes = _refine(nets.rnet, image, boxes, 24, thresholds[1], "union")
    boxes = _refine(nets.onet, image, boxes, 48, thresholds[2], "min")
    return boxes.astype(np.float32)
