"""The wild domain's perturbations at a controlled strength: perturb_faces.

``make_faces(domain="wild")`` draws an occluder, noise, blur, pose and light at random
for every image; :func:`perturb_faces` applies one of them to given images at a strength
from 0 (the images unchanged) to 1 (a little beyond the wild domain's extreme), with the
same primitives (``_scene.py``).
"""

from __future__ import annotations

import numbers

import cv2
import numpy as np
from sklearn.utils import check_random_state

from ..._validation import check_images
from ._canvas import grid, rgb
from ._scene import add_noise, blur, fill_ellipse

__all__ = ["PERTURBATIONS", "perturb_faces"]

#: What each perturbation of :func:`perturb_faces` does at strength 1 (it scales with the
#: strength as stated; the random draws of an image do not depend on the strength).
PERTURBATIONS = {
    "occlusion": "an ellipse of random colour, angle and position over the face; its area "
    "grows in proportion to the strength, to a quarter of the image at 1 (the wild "
    "domain's occluders cover up to a fifth, in 10% of its images)",
    "noise": "Gaussian sensor noise of standard deviation 24 grey levels times the strength "
    "(the wild domain's: 2 to 10)",
    "blur": "Gaussian blur of standard deviation 2 px of a 64-px image times the strength "
    "(the wild domain's: up to 1 px, in 30% of its images)",
    "pose": "in-plane rotation by 0.35 rad (20 degrees) times the strength, clockwise or "
    "not at random, and a horizontal squash (yaw) to 1 - 0.3 x strength of the width, "
    "about the image centre, borders replicated (the wild domain's: up to 0.25 rad and "
    "0.85)",
    "lighting": "a light field 1 + strength x (-0.4 + 0.6 r), r the position along a random "
    "direction (|r| <= 0.71): the image darkens and a ramp crosses it (the wild domain's "
    "light: gain 0.7 to 1.2, slopes up to 0.25)",
}


def _occlusion(image, params, strength):
    center, angle, color = params
    image, size = image.copy(), image.shape[0]
    # Sub-pixel (1/16 px) centre and axes, so small strengths still grow smoothly.
    axes = np.sqrt(strength) * np.array([0.34, 0.24]) * size
    fill_ellipse(
        image,
        tuple(int(v) for v in np.rint(center * size * 16)),
        tuple(int(v) for v in np.rint(axes * 16)),
        angle,
        color,
        shift=4,
    )
    return image


def _pose(image, params, strength):
    sign = params
    height, width = image.shape[:2]
    angle = sign * 0.35 * strength
    squash = 1.0 - 0.3 * strength
    cos, sin = np.cos(angle), np.sin(angle)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([squash, 1.0])
    center = np.array([(width - 1) / 2, (height - 1) / 2])
    matrix = np.hstack([linear, (center - linear @ center)[:, None]])
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _lighting(image, params, strength):
    direction = params
    height, width = image.shape[:2]
    yy, xx = grid(height) if height == width else _grid(height, width)
    ramp = np.cos(direction) * xx + np.sin(direction) * yy
    field = 1.0 + strength * (-0.4 + 0.6 * ramp)
    out = image.astype(np.float32) * field[..., None].astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _grid(height, width):
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    return yy / height - 0.5, xx / width - 0.5


def _noise(image, params, strength):
    rng = np.random.default_rng(params)
    out = add_noise(np.zeros(image.shape, np.float32), rng, 24.0 * strength)
    out += image
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _blur(image, params, strength):
    out = blur(image.astype(np.float32), 2.0 * strength, image.shape[0])
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _draw(kind, rng):
    """One image's random parameters, drawn the same way whatever the strength."""
    if kind == "occlusion":
        center = np.array([rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.7)])
        return center, float(rng.uniform(0, 180)), rgb(rng.uniform(0, 255, 3))
    if kind == "pose":
        return 1.0 if rng.random() < 0.5 else -1.0
    if kind == "lighting":
        return float(rng.uniform(0, 2 * np.pi))
    if kind == "noise":
        return int(rng.integers(np.iinfo(np.int64).max))
    return None


_APPLY = {
    "occlusion": _occlusion,
    "noise": _noise,
    "blur": _blur,
    "pose": _pose,
    "lighting": _lighting,
}


def _check(kind, strength):
    if kind not in PERTURBATIONS:
        raise ValueError(f"kind must be one of {list(PERTURBATIONS)}, got {kind!r}.")
    if (
        not isinstance(strength, numbers.Real)
        or isinstance(strength, bool)
        or not np.isfinite(strength)
        or not 0 <= strength <= 1
    ):
        raise ValueError(f"strength must be a number in [0, 1], got {strength!r}.")
    return float(strength)


def perturb_faces(images, kind, strength, *, random_state=None):
    """Shift face images by one of the wild domain's perturbations, at a chosen strength.

    The shifts between the lab and the wild domain of
    :func:`~sklearn_fer.datasets.make_faces` (an occluder, sensor noise, blur, head pose,
    light), one at a time and at a controlled strength: the test of robustness of Zhou &
    Shi (2017) trains on clean faces and tests on shifted ones
    (:func:`~sklearn_fer.evaluation.evaluate_robustness`). Works on any uint8 RGB
    images (real photographs too); the occluder is placed where ``make_faces`` draws
    the face, the centre of the image.

    Strength 0 returns the images unchanged (a copy). Each image's random draws (where
    the occluder goes, its colour, the noise, the direction of rotation and of the light
    ramp) depend on ``random_state`` and the image's position only, not on the strength,
    so a larger strength applies more of the same perturbation (the occluders of a
    smaller strength lie inside those of a larger one, the noise is the same field
    scaled): the mean absolute change grows with the strength.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width, 3)
        uint8 RGB images.
    kind : {"occlusion", "noise", "blur", "pose", "lighting"}
        The perturbation (see :data:`PERTURBATIONS` for each at strength 1).
    strength : float in [0, 1]
        0: none; 1: a little beyond the most the wild domain draws.
    random_state : int, RandomState instance or None, default=None
        Seeds each image's draws.

    Returns
    -------
    ndarray of shape (n_samples, height, width, 3), uint8
        New images; ``images`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.datasets import make_faces, perturb_faces
    >>> faces = make_faces(1, 4, random_state=0)
    >>> np.array_equal(perturb_faces(faces.images, "blur", 0.0), faces.images)
    True
    >>> change = [np.abs(perturb_faces(faces.images, "occlusion", s, random_state=0)
    ...                  .astype(int) - faces.images).mean() for s in (0.25, 0.5, 1.0)]
    >>> bool(change[0] < change[1] < change[2])
    True
    """
    strength = _check(kind, strength)
    X = check_images(images, name="images", min_size=1)
    if X.dtype != np.uint8:
        raise TypeError(
            f"images must be uint8 (0..255), got dtype {X.dtype}; convert floating images "
            "on [0, 1] with (images * 255).round().astype(np.uint8)."
        )
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    draws = np.random.default_rng(seed)
    params = [_draw(kind, draws) for _ in range(len(X))]
    if strength == 0:
        return X.copy()
    apply = _APPLY[kind]
    return np.stack([apply(image, p, strength) for image, p in zip(X, params)])
