"""AffectNet's expression coding, shared by its loader, the synthetic faces and the figures.

One constant, so that a code means the same expression everywhere: in
``load_affectnet().expression``, in ``make_faces().expression`` and on the axes of
:func:`~sklearn_fer.plotting.plot_confusion_matrix`.
"""

from __future__ import annotations

__all__ = ["AFFECTNET_EXPRESSIONS", "EXPRESSION_CODES"]

#: AffectNet's expression codes (Mollahosseini, Hasani & Mahoor 2017); 8-10 mark images
#: without a usable expression.
AFFECTNET_EXPRESSIONS = {
    0: "neutral",
    1: "happiness",
    2: "sadness",
    3: "surprise",
    4: "fear",
    5: "disgust",
    6: "anger",
    7: "contempt",
    8: "none",
    9: "uncertain",
    10: "no-face",
}

#: The codes of the eight expressions (0 neutral .. 7 contempt); the seven-class task
#: (Nasri et al. 2020, and FER2013's classes) drops contempt, code 7.
EXPRESSION_CODES = {7: tuple(range(7)), 8: tuple(range(8))}
