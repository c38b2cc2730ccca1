"""The labels of one subject's frames: valence, arousal and a categorical expression.

Valence and arousal come first, as before expressions existed (lab: segments cycling
through the four quadrants; wild: uniform on [-1, 1]^2). Each segment's expression is
then drawn from its posterior on the circumplex,
``p(e | v, a) ~ exp(-|(v, a) - prototype_e|^2 / (2 spread^2))``: consistent with valence
and arousal (a point near happiness' prototype is most often happiness), yet not a
function of them (near fear's and anger's prototypes both are likely), so the
expression's own AU cues carry information valence and arousal do not.
"""

from __future__ import annotations

import numpy as np

from ._action_units import CIRCUMPLEX, CIRCUMPLEX_SPREAD

__all__ = ["expression_posterior", "subject_labels"]

_SECONDS_PER_FRAME = 4.0
_STRENGTH = (0.5, 1.0)  # range of a categorical expression's strength


def _lab_labels(rng, n_segments):
    """Segment labels whose signs cycle through the four quadrants in a shuffled order."""
    quadrants = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1]], dtype=np.float64)
    order = np.concatenate([rng.permutation(4) for _ in range(-(-n_segments // 4))])[:n_segments]
    magnitude = rng.uniform(0.15, 0.9, size=(n_segments, 2))
    return quadrants[order] * magnitude


def expression_posterior(labels, codes):
    """``p(expression | valence, arousal)`` for each row of ``labels``, ``(n, len(codes))``."""
    prototypes = np.array([CIRCUMPLEX[code] for code in codes])
    distance = ((labels[:, None, :] - prototypes[None, :, :]) ** 2).sum(axis=2)
    logits = -distance / (2 * CIRCUMPLEX_SPREAD**2)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def _draw_expressions(rng, labels, codes):
    # One uniform per row whatever the codes: valence and arousal, drawn before, and
    # everything drawn after do not depend on the number of expressions.
    cumulative = np.cumsum(expression_posterior(labels, codes), axis=1)
    u = rng.random(len(labels))
    choice = np.minimum((cumulative < u[:, None]).sum(axis=1), len(codes) - 1)
    return np.asarray(codes, dtype=np.int64)[choice]


def subject_labels(rng, domain, n_per, frames_per_segment, codes):
    """One subject's labels per frame, and each frame's segment and time.

    Lab: labels constant per segment of ``frames_per_segment`` frames, one frame every 4 s.
    Wild: a label and a segment per image, no times. Returns a dict with ``labels``
    (valence, arousal), ``expression``, ``strength``, ``segment`` (within the subject),
    ``n_segments`` and ``time_s``.
    """
    frame = np.arange(n_per)
    if domain == "lab":
        n_segments = -(-n_per // frames_per_segment)
        segment = frame // frames_per_segment
        labels = _lab_labels(rng, n_segments)
        time_s = _SECONDS_PER_FRAME * frame
    else:
        n_segments, segment = n_per, frame
        labels = rng.uniform(-1, 1, size=(n_per, 2))
        time_s = np.full(n_per, np.nan)
    expression = _draw_expressions(rng, labels, codes)
    strength = rng.uniform(*_STRENGTH, size=n_segments)
    return {
        "labels": labels[segment],
        "expression": expression[segment],
        "strength": strength[segment],
        "segment": segment,
        "n_segments": n_segments,
        "time_s": time_s,
    }
