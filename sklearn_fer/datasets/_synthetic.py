"""Synthetic cartoon faces whose expression encodes valence and arousal.

The embedded default data set of sklearn-fer: demos, docs, tests and the CLI run on it,
because AffectNet and AMIGOS are licensed and cannot be downloaded here. Everything about it
is made up; the DESCR of the returned Bunch says so, and so must every result computed on it.
"""

from __future__ import annotations

import functools
import numbers

import cv2
import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..nets import MIN_IMAGE_SIZE

__all__ = ["make_faces"]

_DOMAINS = ("lab", "wild")
_DOMAIN_CODES = {"lab": 1, "wild": 2}
_SHIFT = 4  # OpenCV sub-pixel bits: coordinates are drawn at 1/16 px precision
_SCALE = 1 << _SHIFT

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

DESCR_TEMPLATE = """\
Synthetic faces (sklearn-fer)
=============================

**These images are synthetic.** They are cartoon faces drawn with OpenCV by
``sklearn_fer.datasets.make_faces``; no real person, photograph or annotation is involved.
Results computed on them say how the methods behave on this generator, not on real faces.

How they are made
-----------------
* Identity (fixed per subject): face width, skin tone, hair colour and style, eye spacing,
  iris colour, mouth height, brow thickness, and accessories (glasses, beard, earrings).
* Expression: the label drives the geometry. Valence drives mouth curvature (corners up for
  positive valence), mouth width and brow slant (inner ends raised for negative valence);
  arousal drives eye opening, mouth opening and brow height.
* Personal expressiveness: each subject shows ``offset + gain * label`` rather than the
  label itself, with per-subject offsets (std {offset_std}) and log-gains (std {gain_std})
  for (valence, arousal). By default arousal is the more person-specific of the two, as
  Rescigno et al. (2020) found on AMIGOS. This is a modelling assumption of the generator,
  not a fact about people; set ``offset_std=0, gain_std=0`` to turn it off.
* Domain "{domain}": {domain_text}

Contents: {n} images of {size}x{size} px, {n_subjects} subjects; targets are valence and
arousal on [-1, 1] (float32).
"""

_DOMAIN_TEXT = {
    "lab": (
        "one fixed setting per subject (background, framing, light) with small jitter; "
        "frames come from 20 s video segments, {frames} frames per segment (one every 4 s), "
        "and the label is constant within a segment; segment labels cycle through the four "
        "valence/arousal quadrants (the AMIGOS stand-in)."
    ),
    "wild": (
        "every image has its own background, pose, scale, position, light, blur, noise and, "
        "sometimes, an occluder; labels are uniform on [-1, 1]^2 (the AffectNet stand-in)."
    ),
}


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


def _check_pair(value, name):
    pair = np.broadcast_to(np.asarray(value, dtype=np.float64), (2,)).copy()
    if not np.all(np.isfinite(pair)) or np.any(pair < 0):
        raise ValueError(
            f"{name} must be a non-negative number or a (valence, arousal) pair of them, got "
            f"{value!r}."
        )
    return pair


@functools.lru_cache(maxsize=64)
def _arc_table(n, start, stop):
    full = stop - start >= 2 * np.pi - 1e-9
    t = np.linspace(start, stop, n, endpoint=not full)
    return np.stack([np.cos(t), np.sin(t)], axis=1)


def _ellipse(center, axes, n=28, start=0.0, stop=2 * np.pi):
    return np.asarray(center) + np.asarray(axes) * _arc_table(n, start, stop)


@functools.lru_cache(maxsize=8)
def _bezier_weights(n):
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2, 2 * (1 - t) * t, t**2


def _quadratic(p0, p1, p2, n=12):
    w0, w1, w2 = _bezier_weights(n)
    return w0 * np.asarray(p0) + w1 * np.asarray(p1) + w2 * np.asarray(p2)


@functools.lru_cache(maxsize=8)
def _grid(size):
    """Pixel coordinates on [-0.5, 0.5), shared by background ramps and light gradients."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    yy.setflags(write=False)
    xx.setflags(write=False)
    return yy, xx


class _Canvas:
    """Draws face-frame polygons on an image through a similarity (+ yaw squash) transform."""

    def __init__(self, image, center, scale, angle, squash):
        self.image = image
        cos, sin = np.cos(angle), np.sin(angle)
        self.matrix = scale * np.array([[cos, -sin], [sin, cos]]) @ np.diag([squash, 1.0])
        self.center = np.asarray(center, dtype=np.float64)
        self.unit = scale
        self.thick = max(1, round(image.shape[0] / 64))

    def _px(self, points):
        points = np.asarray(points, dtype=np.float64) @ self.matrix.T + self.center
        return np.round(points * _SCALE).astype(np.int32)

    def fill(self, points, color):
        cv2.fillPoly(self.image, [self._px(points)], _rgb(color), cv2.LINE_AA, _SHIFT)

    def line(self, points, color, width=1.0, closed=False):
        thickness = max(1, round(width * self.thick))
        cv2.polylines(
            self.image, [self._px(points)], closed, _rgb(color), thickness, cv2.LINE_AA, _SHIFT
        )


def _rgb(color):
    return tuple(min(255.0, max(0.0, float(c))) for c in color)


def _make_identity(rng):
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
    }


def _make_setting(rng, domain):
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


def _wild_scene(rng):
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


def _lab_scene(rng, setting):
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


def _draw_background(image, scene, rng, size):
    yy, xx = _grid(size)
    base = scene["background"].astype(np.float32)
    ramp = scene["gradient"][0] * xx + scene["gradient"][1] * yy
    image[...] = np.clip(base + ramp[..., None], 0, 255).astype(np.uint8)
    for _ in range(scene["clutter"]):
        color = _rgb(rng.uniform(0, 255, 3))
        center = (int(rng.uniform(0, size)), int(rng.uniform(0, size)))
        if rng.random() < 0.5:
            cv2.circle(image, center, int(rng.uniform(0.05, 0.3) * size), color, -1, cv2.LINE_AA)
        else:
            corner = (
                int(center[0] + rng.uniform(-0.3, 0.3) * size),
                int(center[1] + rng.uniform(-0.3, 0.3) * size),
            )
            cv2.rectangle(image, center, corner, color, -1)


def _draw_face(canvas, identity, valence, arousal, blink):
    """Draw one face; ``valence`` and ``arousal`` are the *expressed* values."""
    fw = identity["face_width"]
    skin, hair = identity["skin"], identity["hair"]
    shade = skin * 0.8
    style = identity["hair_style"]

    if style == 1:  # long hair behind the head
        canvas.fill(_ellipse((0.0, 0.15), (fw * 1.22, 1.12)), hair)
    for side in (-1, 1):  # ears
        canvas.fill(_ellipse((side * fw * 0.98, 0.02), (0.12, 0.2), n=14), shade)
        if identity["earrings"]:
            canvas.fill(_ellipse((side * fw * 1.0, 0.25), (0.05, 0.05), n=10), (230, 200, 60))
    canvas.fill(_ellipse((0.0, 0.0), (fw, 1.0), n=40), skin)
    if identity["beard"]:
        jaw = _ellipse((0.0, 0.0), (fw, 1.0), n=20, start=0.15 * np.pi, stop=0.85 * np.pi)
        # From the right of the jaw round the chin to the left, back under the mouth.
        under_mouth = _quadratic((-fw * 0.9, 0.3), (0.0, 0.78), (fw * 0.9, 0.3))
        canvas.fill(np.vstack([jaw, under_mouth]), hair)
    if style in (0, 1):  # hair cap and fringe
        cap = _ellipse((0.0, -0.05), (fw * 1.04, 1.0), n=24, start=np.pi, stop=2 * np.pi)
        fringe = _quadratic((fw * 1.02, -0.2), (0.0, -0.62), (-fw * 1.02, -0.2), n=14)
        canvas.fill(np.vstack([cap, fringe]), hair)

    # Eyes: arousal opens them; a blink closes them whatever the arousal.
    ex, ey, ew = identity["eye_dx"], identity["eye_y"], identity["eye_width"]
    openness = 0.0 if blink else 0.03 + 0.09 * (arousal + 1.0)
    for side in (-1, 1):
        center = (side * ex, ey)
        # Eye sockets are a little darker than the cheeks (and Haar cascades look for that).
        canvas.fill(_ellipse((side * ex, ey - 0.02), (ew * 0.8, 0.13), n=18), skin * 0.86)
        if openness > 0.01:
            canvas.fill(_ellipse(center, (ew / 2, openness), n=20), (250, 250, 250))
            radius = min(openness, ew * 0.3)
            canvas.fill(_ellipse(center, (radius, radius), n=12), identity["iris"])
            canvas.fill(_ellipse(center, (radius * 0.45, radius * 0.45), n=10), (10, 10, 10))
        canvas.line(
            _ellipse(center, (ew / 2, max(openness, 0.006)), n=20),
            shade * 0.6,
            width=0.8,
            closed=True,
        )
        if identity["glasses"]:
            canvas.line(_ellipse(center, (ew * 0.75, 0.13), n=20), (30, 30, 30), closed=True)

    if identity["glasses"]:
        canvas.line([(-ex + ew * 0.75, ey), (ex - ew * 0.75, ey)], (30, 30, 30))

    # Brows: arousal raises them; negative valence lifts their inner ends.
    brow_y = ey - 0.16 - 0.08 * (arousal + 1.0)
    for side in (-1, 1):
        inner = (side * (ex - ew * 0.55), brow_y + 0.12 * valence)
        outer = (side * (ex + ew * 0.65), brow_y - 0.04 * valence)
        canvas.line([inner, outer], hair * 0.8, width=identity["brow_width"])

    # Nose.
    canvas.line([(0.0, -0.06), (0.05, 0.2), (-0.04, 0.22)], shade * 0.75, width=1.0)

    # Mouth: valence curves and widens it; arousal opens it.
    my, mw = identity["mouth_y"], identity["mouth_width"] * (1.0 + 0.2 * valence)
    lift = 0.26 * valence
    opening = 0.13 * (arousal + 1.0)
    left, right = (-mw, my - lift), (mw, my - lift)
    upper = _quadratic(left, (0.0, my + lift - opening * 0.5), right)
    lower = _quadratic(right, (0.0, my + lift + opening * 1.3), left)
    if opening > 0.03:
        canvas.fill(np.vstack([upper, lower]), (60, 15, 20))
        canvas.line(np.vstack([upper, lower]), identity["lip"] * 0.7, width=1.5, closed=True)
    else:
        canvas.line(upper, identity["lip"] * 0.6, width=1.8)


def _draw_occluder(image, rng, size):
    color = _rgb(rng.uniform(0, 255, 3))
    center = (int(rng.uniform(0.2, 0.8) * size), int(rng.uniform(0.3, 1.0) * size))
    axes = (int(rng.uniform(0.12, 0.3) * size), int(rng.uniform(0.08, 0.2) * size))
    cv2.ellipse(image, center, axes, float(rng.uniform(0, 180)), 0, 360, color, -1, cv2.LINE_AA)


def _finish(image, scene, rng, size):
    """Light gradient, blur and sensor noise, in one float pass."""
    out = image.astype(np.float32)
    yy, xx = _grid(size)
    light = scene["light"] * (1 + scene["light_slope"][0] * xx + scene["light_slope"][1] * yy)
    out *= light[..., None]
    if scene["blur"] > 0.05:
        out = cv2.GaussianBlur(out, (0, 0), scene["blur"] * size / 64)
    out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(scene["noise"])
    return np.clip(out, 0, 255).astype(np.uint8)


def _render(identity, scene, valence, arousal, blink, rng, size):
    image = np.empty((size, size, 3), dtype=np.uint8)
    _draw_background(image, scene, rng, size)
    center = size * (0.5 + scene["offset"])
    canvas = _Canvas(image, center, scene["scale"] * size, scene["angle"], scene["squash"])
    _draw_face(canvas, identity, valence, arousal, blink)
    if scene["occluder"]:
        _draw_occluder(image, rng, size)
    return _finish(image, scene, rng, size)


def _lab_labels(rng, n_segments):
    """Segment labels whose signs cycle through the four quadrants in a shuffled order."""
    quadrants = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1]], dtype=np.float64)
    order = np.concatenate([rng.permutation(4) for _ in range(-(-n_segments // 4))])[:n_segments]
    magnitude = rng.uniform(0.15, 0.9, size=(n_segments, 2))
    return quadrants[order] * magnitude


def _check_parameters(
    domain, n_subjects, n_per, size, frames_per_segment, offset_std, gain_std, noise, blink_rate
):
    """make_faces' arguments, checked; returns the checked counts, size and pairs."""
    if domain not in _DOMAINS:
        raise ValueError(f"domain must be one of {_DOMAINS}, got {domain!r}.")
    checked = (
        _check_int(n_subjects, "n_subjects", 1),
        _check_int(n_per, "n_samples_per_subject", 1),
        _check_int(size, "image_size", MIN_IMAGE_SIZE),
        _check_int(frames_per_segment, "frames_per_segment", 1),
        _check_pair(offset_std, "offset_std"),
        _check_pair(gain_std, "gain_std"),
    )
    for name, value in (("expression_noise", noise), ("blink_rate", blink_rate)):
        if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    if blink_rate > 1:
        raise ValueError(f"blink_rate must be at most 1, got {blink_rate!r}.")
    return checked


def _subject_labels(rng, domain, n_per, frames_per_segment):
    """One subject's labels, each frame's segment, the segment count and the frame times.

    Lab: labels constant per segment of ``frames_per_segment`` frames, one frame every 4 s.
    Wild: a label and a segment per image, no times.
    """
    if domain == "lab":
        frame = np.arange(n_per)
        n_segments = -(-n_per // frames_per_segment)
        segment_of_frame = frame // frames_per_segment
        labels = _lab_labels(rng, n_segments)[segment_of_frame]
        return labels, segment_of_frame, n_segments, 4.0 * frame
    labels = rng.uniform(-1, 1, size=(n_per, 2))
    return labels, np.arange(n_per), n_per, np.full(n_per, np.nan)


def make_faces(
    n_subjects=10,
    n_samples_per_subject=100,
    *,
    domain="lab",
    image_size=64,
    frames_per_segment=5,
    offset_std=(0.1, 0.3),
    gain_std=(0.1, 0.3),
    expression_noise=0.04,
    blink_rate=0.05,
    random_state=None,
):
    """Generate synthetic faces whose expressions encode valence and arousal.

    The embedded stand-in for AffectNet (``domain="wild"``) and AMIGOS (``domain="lab"``),
    which are licensed and cannot be downloaded here. **The data are synthetic**: cartoon
    faces drawn with OpenCV. Use them for demos, tests and checking code paths, and say so
    wherever results computed on them appear.

    Parameters
    ----------
    n_subjects : int, default=10
        Number of people. Each has a fixed identity and expressiveness.
    n_samples_per_subject : int, default=100
        Images per subject.
    domain : {"lab", "wild"}, default="lab"
        ``"lab"``: one fixed setting per subject with small jitter, frames from video
        segments with a constant label per segment, labels covering the four quadrants
        (the AMIGOS stand-in). ``"wild"``: a new background, pose, scale, position, light,
        blur and noise for every image, sometimes an occluder, uniform labels (the AffectNet
        stand-in). The two domains never share identities.
    image_size : int, default=64
        Height and width in pixels; at least 63 (AlexNet's minimum).
    frames_per_segment : int, default=5
        Lab domain: frames per 20 s segment (5 = one frame every 4 s, as in the paper).
    offset_std : float or (float, float), default=(0.1, 0.3)
        Standard deviation of each subject's expression offset, for (valence, arousal).
    gain_std : float or (float, float), default=(0.1, 0.3)
        Standard deviation of the log of each subject's expression gain. With the defaults
        arousal is more person-specific than valence, the paper's finding on AMIGOS (a
        modelling assumption here). 0 for both makes everyone express labels alike.
    expression_noise : float, default=0.04
        Standard deviation of frame-to-frame jitter of the expressed values.
    blink_rate : float, default=0.05
        Probability that a frame catches the eyes closed.
    random_state : int, RandomState instance or None, default=None
        Seed. Subject ``i`` of a domain has the same identity for a given seed whatever
        the other arguments.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8, ``(n, image_size, image_size, 3)``, RGB), ``valence`` and
        ``arousal`` (float32 on [-1, 1]), ``target`` (``(n, 2)``: valence, arousal),
        ``subject`` (int), ``segment`` (int, unique over the data set; the label is
        constant within a segment), ``time_s`` (lab: seconds since the subject's first
        frame, one frame every 4 s; wild: NaN), ``expression_offset`` and
        ``expression_gain`` (``(n_subjects, 2)``), ``feature_names``
        (``["valence", "arousal"]``) and ``DESCR``.

    References
    ----------
    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79
    (Section 3.1 describes the real data sets this generator stands in for).

    Examples
    --------
    >>> from sklearn_fer.datasets import make_faces
    >>> faces = make_faces(n_subjects=2, n_samples_per_subject=10, random_state=0)
    >>> faces.images.shape, faces.images.dtype
    ((20, 64, 64, 3), dtype('uint8'))
    >>> faces.target.shape
    (20, 2)
    >>> "synthetic" in faces.DESCR
    True
    """
    n_subjects, n_per, size, frames_per_segment, offset_std, gain_std = _check_parameters(
        domain,
        n_subjects,
        n_samples_per_subject,
        image_size,
        frames_per_segment,
        offset_std,
        gain_std,
        expression_noise,
        blink_rate,
    )
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    n = n_subjects * n_per
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    labels = np.empty((n, 2), dtype=np.float64)
    segments = np.empty(n, dtype=np.int64)
    time_s = np.full(n, np.nan)
    offsets = np.empty((n_subjects, 2))
    gains = np.empty((n_subjects, 2))
    segment_base = 0
    for subject in range(n_subjects):
        # One stream per (seed, domain, subject): identities do not depend on other sizes.
        identity_rng = np.random.default_rng([seed, _DOMAIN_CODES[domain], subject, 0])
        frame_rng = np.random.default_rng([seed, _DOMAIN_CODES[domain], subject, 1])
        identity = _make_identity(identity_rng)
        offsets[subject] = identity_rng.normal(0, 1, 2) * offset_std
        gains[subject] = np.exp(identity_rng.normal(0, 1, 2) * gain_std)
        setting = _make_setting(identity_rng, domain)
        rows = slice(subject * n_per, (subject + 1) * n_per)
        labels[rows], segment_of_frame, n_segments, time_s[rows] = _subject_labels(
            frame_rng, domain, n_per, frames_per_segment
        )
        segments[rows] = segment_base + segment_of_frame
        segment_base += n_segments
        expressed = offsets[subject] + gains[subject] * labels[rows]
        expressed += frame_rng.normal(0, expression_noise, size=expressed.shape)
        expressed = np.clip(expressed, -1.2, 1.2)
        blinks = frame_rng.random(n_per) < blink_rate
        for k, index in enumerate(range(rows.start, rows.stop)):
            scene = _lab_scene(frame_rng, setting) if domain == "lab" else _wild_scene(frame_rng)
            images[index] = _render(
                identity, scene, expressed[k, 0], expressed[k, 1], blinks[k], frame_rng, size
            )

    labels = labels.astype(np.float32)
    descr = DESCR_TEMPLATE.format(
        offset_std=tuple(float(v) for v in offset_std),
        gain_std=tuple(float(v) for v in gain_std),
        domain=domain,
        domain_text=_DOMAIN_TEXT[domain].format(frames=frames_per_segment),
        n=n,
        size=size,
        n_subjects=n_subjects,
    )
    return Bunch(
        images=images,
        valence=labels[:, 0].copy(),
        arousal=labels[:, 1].copy(),
        target=labels,
        subject=np.repeat(np.arange(n_subjects), n_per),
        segment=segments,
        time_s=time_s,
        expression_offset=offsets,
        expression_gain=gains,
        feature_names=["valence", "arousal"],
        DESCR=descr,
    )
