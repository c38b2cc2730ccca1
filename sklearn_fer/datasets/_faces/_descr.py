"""The DESCR of make_faces' Bunch: what the data are, how they are made, and from where.

The mapping tables are written from the constants of ``_action_units.py``, so the
description cannot drift from what the generator does.
"""

from __future__ import annotations

import textwrap

from .._expressions import AFFECTNET_EXPRESSIONS
from ._action_units import (
    ACTION_UNITS,
    CIRCUMPLEX,
    CIRCUMPLEX_SPREAD,
    CORE_AFFECT,
    EXPRESSION_PROTOTYPES,
)

__all__ = ["describe"]

_TEMPLATE = """\
Synthetic faces (sklearn-fer)
=============================

**These images are synthetic.** They are cartoon faces drawn with OpenCV by
``sklearn_fer.datasets.make_faces``; no real person, photograph or annotation is involved.
Results computed on them say how the methods behave on this generator, not on real faces.

How they are made
-----------------
* Identity (fixed per subject): face width, skin tone, hair colour and style, eye spacing,
  iris colour, mouth height, brow thickness, accessories (glasses, beard, earrings), and
  the side on which the person shows a one-sided (unilateral) AU14.
* Labels: valence and arousal on [-1, 1] first; then a categorical expression in
  AffectNet's coding (codes below), drawn from
  p(e | v, a) ~ exp(-|(v, a) - prototype_e|^2 / (2 * {spread}^2)) around each
  expression's circumplex prototype (table below): consistent with valence and arousal
  but not determined by them. Each segment's expression has a strength uniform on
  [0.5, 1].
* Expression: the face is drawn from FACS action units (``aus``, columns ``au_names``),
  never from the labels directly:
  AU = clip(gain[person, AU] * (core_affect(v, a) + strength * prototype[e, AU])
  + jitter, 0, 1), where (v, a) are the person's expressed values (below). Brows, lids,
  cheeks, nose, lip corners, lips and jaw move with the AUs; AU45 is a blink (probability
  {blink_rate} per frame). So valence drives the lip corners (AU12 up, AU15 down), the
  cheeks (AU6) and the inner brows (AU1, AU4); arousal the brows (AU1, AU2), the upper
  lids (AU5 up, AU41 droop) and the mouth opening (AU25, AU26).
* Personal expressiveness: each subject shows ``offset + gain * label`` rather than the
  label itself, with per-subject offsets (std {offset_std}) and log-gains (std {gain_std})
  for (valence, arousal), and a gain per AU (log std {au_gain_std}). By default arousal is
  the more person-specific of the two, as Rescigno et al. (2020) found on AMIGOS.
{domain_text}

The mapping (a modelling assumption of the generator, not a fact about people)
--------------------------------------------------------------------------------
Core affect: AU intensity from the expressed valence v and arousal a
(v+ = max(v, 0), v- = max(-v, 0), likewise for a; "rest" is a constant):
{core}
Expression prototypes (intensity at full strength; FACS intensities A-E read as
0.2-1.0), after the EMFACS prototypes (Friesen & Ekman 1983) in the FACS Investigator's
Guide (Ekman, Friesen & Hager 2002) and the CK+ criteria (Lucey et al. 2010), and each
expression's circumplex prototype (v, a), after Russell (1980) for happiness, sadness,
fear, anger and surprise (disgust and contempt placed by us):
{prototypes}
{aus}

Contents: {n} images of {size}x{size} px, {n_subjects} subjects; targets are valence and
arousal on [-1, 1] (float32), ``expression`` holds the codes, ``aus`` the intensities
(float32, {n_aus} columns).

References
----------
Ekman & Friesen (1978). Facial Action Coding System. Consulting Psychologists Press.
Friesen & Ekman (1983). EMFACS-7: Emotional Facial Action Coding System. Unpublished
manual, University of California.
Ekman, Friesen & Hager (2002). Facial Action Coding System: The Manual and Investigator's
Guide. Research Nexus.
Russell (1980). A circumplex model of affect. Journal of Personality and Social
Psychology 39(6), 1161-1178.
Lucey et al. (2010). The Extended Cohn-Kanade Dataset (CK+). CVPR Workshops.
Mollahosseini, Hasani & Mahoor (2017). AffectNet. IEEE Transactions on Affective
Computing (the expression coding).
"""

_WIDTH = 90

_DOMAIN_TEXT = {
    "lab": (
        "one fixed setting per subject (background, framing, light) with small jitter; "
        "frames come from 20 s video segments, {frames} frames per segment (one every 4 s), "
        "and the labels (valence, arousal, expression) are constant within a segment; "
        "segment valence and arousal cycle through the four quadrants (the AMIGOS "
        "stand-in)."
    ),
    "wild": (
        "every image has its own background, pose, scale, position, light, blur, noise and, "
        "sometimes, an occluder, and its own labels; valence and arousal are uniform on "
        "[-1, 1]^2 (the AffectNet stand-in)."
    ),
}


def _wrap(text, indent="  "):
    return textwrap.fill(text, _WIDTH, subsequent_indent=indent, break_on_hyphens=False)


def _core_table():
    lines = []
    for au, weights in CORE_AFFECT.items():
        terms = " + ".join(f"{w:g} {term}" for term, w in weights.items()).replace("+ -", "- ")
        lines.append(f"  {au:<5} {ACTION_UNITS[au]:<22} {terms}")
    return "\n".join(lines)


def _prototype_table(codes):
    lines = []
    for code in codes:
        # A no-break space keeps each "AU intensity" pair on one line.
        aus = ", ".join(f"{au}\xa0{v:g}" for au, v in EXPRESSION_PROTOTYPES[code].items())
        va = "({:g}, {:g})".format(*CIRCUMPLEX[code])
        row = f"  {code} {AFFECTNET_EXPRESSIONS[code]:<10} {va:<15} {aus or 'none'}"
        lines.append(_wrap(row, indent=" " * 31).replace("\xa0", " "))
    return "\n".join(lines)


def describe(*, codes, domain, frames, n, size, n_subjects, **stds):
    """The DESCR text for one call of make_faces."""
    domain_text = f'* Domain "{domain}": ' + _DOMAIN_TEXT[domain].format(frames=frames)
    aus = "AUs shown: " + ", ".join(f"{au} {name}" for au, name in ACTION_UNITS.items())
    return _TEMPLATE.format(
        spread=CIRCUMPLEX_SPREAD,
        domain_text=_wrap(domain_text),
        core=_core_table(),
        prototypes=_prototype_table(codes),
        aus=_wrap(aus + ".", indent=""),
        n=n,
        size=size,
        n_subjects=n_subjects,
        n_aus=len(ACTION_UNITS),
        **stds,
    )
