"""Image collections that load from disk on access, for data that does not fit in memory."""

from __future__ import annotations

import os
from collections.abc import Sequence

import cv2
import numpy as np
import torch
from sklearn.utils._param_validation import validate_params
from torch.utils.data import Dataset

from .._validation import positive_int
from ..nets import MIN_IMAGE_SIZE

__all__ = ["ImageTargetPairs", "LazyImages", "clip_box", "read_rgb", "crop_and_resize"]


def read_rgb(path):
    """Decode an image file as uint8 RGB; None when it is missing or cannot be decoded."""
    image = cv2.imread(os.fspath(path), cv2.IMREAD_COLOR)
    if image is None:
        return None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def clip_box(box, height, width):
    """Clip an ``(x, y, w, h)`` box to the image; None when nothing of it is inside."""
    x, y, w, h = box
    x0, y0 = max(0, int(np.floor(x))), max(0, int(np.floor(y)))
    x1, y1 = min(width, int(np.ceil(x + w))), min(height, int(np.ceil(y + h)))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return x0, y0, x1, y1


def crop_and_resize(image, box, size):
    """Cut ``box`` (or the whole image when None) and resize it to ``size`` x ``size``.

    Returns None when the box lies outside the image.
    """
    height, width = image.shape[:2]
    if box is not None:
        clipped = clip_box(box, height, width)
        if clipped is None:
            return None
        x0, y0, x1, y1 = clipped
        image = image[y0:y1, x0:x1]
    shrinking = image.shape[0] > size or image.shape[1] > size
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (size, size), interpolation=interpolation)


class LazyImages(Dataset, Sequence):
    """Face images read, cropped and resized from files when accessed.

    Behaves like a read-only uint8 array of shape ``(n, image_size, image_size, 3)`` for
    indexing: an int gives one RGB image; a slice, an index array or a boolean mask gives
    another ``LazyImages`` (so scikit-learn's ``KFold`` splits stay lazy); ``np.asarray``
    loads everything. It is also a torch ``Dataset``, so the estimators and
    ``FrozenConvFeaturizer`` consume it batch by batch.

    Parameters
    ----------
    paths : sequence of path-like
        Image files.
    boxes : array-like of shape (n, 4) or None, default=None
        Face box ``(x, y, w, h)`` per image, in the file's pixel coordinates; None uses the
        whole image.
    image_size : int, default=227
        Side of the square images returned.

    Attributes
    ----------
    shape : tuple
        ``(n, image_size, image_size, 3)``.
    dtype : numpy.dtype
        ``uint8``.

    Examples
    --------
    >>> import os, tempfile
    >>> import cv2
    >>> import numpy as np
    >>> from sklearn_fer.datasets import LazyImages
    >>> folder = tempfile.mkdtemp()
    >>> paths = [os.path.join(folder, f"{i}.png") for i in range(3)]
    >>> for path in paths:
    ...     _ = cv2.imwrite(path, np.zeros((100, 80, 3), np.uint8))
    >>> images = LazyImages(paths, image_size=64)
    >>> images.shape, images[0].shape, len(images[[0, 2]])
    ((3, 64, 64, 3), (64, 64, 3), 2)
    """

    @validate_params(
        {"image_size": [positive_int(MIN_IMAGE_SIZE)]}, prefer_skip_nested_validation=True
    )
    def __init__(self, paths, *, boxes=None, image_size=227):
        self.paths = [os.fspath(path) for path in paths]
        self.image_size = image_size
        if boxes is not None:
            boxes = np.asarray(boxes, dtype=np.float64)
            if boxes.shape != (len(self.paths), 4):
                raise ValueError(
                    f"boxes must have shape ({len(self.paths)}, 4), got {boxes.shape}."
                )
        self.boxes = boxes

    @property
    def shape(self):
        return (len(self.paths), self.image_size, self.image_size, 3)

    @property
    def ndim(self):
        return 4

    @property
    def dtype(self):
        return np.dtype(np.uint8)

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, tuple):
            # ``images[rows, ...]`` (how scikit-learn's _safe_indexing selects rows).
            rest = index[1:]
            if not all(item is Ellipsis or item == slice(None) for item in rest):
                raise IndexError("LazyImages can only be indexed along its first axis.")
            index = index[0]
        if isinstance(index, (int, np.integer)):
            return self._load(int(index))
        if isinstance(index, slice):
            rows = np.arange(len(self))[index]
        else:
            rows = np.asarray(index)
            if rows.dtype == bool:
                if rows.shape != (len(self),):
                    raise IndexError(
                        f"boolean index of shape {rows.shape} does not match {len(self)} images."
                    )
                rows = np.flatnonzero(rows)
            elif rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
                raise IndexError(f"cannot index LazyImages with {index!r}.")
        rows = np.arange(len(self))[rows]  # bounds check and negative indices
        subset = LazyImages.__new__(LazyImages)
        subset.paths = [self.paths[i] for i in rows]
        subset.boxes = None if self.boxes is None else self.boxes[rows]
        subset.image_size = self.image_size
        return subset

    def _load(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range for {len(self)} images.")
        path = self.paths[index]
        image = read_rgb(path)
        if image is None:
            raise OSError(f"cannot read image {path!r} (missing or not a decodable image).")
        box = None if self.boxes is None else self.boxes[index]
        face = crop_and_resize(image, box, self.image_size)
        if face is None:
            raise ValueError(f"the face box {tuple(box)} lies outside image {path!r}.")
        return face

    def load(self):
        """Read every image into one uint8 array.

        Returns
        -------
        images : ndarray of shape (n, image_size, image_size, 3)
        """
        out = np.empty(self.shape, dtype=np.uint8)
        for index in range(len(self)):
            out[index] = self._load(index)
        return out

    def __array__(self, dtype=None, copy=None):
        images = self.load()
        return images if dtype is None else images.astype(dtype)

    def __repr__(self):
        return f"LazyImages(n={len(self)}, image_size={self.image_size})"


class ImageTargetPairs(Dataset):
    """Pair a dataset of images with an array of targets, as skorch's loaders expect.

    Targets default to zeros (for prediction, where skorch still wants pairs); they are
    float32 regression targets unless ``dtype`` says otherwise (int64 class indices).
    """

    def __init__(self, images, targets=None, *, dtype=np.float32):
        self.images = images
        if targets is None:
            targets = np.zeros((len(images), 1), dtype=dtype)
        self.targets = np.asarray(targets, dtype=dtype)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return torch.as_tensor(np.asarray(self.images[index])), self.targets[index]
