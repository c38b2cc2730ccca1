"""The synthetic faces are drawn from their action units: each AU moves the part of the
face FACS says it moves (tests of ``sklearn_fer/datasets/_faces/_face.py``)."""

import numpy as np
import pytest

from sklearn_fer.datasets import ACTION_UNITS
from sklearn_fer.datasets._faces._face import render
from sklearn_fer.datasets._faces._scene import lab_scene, make_identity, make_setting

SIZE = 160
SCALE = 0.4  # face half-height in image heights: face-frame y = (row - SIZE / 2) / (SCALE * SIZE)


def _identity(seed=0, **overrides):
    identity = make_identity(np.random.default_rng(seed))
    identity.update(glasses=False, beard=False, **overrides)
    return identity


def _scene():
    # A frontal, centred, evenly lit, noise-free face, so that pixels map back to the face frame.
    scene = lab_scene(np.random.default_rng(1), make_setting(np.random.default_rng(1), "lab"))
    scene.update(angle=0.0, squash=1.0, offset=np.zeros(2), scale=SCALE, noise=0.0, light=1.0)
    scene["light_slope"] = np.zeros(2)
    return scene


def _draw(identity, **aus):
    row = np.zeros(len(ACTION_UNITS))
    for name, value in aus.items():
        row[list(ACTION_UNITS).index(name)] = value
    return render(identity, _scene(), row, np.random.default_rng(2), SIZE).astype(np.float64)


def _changed(identity, au, value=0.9):
    """Where showing ``au`` changes the neutral face: centroid (x, y) in the face frame
    and the total change."""
    difference = np.abs(_draw(identity, **{au: value}) - _draw(identity)).sum(axis=2)
    rows, cols = np.nonzero(difference > 10)
    weights = difference[rows, cols]
    to_frame = lambda p: (p + 0.5 - SIZE / 2) / (SCALE * SIZE)  # noqa: E731
    x = np.average(np.abs(to_frame(cols)), weights=weights)  # distance from the midline
    y = np.average(to_frame(rows), weights=weights)
    return x, y, rows, difference.sum()


REGIONS = {
    # AU: where its change is centred, as (|x| range, y range) in the face frame, where the
    # eyes are at y = eye_y (-0.24 .. -0.14) and the mouth at mouth_y (0.40 .. 0.50).
    "AU1": ((0.0, 0.3), (-0.7, -0.3)),
    "AU2": ((0.3, 0.6), (-0.7, -0.3)),
    "AU4": ((0.0, 0.35), (-0.55, -0.25)),
    "AU5": ((0.2, 0.5), (-0.35, -0.1)),
    "AU6": ((0.2, 0.6), (-0.2, 0.15)),
    "AU7": ((0.2, 0.5), (-0.3, -0.05)),
    "AU9": ((0.0, 0.25), (-0.3, 0.3)),  # the brows follow a little
    "AU10": ((0.0, 0.35), (0.2, 0.6)),
    "AU12": ((0.0, 0.4), (0.2, 0.6)),
    "AU14": ((0.15, 0.45), (0.2, 0.6)),
    "AU15": ((0.0, 0.4), (0.35, 0.8)),
    "AU17": ((0.0, 0.3), (0.4, 0.8)),
    "AU20": ((0.15, 0.45), (0.3, 0.65)),
    "AU23": ((0.15, 0.45), (0.3, 0.6)),
    "AU25": ((0.0, 0.3), (0.35, 0.6)),
    "AU26": ((0.0, 0.3), (0.4, 0.8)),
    "AU41": ((0.2, 0.5), (-0.35, -0.1)),
    "AU45": ((0.2, 0.5), (-0.35, -0.05)),
}


def test_every_action_unit_has_a_region():
    assert set(REGIONS) == set(ACTION_UNITS)


@pytest.mark.parametrize("au", list(REGIONS))
def test_each_action_unit_moves_its_own_part_of_the_face(au):
    identity = _identity()
    x, y, rows, total = _changed(identity, au)
    (x_low, x_high), (y_low, y_high) = REGIONS[au]
    assert total > 500, f"{au} barely changes the face"
    assert x_low <= x <= x_high and y_low <= y <= y_high, (au, x, y)
    hairline = int(SIZE * (0.5 - 1.0 * SCALE))  # the top of the head never changes
    assert rows.min() > hairline


def test_stronger_action_units_change_the_face_more():
    identity = _identity()
    for au in ("AU12", "AU9", "AU5"):
        assert _changed(identity, au, 0.9)[3] > 1.5 * _changed(identity, au, 0.3)[3], au


@pytest.mark.parametrize("side", [-1, 1])
def test_au14_is_drawn_on_the_persons_side_only(side):
    identity = _identity(au14_side=side)
    difference = np.abs(_draw(identity, AU14=0.9) - _draw(identity)).sum(axis=2)
    left, right = difference[:, : SIZE // 2].sum(), difference[:, SIZE // 2 :].sum()
    ours, theirs = (right, left) if side == 1 else (left, right)
    assert ours > 3 * theirs


def test_symmetric_action_units_are_drawn_on_both_sides():
    identity = _identity()
    for au in ("AU12", "AU2", "AU6", "AU20"):
        difference = np.abs(_draw(identity, **{au: 0.9}) - _draw(identity)).sum(axis=2)
        left, right = difference[:, : SIZE // 2].sum(), difference[:, SIZE // 2 :].sum()
        assert 0.6 < left / right < 1.6, au


def test_a_blink_closes_the_eyes_whatever_the_upper_lid_raiser():
    identity = _identity()
    open_wide = _draw(identity, AU5=1.0)
    closed = _draw(identity, AU5=1.0, AU45=1.0)
    closed_neutral = _draw(identity, AU45=1.0)
    white = lambda image: np.all(image > 240, axis=2).sum()  # noqa: E731 - eye whites
    assert white(open_wide) > 20
    assert white(closed) == white(closed_neutral) == 0
