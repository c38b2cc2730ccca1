"""Who is drawn and where: identities, per-subject lab settings, per-image scenes.

Also the parts of an image that are not the face: background, occluder, light, blur and
sensor noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._canvas import grid, rgb

# Skin, hair and iris palettes (RGB); identities draw from them with jitter.
_SKIN = np.array(
    [
        [255, 224, 196],
        [241, 194, 160],
        [224, 172, 132],
        [198, 134, 90],
        [161, 102, 66],
        [120, 76, 50],
        [90, 56, 38],
        [236, 200, 170],
    ],
    dtype=np.float32,
)
_HAIR = np.array(
    [
        [20, 16, 14],
        [60, 40, 25],
        [110, 70, 35],
        [170, 120, 60],
        [220, 190, 120],
        [150, 150, 150],
        [130, 40, 20],
        [40, 30, 60],
    ],
    dtype=np.float32,
)
_IRIS = np.array(
    [[70, 45, 25], [40, 90, 150], [60, 110, 60], [110, 80, 40], [30, 30, 30]],
    dtype=np.float32,
)


def make_identity(rng):
    """Everything about a subject that does not change with expression or scene."""
    skin = _SKIN[rng.integers(len(_SKIN))] + rng.normal(0, 8, 3)
    return {
        "face_width": rng.uniform(0.70, 0.88),
        "skin": skin,
        "hair": _HAIR[rng.integers(len(_HAIR))] + rng.normal(0, 6, 3),
        "hair_style": int(rng.integers(3)),  # 0 short, 1 long, 2 bald
        "iris": _IRIS[rng.integers(len(_IRIS))] + rng.normal(0, 6, 3),
        "eye_y": rng.uniform(-0.24, -0.14),
        "eye_dx": rng.uniform(0.30, 0.40),
        "eye_width": rng.uniform(0.20, 0.25),
        "mouth_y": rng.uniform(0.40, 0.50),
        "mouth_width": rng.uniform(0.24, 0.30),
        "brow_width": rng.uniform(1.0, 2.0),
        "lip": skin * np.array([0.85, 0.55, 0.55]) + rng.normal(0, 5, 3),
        "glasses": bool(rng.random() < 0.2),
        "beard": bool(rng.random() < 0.15),
        "earrings": bool(rng.random() < 0.12),
        # The side of the face on which this person shows unilateral AU14 (contempt).
        "au14_side": 1 if rng.random() < 0.5 else -1,
    }


def make_setting(rng, domain):
    """Background, framing and light: per subject in the lab, per image in the wild."""
    if domain == "lab":
        return {
            "background": rng.uniform(60, 200, 3),
            "gradient": rng.uniform(-25, 25, 2),
            "scale": rng.uniform(0.36, 0.42),
            "offset": rng.uniform(-0.03, 0.03, 2),
            "angle": rng.uniform(-0.05, 0.05),
            "light": rng.uniform(0.9, 1.1),
            "light_slope": rng.uniform(-0.1, 0.1, 2),
        }
    return None


def wild_scene(rng):
    """A new background, pose, scale, position, light, blur, noise and occluder."""
    return {
        "background": rng.uniform(0, 255, 3),
        "gradient": rng.uniform(-50, 50, 2),
        "clutter": int(rng.integers(0, 4)),
        "scale": rng.uniform(0.32, 0.44),
        "offset": rng.uniform(-0.08, 0.08, 2),
        "angle": rng.uniform(-0.25, 0.25),
        "squash": rng.uniform(0.85, 1.0),
        "light": rng.uniform(0.7, 1.2),
        "light_slope": rng.uniform(-0.25, 0.25, 2),
        "blur": rng.uniform(0.0, 1.0) if rng.random() < 0.3 else 0.0,
        "noise": rng.uniform(2.0, 10.0),
        "occluder": bool(rng.random() < 0.1),
    }


def lab_scene(rng, setting):
    """The subject's lab setting with a little jitter of framing and head pose."""
    jitter = rng.normal(0, 1, 4)
    return {
        "background": setting["background"],
        "gradient": setting["gradient"],
        "clutter": 0,
        "scale": setting["scale"] * (1 + 0.015 * jitter[0]),
        "offset": setting["offset"] + 0.01 * jitter[1:3],
        "angle": setting["angle"] + 0.03 * jitter[3],
        "squash": 1.0 - abs(rng.normal(0, 0.03)),
        "light": setting["light"],
        "light_slope": setting["light_slope"],
        "blur": 0.0,
        "noise": 3.0,
        "occluder": False,
    }


def draw_background(image, scene, rng, size):
    """A colour ramp and, in the wild, a few clutter shapes."""
    yy, xx = grid(size)
    base = scene["background"].astype(np.float32)
    ramp = scene["gradient"][0] * xx + scene["gradient"][1] * yy
    image[...] = np.clip(base + ramp[..., None], 0, 255).astype(np.uint8)
    for _ in range(scene["clutter"]):
        color = rgb(rng.uniform(0, 255, 3))
        center = (int(rng.uniform(0, size)), int(rng.uniform(0, size)))
        if rng.random() < 0.5:
            cv2.circle(image, center, int(rng.uniform(0.05, 0.3) * size), color, -1, cv2.LINE_AA)
        else:
            corner = (
                int(center[0] + rng.uniform(-0.3, 0.3) * size),
                int(center[1] + rng.uniform(-0.3, 0.3) * size),
            )
            cv2.rectangle(image, center, corner, color, -1)


def draw_occluder(image, rng, size):
    """An ellipse of random colour over part of the face (a hand, a cup, a microphone)."""
    color = rgb(rng.uniform(0, 255, 3))
    center = (int(rng.uniform(0.2, 0.8) * size), int(rng.uniform(0.3, 1.0) * size))
    axes = (int(rng.uniform(0.12, 0.3) * size), int(rng.uniform(0.08, 0.2) * size))
    fill_ellipse(image, center, axes, float(rng.uniform(0, 180)), color)


def fill_ellipse(image, center, axes, angle, color, shift=0):
    """A filled, anti-aliased ellipse (pixel coordinates, ``shift`` fractional bits)."""
    cv2.ellipse(image, center, axes, angle, 0, 360, color, -1, cv2.LINE_AA, shift)


def light_field(size, light, slope):
    """The multiplicative light of a scene: a gain and a linear ramp across the image."""
    yy, xx = grid(size)
    return light * (1 + slope[0] * xx + slope[1] * yy)


def blur(out, sigma, size):
    """Gaussian blur of a float image; ``sigma`` in pixels of a 64-px image."""
    return cv2.GaussianBlur(out, (0, 0), sigma * size / 64)


def add_noise(out, rng, std):
    """Gaussian sensor noise of ``std`` grey levels, added in place."""
    out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(std)
    return out


def finish(image, scene, rng, size):
    """Light gradient, blur and sensor noise, in one float pass."""
    out = image.astype(np.float32)
    out *= light_field(size, scene["light"], scene["light_slope"])[..., None]
    if scene["blur"] > 0.05:
        out = blur(out, scene["blur"], size)
    add_noise(out, rng, scene["noise"])
    return np.clip(out, 0, 255).astype(np.uint8)
