"""Face cropping with OpenCV's Haar cascade, as the paper's preprocessing (Section 3.1)."""

from __future__ import annotations

import os
import threading
import warnings
from numbers import Real

import cv2
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

from ._validation import NumberInterval, positive_int

__all__ = ["FaceCropper", "default_cascade_path"]

_ON_MISSING = ("error", "center")
_local = threading.local()


def default_cascade_path():
    """Path of ``haarcascade_frontalface_default.xml`` shipped with opencv-python(-headless).

    Returns
    -------
    str

    Examples
    --------
    >>> default_cascade_path().endswith("haarcascade_frontalface_default.xml")
    True
    """
    return os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")


def _cascade(path):
    # CascadeClassifier objects cannot be pickled and are best not shared across threads:
    # keep one per thread and path, outside the estimator's state.
    cache = getattr(_local, "cascades", None)
    if cache is None:
        cache = _local.cascades = {}
    if path not in cache:
        if not os.path.isfile(path):
            raise ValueError(f"cascade_path {path!r} does not exist.")
        try:
            classifier = cv2.CascadeClassifier(path)
        except (cv2.error, SystemError):
            classifier = None
        if classifier is None or classifier.empty():
            raise ValueError(f"cascade_path {path!r} is not a valid OpenCV cascade file.")
        cache[path] = classifier
    return cache[path]


def _as_image_list(images):
    """Accept an (n, H, W[, 3]) array or a sequence of (H, W[, 3]) arrays."""
    if isinstance(images, np.ndarray):
        if images.ndim not in (3, 4):
            raise ValueError(
                "images must be an array of shape (n, height, width, 3) (RGB) or (n, height, "
                f"width) (grayscale), or a list of such images; got shape {images.shape}."
            )
        items = list(images)
    elif isinstance(images, (list, tuple)):
        items = [np.asarray(image) for image in images]
    else:
        raise TypeError(
            f"images must be an array or a list of arrays, got {type(images).__name__}."
        )
    if not items:
        raise ValueError("images is empty: at least one image is required.")
    for index, image in enumerate(items):
        if image.dtype != np.uint8:
            raise TypeError(f"image {index} has dtype {image.dtype}; expected uint8.")
        if image.ndim == 3 and image.shape[2] == 1:
            image = image[..., 0]
        if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
            raise ValueError(
                f"image {index} has shape {image.shape}; expected (height, width, 3) RGB or "
                "(height, width) grayscale."
            )
        if min(image.shape[:2]) < 1:
            raise ValueError(f"image {index} is empty (shape {image.shape}).")
        items[index] = image
    return items


def _to_gray(image):
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _to_rgb(image):
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image


class FaceCropper(TransformerMixin, BaseEstimator):
    """Crop the largest face of each image with OpenCV's Haar cascade and resize it.

    The preprocessing of Rescigno et al. (2020, Section 3.1, Fig. 2): a pre-trained cascade
    classifier (Viola & Jones 2001) finds the face, whose box, widened by ``margin``, is
    cut out and resized. The crop is square and centred on the face; where it reaches past
    the frame the border pixels are repeated.

    Parameters
    ----------
    output_size : int, default=227
        Side of the square output images, in pixels.
    margin : float, default=0.2
        Extra context on each side, as a fraction of the detected box's size.
    scale_factor : float, default=1.1
        Cascade scale step between detection windows (> 1).
    min_neighbors : int, default=5
        Overlapping detections a face needs; higher means fewer false positives.
    min_face_size : int, default=24
        Smallest face side searched, in pixels.
    on_missing : {"error", "center"}, default="error"
        What to do with an image where no face is found: ``"error"`` raises a
        ``ValueError`` naming the image index; ``"center"`` falls back to a centred square
        crop, counts it in ``n_centered_`` and warns.
    cascade_path : str or None, default=None
        Haar cascade XML file; None uses ``haarcascade_frontalface_default.xml`` from
        ``cv2.data.haarcascades``.

    Attributes
    ----------
    n_centered_ : int
        Images of the last :meth:`transform` call that had no face and were centre-cropped.

    See Also
    --------
    sklearn_fer.datasets.load_amigos : uses this cropper on video frames.

    References
    ----------
    Viola & Jones (2001). Rapid object detection using a boosted cascade of simple
    features. CVPR.

    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer import FaceCropper
    >>> frames = np.full((2, 120, 160, 3), 128, dtype=np.uint8)  # no faces in these
    >>> cropper = FaceCropper(output_size=64, on_missing="center")
    >>> cropper.detect(frames)
    [None, None]
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     crops = cropper.fit_transform(frames)
    >>> crops.shape, cropper.n_centered_
    ((2, 64, 64, 3), 2)
    """

    _parameter_constraints: dict = {
        "output_size": [positive_int()],
        "margin": [NumberInterval(Real, 0, 2, closed="both")],
        "scale_factor": [NumberInterval(Real, 1, None, closed="neither")],
        "min_neighbors": [positive_int(0)],
        "min_face_size": [positive_int()],
        "on_missing": [StrOptions(set(_ON_MISSING))],
        "cascade_path": [str, os.PathLike, None],
    }

    def __init__(
        self,
        *,
        output_size=227,
        margin=0.2,
        scale_factor=1.1,
        min_neighbors=5,
        min_face_size=24,
        on_missing="error",
        cascade_path=None,
    ):
        self.output_size = output_size
        self.margin = margin
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_face_size = min_face_size
        self.on_missing = on_missing
        self.cascade_path = cascade_path

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        return tags

    def _checked_cascade(self):
        """Check the parameters (scikit-learn's ``_validate_params``); return the cascade.

        The cropper learns nothing, so ``detect`` and ``transform`` check too, not only
        ``fit``.
        """
        self._validate_params()
        return _cascade(self.cascade_path or default_cascade_path())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters and load the cascade; nothing is learnt.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self
        """
        self._checked_cascade()
        return self

    def _detect_one(self, cascade, image):
        gray = cv2.equalizeHist(_to_gray(image))
        boxes = cascade.detectMultiScale(
            gray,
            scaleFactor=float(self.scale_factor),
            minNeighbors=int(self.min_neighbors),
            minSize=(int(self.min_face_size), int(self.min_face_size)),
        )
        if len(boxes) == 0:
            return None
        # Largest face; ties to the first found.
        x, y, w, h = max(boxes, key=lambda box: int(box[2]) * int(box[3]))
        return int(x), int(y), int(w), int(h)

    def detect(self, images):
        """Find the largest face of each image.

        Parameters
        ----------
        images : array of shape (n, height, width, 3) or (n, height, width), or list
            uint8 RGB or grayscale images (a list may mix sizes).

        Returns
        -------
        boxes : list of (x, y, w, h) tuples or None
            One entry per image; None where no face was found.
        """
        cascade = self._checked_cascade()
        return [self._detect_one(cascade, image) for image in _as_image_list(images)]

    def _crop(self, image, box):
        height, width = image.shape[:2]
        if box is None:
            side = min(height, width)
            cx, cy = width / 2, height / 2
        else:
            x, y, w, h = box
            side = max(w, h) * (1 + 2 * float(self.margin))
            cx, cy = x + w / 2, y + h / 2
        left, top = int(round(cx - side / 2)), int(round(cy - side / 2))
        side = max(1, int(round(side)))
        pad = max(0, -left, -top, left + side - width, top + side - height)
        if pad:
            image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            left, top = left + pad, top + pad
        crop = image[top : top + side, left : left + side]
        size = int(self.output_size)
        interpolation = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
        return _to_rgb(cv2.resize(crop, (size, size), interpolation=interpolation))

    def crop(self, images, boxes):
        """Cut given face boxes out of images, as :meth:`transform` does after detection.

        Parameters
        ----------
        images : array of shape (n, height, width, 3) or (n, height, width), or list
            uint8 RGB or grayscale images.
        boxes : sequence of (x, y, w, h) or None
            One box per image, for instance from :meth:`detect`; None centre-crops.

        Returns
        -------
        faces : ndarray of shape (n, output_size, output_size, 3), uint8 RGB
        """
        self._validate_params()
        images = _as_image_list(images)
        if len(boxes) != len(images):
            raise ValueError(f"got {len(boxes)} boxes for {len(images)} images.")
        out = np.empty((len(images), self.output_size, self.output_size, 3), dtype=np.uint8)
        for index, (image, box) in enumerate(zip(images, boxes)):
            out[index] = self._crop(image, box)
        return out

    def transform(self, X):
        """Crop and resize the largest face of each image.

        Parameters
        ----------
        X : array of shape (n, height, width, 3) or (n, height, width), or list
            uint8 RGB or grayscale images.

        Returns
        -------
        faces : ndarray of shape (n, output_size, output_size, 3), uint8 RGB
        """
        cascade = self._checked_cascade()
        images = _as_image_list(X)
        out = np.empty((len(images), self.output_size, self.output_size, 3), dtype=np.uint8)
        missing = []
        for index, image in enumerate(images):
            box = self._detect_one(cascade, image)
            if box is None:
                if self.on_missing == "error":
                    raise ValueError(
                        f"no face found in image {index}; pass on_missing='center' to fall "
                        "back to a centre crop, or drop the image."
                    )
                missing.append(index)
            out[index] = self._crop(image, box)
        self.n_centered_ = len(missing)
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
            warnings.warn(
                f"no face found in {len(missing)} of {len(images)} images ({shown}); used "
                "centre crops.",
                stacklevel=2,
            )
        return out
