"""Drawing a face from its action units.

Every expressive change of the face is a function of one AU intensity (or a few), as
FACS describes its appearance: AU1/AU2 raise the inner/outer brows, AU4 lowers and draws
them together with a furrow between them, AU5 raises the upper lid, AU41 droops it and
AU45 closes it, AU6 raises the cheeks (and the lower lid, with crow's feet), AU7
tightens the lower lid, AU9 wrinkles the nose and lifts the nostrils, AU10 raises the
upper lip, AU12 pulls the lip corners up and out, AU14 tightens one corner with a
dimple, AU15 pulls the corners down, AU17 pushes the chin and lower lip up, AU20
stretches the lips sideways, AU23 narrows them, AU25 parts them and AU26 drops the jaw.
Nothing here reads valence, arousal or the expression label.
"""

from __future__ import annotations

import numpy as np

from ._action_units import AU_NAMES
from ._canvas import Canvas, ellipse, quadratic
from ._scene import draw_background, draw_occluder, finish

__all__ = ["draw_face", "render"]


def _draw_head(canvas, identity):
    fw = identity["face_width"]
    skin, hair = identity["skin"], identity["hair"]
    style = identity["hair_style"]
    if style == 1:  # long hair behind the head
        canvas.fill(ellipse((0.0, 0.15), (fw * 1.22, 1.12)), hair)
    canvas.fill_many(
        [ellipse((side * fw * 0.98, 0.02), (0.12, 0.2), n=14) for side in (-1, 1)], skin * 0.8
    )
    if identity["earrings"]:
        canvas.fill_many(
            [ellipse((side * fw, 0.25), (0.05, 0.05), n=10) for side in (-1, 1)], (230, 200, 60)
        )
    canvas.fill(ellipse((0.0, 0.0), (fw, 1.0), n=40), skin)
    if identity["beard"]:
        jaw = ellipse((0.0, 0.0), (fw, 1.0), n=20, start=0.15 * np.pi, stop=0.85 * np.pi)
        # From the right of the jaw round the chin to the left, back under the mouth.
        under_mouth = quadratic((-fw * 0.9, 0.3), (0.0, 0.78), (fw * 0.9, 0.3))
        canvas.fill(np.vstack([jaw, under_mouth]), hair)
    if style in (0, 1):  # hair cap and fringe
        cap = ellipse((0.0, -0.05), (fw * 1.04, 1.0), n=24, start=np.pi, stop=2 * np.pi)
        fringe = quadratic((fw * 1.02, -0.25), (0.0, -0.8), (-fw * 1.02, -0.25), n=14)
        canvas.fill(np.vstack([cap, fringe]), hair)


def _draw_cheeks(canvas, identity, u):
    """AU6 raises and rounds the cheeks under the eyes."""
    if u["AU6"] < 0.05:
        return
    ex, ey = identity["eye_dx"], identity["eye_y"]
    tint = identity["skin"] * (1 - 0.2 * u["AU6"]) + identity["lip"] * (0.2 * u["AU6"])
    cheeks = [
        ellipse((side * (ex + 0.03), ey + 0.24 - 0.06 * u["AU6"]), (0.14, 0.09), n=16)
        for side in (-1, 1)
    ]
    canvas.fill_many(cheeks, tint)


def _eye_openings(u):
    """Upper and lower half-heights of the eye opening."""
    if u["AU45"] >= 0.5:
        return 0.0, 0.0
    upper = 0.11 + 0.10 * u["AU5"] - 0.10 * u["AU41"] - 0.02 * u["AU7"]
    lower = 0.09 - 0.035 * u["AU6"] - 0.045 * u["AU7"] + 0.015 * u["AU5"]
    return max(upper, 0.0), max(lower, 0.005)


def _draw_eyes(canvas, identity, u):
    """AU5 raises and AU41 droops the upper lids, AU6 and AU7 raise the lower ones."""
    ex, ey, ew = identity["eye_dx"], identity["eye_y"], identity["eye_width"]
    skin, shade = identity["skin"], identity["skin"] * 0.8
    # Eye sockets are a little darker than the cheeks (and Haar cascades look for that).
    canvas.fill_many(
        [ellipse((side * ex, ey - 0.02), (ew * 0.8, 0.13), n=18) for side in (-1, 1)],
        skin * 0.86,
    )
    upper, lower = _eye_openings(u)
    outlines = []
    for side in (-1, 1):
        center = (side * ex, ey)
        top = ellipse(center, (ew / 2, max(upper, 0.006)), n=11, start=np.pi, stop=2 * np.pi)
        bottom = ellipse(center, (ew / 2, lower), n=11, start=0.0, stop=np.pi)
        outline = np.vstack([top, bottom])
        outlines.append(outline)
        if upper + lower > 0.03:
            canvas.fill(outline, (250, 250, 250))
            radius = min((upper + lower) / 2, ew * 0.3)
            iris = (side * ex, ey + (lower - upper) / 2)
            canvas.fill(ellipse(iris, (radius, radius), n=12), identity["iris"])
            canvas.fill(ellipse(iris, (radius * 0.45, radius * 0.45), n=10), (10, 10, 10))
    canvas.lines(outlines, shade * 0.6, width=0.8, closed=True)
    if u["AU6"] > 0.35:  # crow's feet at the outer corners
        feet = []
        for side in (-1, 1):
            corner = side * (ex + ew * 0.55)
            for dy in (-0.035, 0.035):
                feet.append([(corner, ey), (corner + side * 0.07, ey + dy)])
        canvas.lines(feet, skin * (1 - 0.3 * u["AU6"]), width=0.6)
    if identity["glasses"]:
        rims = [ellipse((side * ex, ey), (ew * 0.75, 0.13), n=20) for side in (-1, 1)]
        canvas.lines(rims, (30, 30, 30), closed=True)
        canvas.line([(-ex + ew * 0.75, ey), (ex - ew * 0.75, ey)], (30, 30, 30))


def _draw_brows(canvas, identity, u):
    """AU1 raises the inner ends, AU2 the outer ends, AU4 lowers and gathers them."""
    ex, ey, ew = identity["eye_dx"], identity["eye_y"], identity["eye_width"]
    base = ey - 0.17
    inner_y = base - 0.13 * u["AU1"] + 0.07 * u["AU4"] + 0.02 * u["AU9"]
    outer_y = base - 0.12 * u["AU2"] + 0.02 * u["AU4"]
    inner_x = ex - ew * 0.55 - 0.05 * u["AU4"]
    outer_x = ex + ew * 0.65
    arch = 0.03 + 0.02 * u["AU2"]
    brows = []
    for side in (-1, 1):
        middle = (side * (inner_x + outer_x) / 2, (inner_y + outer_y) / 2 - arch)
        brows.append([(side * inner_x, inner_y), middle, (side * outer_x, outer_y)])
    canvas.lines(brows, identity["hair"] * 0.8, width=identity["brow_width"])
    if u["AU4"] > 0.25:  # vertical furrows between the brows
        furrows = [[(dx, inner_y + 0.03), (dx * 0.8, inner_y + 0.11)] for dx in (-0.04, 0.04)]
        canvas.lines(furrows, identity["skin"] * (1 - 0.3 * u["AU4"]), width=0.6)


def _mouth(identity, u):
    """Corner points, mean corner lift and opening of the mouth."""
    my = identity["mouth_y"]
    width = identity["mouth_width"] * (
        1 + 0.18 * u["AU12"] + 0.3 * u["AU20"] - 0.15 * u["AU23"] - 0.05 * u["AU17"]
    )
    lift = 0.3 * u["AU12"] - 0.3 * u["AU15"] - 0.05 * u["AU20"]
    # Unilateral AU14: one corner tightened inwards and lifted (contempt's smirk).
    corners = []
    for side in (-1, 1):
        pull = u["AU14"] if side == identity["au14_side"] else 0.0
        corners.append((side * width * (1 - 0.1 * pull), my - lift - 0.16 * pull))
    left, right = corners
    opening = (0.09 * u["AU25"] + 0.2 * u["AU26"]) * (1 - 0.6 * u["AU23"]) * (1 - 0.3 * u["AU17"])
    return left, right, my - (left[1] + right[1]) / 2, opening


def _draw_nose(canvas, identity, u, corners):
    """AU9 wrinkles the bridge and lifts the nostrils; AU9, AU10 and AU12 deepen the
    nasolabial folds."""
    skin, shade = identity["skin"], identity["skin"] * 0.8
    tip = 0.2 - 0.04 * u["AU9"] - 0.02 * u["AU10"]
    canvas.line([(0.0, -0.06), (0.05, tip), (-0.04, tip + 0.02)], shade * 0.75)
    nostrils = [
        ellipse((dx, tip + 0.02), (0.03 + 0.012 * u["AU9"], 0.016), n=8) for dx in (-0.06, 0.06)
    ]
    canvas.fill_many(nostrils, shade * 0.7)
    if u["AU9"] > 0.15:
        wrinkles = [[(-0.07, y), (0.0, y - 0.015), (0.07, y)] for y in (-0.02, 0.03, 0.08)]
        canvas.lines(wrinkles, skin * (1 - 0.35 * u["AU9"]), width=0.6)
    fold = max(u["AU9"], u["AU10"], 0.7 * u["AU12"])
    if fold > 0.3:
        folds = []
        for x, y in corners:
            sign = 1 if x > 0 else -1
            end = (x + sign * 0.04, min(y, identity["mouth_y"]) + 0.02)
            middle = (sign * 0.2, (tip + end[1]) / 2)
            folds.append(quadratic((sign * 0.09, tip - 0.01), middle, end, n=8))
        canvas.lines(folds, skin * (1 - 0.3 * fold), width=0.7)


def _draw_mouth(canvas, identity, u, geometry):
    """Lip corners (AU12, AU14, AU15, AU20), lips (AU10, AU17, AU23, AU25) and jaw (AU26)."""
    left, right, lift, opening = geometry
    my, skin, lip = identity["mouth_y"], identity["skin"], identity["lip"]
    upper = quadratic(left, (0.0, my + lift - opening * 0.5 - 0.08 * u["AU10"]), right)
    lower = quadratic(right, (0.0, my + lift + opening * 1.3 - 0.04 * u["AU17"]), left)
    if opening > 0.03:
        canvas.fill(np.vstack([upper, lower]), (60, 15, 20))
        if opening > 0.06 and u["AU10"] + u["AU12"] + u["AU20"] > 0.4:  # upper teeth
            band = min(0.045, opening * 0.4)
            canvas.fill(np.vstack([upper, upper[::-1] + (0.0, band)]), (235, 232, 222))
        canvas.line(np.vstack([upper, lower]), lip * 0.7, width=1.5, closed=True)
    else:
        canvas.line(upper, lip * 0.6, width=1.8)
    if u["AU14"] > 0.2:  # the dimple beside the tightened corner
        sign = identity["au14_side"]
        x, y = right if sign == 1 else left
        dimple = [(x + sign * 0.03, y - 0.04), (x + sign * 0.05, y + 0.03)]
        canvas.line(dimple, skin * (1 - 0.35 * u["AU14"]), width=0.7)
    if u["AU17"] > 0.25:  # the chin boss pushed up under the lower lip
        chin = quadratic((-0.12, my + 0.24), (0.0, my + 0.18), (0.12, my + 0.24), n=8)
        canvas.line(chin, skin * (1 - 0.3 * u["AU17"]), width=0.7)


def draw_face(canvas, identity, aus):
    """Draw one face whose expression is the row ``aus`` of AU intensities."""
    u = dict(zip(AU_NAMES, aus.tolist()))
    _draw_head(canvas, identity)
    _draw_cheeks(canvas, identity, u)
    _draw_eyes(canvas, identity, u)
    _draw_brows(canvas, identity, u)
    geometry = _mouth(identity, u)
    _draw_nose(canvas, identity, u, geometry[:2])
    _draw_mouth(canvas, identity, u, geometry)


def render(identity, scene, aus, rng, size):
    """One image: background, the face showing ``aus``, occluder, light and noise."""
    image = np.empty((size, size, 3), dtype=np.uint8)
    draw_background(image, scene, rng, size)
    center = size * (0.5 + scene["offset"])
    canvas = Canvas(image, center, scene["scale"] * size, scene["angle"], scene["squash"])
    draw_face(canvas, identity, aus)
    if scene["occluder"]:
        draw_occluder(image, rng, size)
    return finish(image, scene, rng, size)
