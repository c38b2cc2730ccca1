"""From valence, arousal and a categorical expression to FACS action-unit intensities.

The synthetic faces are drawn from action units (AUs), never from the labels directly:
the labels set AU intensities in [0, 1], each person scales them with their own gains,
and the drawing (``_face.py``) moves brows, lids, cheeks, nose, lip corners, lips and jaw
by the AUs alone. Two tables make the mapping; both are modelling assumptions of the
generator, chosen from the sources below, not measurements of people.

* :data:`CORE_AFFECT`: what valence and arousal alone do to the face (a dimensional
  reading of Russell's circumplex: positive valence pulls the lip corners up and raises
  the cheeks, negative valence lowers the corners and raises the inner brows, high
  arousal raises brows and upper lids and opens the mouth, low arousal droops the lids).
* :data:`EXPRESSION_PROTOTYPES`: each categorical expression's own AU prototype, after
  the EMFACS prototypes of Friesen & Ekman (1983) as listed in the FACS Investigator's
  Guide (Ekman, Friesen & Hager 2002) and the CK+ emotion criteria (Lucey et al. 2010):
  happiness 6+12, sadness 1+4+15 (+17), surprise 1+2+5B+26, fear 1+2+4+5+7+20+26,
  anger 4+5+7+23, disgust 9 (+10) +15 (+17), contempt unilateral 14. These are the cues
  valence and arousal do not determine (a nose wrinkle, a one-sided dimpler, stretched
  lips, pressed lips).

FACS intensities A-E (trace, slight, marked, severe, maximum) are read as 0.2, 0.4, 0.6,
0.8 and 1.0.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACTION_UNITS",
    "AU_NAMES",
    "CIRCUMPLEX",
    "CIRCUMPLEX_SPREAD",
    "CORE_AFFECT",
    "EXPRESSION_PROTOTYPES",
    "action_units",
]

#: The action units the synthetic faces show, with their FACS names (Ekman & Friesen
#: 1978), in the column order of ``make_faces().aus``.
ACTION_UNITS = {
    "AU1": "inner brow raiser",
    "AU2": "outer brow raiser",
    "AU4": "brow lowerer",
    "AU5": "upper lid raiser",
    "AU6": "cheek raiser",
    "AU7": "lid tightener",
    "AU9": "nose wrinkler",
    "AU10": "upper lip raiser",
    "AU12": "lip corner puller",
    "AU14": "dimpler (unilateral)",
    "AU15": "lip corner depressor",
    "AU17": "chin raiser",
    "AU20": "lip stretcher",
    "AU23": "lip tightener",
    "AU25": "lips part",
    "AU26": "jaw drop",
    "AU41": "lid droop",
    "AU45": "blink",
}
AU_NAMES = tuple(ACTION_UNITS)
AU_INDEX = {name: i for i, name in enumerate(AU_NAMES)}

#: AU intensity from the expressed valence v and arousal a: ``sum(weight * term)`` over
#: the terms max(v, 0), max(-v, 0), max(a, 0), max(-a, 0) and 1, then clipped to [0, 1].
CORE_AFFECT = {
    "AU1": {"valence-": 0.6, "arousal+": 0.3},
    "AU2": {"arousal+": 0.45},
    "AU4": {"valence-": 0.25},
    "AU5": {"arousal+": 0.7},
    "AU6": {"valence+": 0.45},
    "AU12": {"valence+": 0.8},
    "AU15": {"valence-": 0.8},
    "AU25": {"rest": 0.25, "arousal+": 0.75, "arousal-": -0.75},
    "AU26": {"arousal+": 0.6},
    "AU41": {"arousal-": 0.8},
}
_TERMS = ("valence+", "valence-", "arousal+", "arousal-", "rest")

#: Each expression's AU prototype (intensity at full expression strength), keyed by
#: AffectNet's codes (0 neutral .. 7 contempt); added to the core-affect AUs.
EXPRESSION_PROTOTYPES = {
    0: {},
    1: {"AU6": 0.6, "AU12": 0.8, "AU25": 0.2},
    2: {"AU1": 0.6, "AU4": 0.4, "AU15": 0.6, "AU17": 0.4},
    3: {"AU1": 0.8, "AU2": 0.8, "AU5": 0.4, "AU25": 0.6, "AU26": 0.8},
    4: {
        "AU1": 0.6,
        "AU2": 0.4,
        "AU4": 0.6,
        "AU5": 0.6,
        "AU7": 0.4,
        "AU20": 0.8,
        "AU25": 0.4,
        "AU26": 0.2,
    },
    5: {"AU9": 0.8, "AU10": 0.6, "AU15": 0.3, "AU17": 0.3},
    6: {"AU4": 0.8, "AU5": 0.4, "AU7": 0.6, "AU23": 0.8},
    7: {"AU14": 0.8},
}

#: Where each expression sits on the valence-arousal plane (its circumplex prototype).
#: Happiness, sadness, fear ("afraid"), anger and surprise ("astonished") follow the
#: quadrant and rough angle at which Russell (1980) found them; neutral is the origin;
#: disgust and contempt, which are not among Russell's words, are placed by us at
#: negative valence with moderate and low arousal.
CIRCUMPLEX = {
    0: (0.0, 0.0),
    1: (0.75, 0.15),
    2: (-0.7, -0.4),
    3: (0.3, 0.75),
    4: (-0.4, 0.75),
    5: (-0.7, 0.25),
    6: (-0.5, 0.55),
    7: (-0.35, -0.15),
}

#: Standard deviation of the valence-arousal spread around an expression's prototype.
CIRCUMPLEX_SPREAD = 0.3


def _matrix(table, rows):
    matrix = np.zeros((len(rows), len(AU_NAMES)))
    for au, weights in table.items():
        for row, weight in weights.items():
            matrix[rows.index(row), AU_INDEX[au]] = weight
    return matrix


def _prototype_matrix():
    matrix = np.zeros((len(EXPRESSION_PROTOTYPES), len(AU_NAMES)))
    for code, prototype in EXPRESSION_PROTOTYPES.items():
        for au, intensity in prototype.items():
            matrix[code, AU_INDEX[au]] = intensity
    return matrix


_CORE_MATRIX = _matrix(CORE_AFFECT, list(_TERMS))
_PROTOTYPE_MATRIX = _prototype_matrix()


def action_units(expressed, expression, strength, gain, noise, blinks, rng):
    """The AU intensities one subject's frames show, in [0, 1], ``(n, n_aus)``.

    ``expressed`` holds the person's expressed (valence, arousal) per frame,
    ``expression`` the code and ``strength`` the strength (0-1) of the categorical
    expression, ``gain`` the person's gain per AU; ``noise`` is the standard deviation of
    frame-to-frame jitter added to the AUs that are present. ``blinks`` set AU45.
    """
    v, a = expressed[:, 0], expressed[:, 1]
    terms = np.column_stack(
        [np.maximum(v, 0), np.maximum(-v, 0), np.maximum(a, 0), np.maximum(-a, 0), np.ones_like(v)]
    )
    aus = terms @ _CORE_MATRIX + strength[:, None] * _PROTOTYPE_MATRIX[expression]
    aus = np.maximum(aus, 0) * gain
    # Absent AUs stay absent: jitter moves only what the face shows.
    jitter = rng.normal(0, noise, size=aus.shape)
    aus = np.clip(np.where(aus > 0, aus + jitter, 0.0), 0, 1)
    aus[:, AU_INDEX["AU45"]] = blinks
    return aus
