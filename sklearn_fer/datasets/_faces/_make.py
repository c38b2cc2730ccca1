"""make_faces: the public generator, its argument checks and its per-subject loop."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Options, StrOptions, validate_params

from ..._validation import RANDOM_STATE, NumberInterval, positive_int
from ...nets import MIN_IMAGE_SIZE
from .._expressions import AFFECTNET_EXPRESSIONS, EXPRESSION_CODES
from ._action_units import AU_NAMES, action_units
from ._descr import describe
from ._face import render
from ._labels import subject_labels
from ._scene import lab_scene, make_identity, make_setting, wild_scene

__all__ = ["make_faces"]

_DOMAINS = ("lab", "wild")
_DOMAIN_CODES = {"lab": 1, "wild": 2}
_EXPRESSED_LIMIT = 1.2  # expressed valence and arousal are clipped to +-1.2


def _check_pair(value, name):
    pair = np.broadcast_to(np.asarray(value, dtype=np.float64), (2,)).copy()
    if not np.all(np.isfinite(pair)) or np.any(pair < 0):
        raise ValueError(
            f"{name} must be a non-negative number or a (valence, arousal) pair of them, got "
            f"{value!r}."
        )
    return pair


def _check_parameters(args):
    """make_faces' arguments (a dict, numbers checked by its ``validate_params``), converted."""
    return {
        "domain": args["domain"],
        "n_subjects": int(args["n_subjects"]),
        "n_per": int(args["n_samples_per_subject"]),
        "size": int(args["image_size"]),
        "frames": int(args["frames_per_segment"]),
        "codes": EXPRESSION_CODES[int(args["n_expressions"])],
        "offset_std": _check_pair(args["offset_std"], "offset_std"),
        "gain_std": _check_pair(args["gain_std"], "gain_std"),
        "au_gain_std": float(args["au_gain_std"]),
        "noise": float(args["expression_noise"]),
        "blink_rate": float(args["blink_rate"]),
    }


def _person(seed, p, subject):
    """One subject's identity, setting and expressiveness (its own random stream)."""
    rng = np.random.default_rng([seed, _DOMAIN_CODES[p["domain"]], subject, 0])
    identity = make_identity(rng)
    offset = rng.normal(0, 1, 2) * p["offset_std"]
    gain = np.exp(rng.normal(0, 1, 2) * p["gain_std"])
    setting = make_setting(rng, p["domain"])
    au_gain = np.exp(rng.normal(0, 1, len(AU_NAMES)) * p["au_gain_std"])
    return identity, setting, offset, gain, au_gain


def _subject(seed, p, subject, images):
    """One subject's labels and AUs; its images are drawn into ``images``."""
    identity, setting, offset, gain, au_gain = _person(seed, p, subject)
    keys = [seed, _DOMAIN_CODES[p["domain"]], subject]
    label_rng = np.random.default_rng([*keys, 1])  # labels do not depend on image_size
    frame_rng = np.random.default_rng([*keys, 2])
    labels = subject_labels(label_rng, p["domain"], p["n_per"], p["frames"], p["codes"])
    expressed = offset + gain * labels["labels"]
    expressed += frame_rng.normal(0, p["noise"], size=expressed.shape)
    expressed = np.clip(expressed, -_EXPRESSED_LIMIT, _EXPRESSED_LIMIT)
    blinks = frame_rng.random(p["n_per"]) < p["blink_rate"]
    aus = action_units(
        expressed, labels["expression"], labels["strength"], au_gain, p["noise"], blinks, frame_rng
    )
    for k in range(p["n_per"]):
        scene = lab_scene(frame_rng, setting) if p["domain"] == "lab" else wild_scene(frame_rng)
        images[k] = render(identity, scene, aus[k], frame_rng, p["size"])
    return dict(labels, aus=aus, offset=offset, gain=gain, au_gain=au_gain)


def _bunch(p, images, subjects):
    labels = np.concatenate([s["labels"] for s in subjects]).astype(np.float32)
    segment_base = np.cumsum([0] + [s["n_segments"] for s in subjects[:-1]])
    descr = describe(
        codes=p["codes"],
        domain=p["domain"],
        frames=p["frames"],
        n=len(labels),
        size=p["size"],
        n_subjects=p["n_subjects"],
        offset_std=tuple(float(v) for v in p["offset_std"]),
        gain_std=tuple(float(v) for v in p["gain_std"]),
        au_gain_std=p["au_gain_std"],
        blink_rate=p["blink_rate"],
    )
    return Bunch(
        images=images,
        valence=labels[:, 0].copy(),
        arousal=labels[:, 1].copy(),
        target=labels,
        expression=np.concatenate([s["expression"] for s in subjects]),
        expression_names=[AFFECTNET_EXPRESSIONS[c] for c in p["codes"]],
        aus=np.concatenate([s["aus"] for s in subjects]).astype(np.float32),
        au_names=list(AU_NAMES),
        subject=np.repeat(np.arange(p["n_subjects"]), p["n_per"]),
        segment=np.concatenate([b + s["segment"] for b, s in zip(segment_base, subjects)]),
        time_s=np.concatenate([s["time_s"] for s in subjects]),
        expression_offset=np.array([s["offset"] for s in subjects]),
        expression_gain=np.array([s["gain"] for s in subjects]),
        au_gain=np.array([s["au_gain"] for s in subjects]),
        feature_names=["valence", "arousal"],
        DESCR=descr,
    )


_NON_NEGATIVE = [NumberInterval(Real, 0, None, closed="left")]


@validate_params(
    {
        "n_subjects": [positive_int()],
        "n_samples_per_subject": [positive_int()],
        "domain": [StrOptions(set(_DOMAINS))],
        "image_size": [positive_int(MIN_IMAGE_SIZE)],
        "frames_per_segment": [positive_int()],
        # 7: AffectNet's codes 0-6, without contempt; 8: codes 0-7
        "n_expressions": [Options(Integral, set(EXPRESSION_CODES))],
        "au_gain_std": _NON_NEGATIVE,
        "expression_noise": _NON_NEGATIVE,
        "blink_rate": [NumberInterval(Real, 0, 1, closed="both")],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def make_faces(
    n_subjects=10,
    n_samples_per_subject=100,
    *,
    domain="lab",
    image_size=64,
    frames_per_segment=5,
    n_expressions=8,
    offset_std=(0.1, 0.3),
    gain_std=(0.1, 0.3),
    au_gain_std=0.25,
    expression_noise=0.04,
    blink_rate=0.05,
    random_state=None,
):
    """Generate synthetic faces whose expressions encode valence, arousal and an emotion.

    The embedded stand-in for AffectNet (``domain="wild"``) and AMIGOS (``domain="lab"``),
    which are licensed and cannot be downloaded here. **The data are synthetic**: cartoon
    faces drawn with OpenCV. Use them for demos, tests and checking code paths, and say so
    wherever results computed on them appear.

    Expressions are drawn through FACS action units (AUs): valence, arousal and a
    categorical expression set AU intensities in [0, 1], each person scales them with
    their own gains, and only the AUs move the face (brows, lids, cheeks, nose, lip
    corners, lips, jaw). The AU intensities come back as ground truth (``aus``). The
    mapping is a modelling assumption of the generator; see Notes.

    Parameters
    ----------
    n_subjects : int, default=10
        Number of people. Each has a fixed identity and expressiveness.
    n_samples_per_subject : int, default=100
        Images per subject.
    domain : {"lab", "wild"}, default="lab"
        ``"lab"``: one fixed setting per subject with small jitter, frames from video
        segments with constant labels per segment, valence and arousal covering the four
        quadrants (the AMIGOS stand-in). ``"wild"``: a new background, pose, scale,
        position, light, blur and noise for every image, sometimes an occluder, labels
        per image with valence and arousal uniform on [-1, 1]^2 (the AffectNet stand-in).
        The two domains never share identities.
    image_size : int, default=64
        Height and width in pixels; at least 63 (AlexNet's minimum).
    frames_per_segment : int, default=5
        Lab domain: frames per 20 s segment (5 = one frame every 4 s, as in the paper).
    n_expressions : {7, 8}, default=8
        The categorical expressions, in AffectNet's coding: 8 for codes 0-7 (neutral,
        happiness, sadness, surprise, fear, disgust, anger, contempt), 7 for codes 0-6
        (contempt left out, the seven classes of Nasri et al. 2020 and of FER2013).
        Valence, arousal and identities do not depend on it.
    offset_std : float or (float, float), default=(0.1, 0.3)
        Standard deviation of each subject's expression offset, for (valence, arousal).
    gain_std : float or (float, float), default=(0.1, 0.3)
        Standard deviation of the log of each subject's expression gain. With the defaults
        arousal is more person-specific than valence, the paper's finding on AMIGOS (a
        modelling assumption here). 0 for both makes everyone express labels alike.
    au_gain_std : float, default=0.25
        Standard deviation of the log of each subject's gain per action unit (how strongly
        this person shows each AU: one smiles broadly, another frowns hard). 0 turns it
        off.
    expression_noise : float, default=0.04
        Standard deviation of frame-to-frame jitter of the expressed valence and arousal
        and of the intensity of each AU present.
    blink_rate : float, default=0.05
        Probability that a frame catches the eyes closed (AU45).
    random_state : int, RandomState instance or None, default=None
        Seed. Subject ``i`` of a domain has the same identity for a given seed whatever
        the other arguments; its labels do not depend on ``image_size``.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8, ``(n, image_size, image_size, 3)``, RGB), ``valence`` and
        ``arousal`` (float32 on [-1, 1]), ``target`` (``(n, 2)``: valence, arousal),
        ``expression`` (int64, AffectNet's codes, see
        :data:`~sklearn_fer.datasets.AFFECTNET_EXPRESSIONS`), ``expression_names``
        (the names of codes ``0 .. n_expressions - 1``), ``aus`` (float32,
        ``(n, n_aus)``: the AU intensities each image shows, in [0, 1]), ``au_names``
        (``["AU1", "AU2", ...]``, see :data:`~sklearn_fer.datasets.ACTION_UNITS`),
        ``subject`` (int), ``segment`` (int, unique over the data set; the labels are
        constant within a segment), ``time_s`` (lab: seconds since the subject's first
        frame, one frame every 4 s; wild: NaN), ``expression_offset`` and
        ``expression_gain`` (``(n_subjects, 2)``, for valence and arousal), ``au_gain``
        (``(n_subjects, n_aus)``), ``feature_names`` (``["valence", "arousal"]``) and
        ``DESCR``, which states all of this and the mapping tables below.

    Notes
    -----
    How the labels are drawn: valence and arousal first (lab: per segment, cycling
    through the four quadrants; wild: per image, uniform), then the expression from its
    posterior on the circumplex, ``p(e | v, a) ~ exp(-|(v, a) - c_e|^2 / (2 * 0.3^2))``
    around each expression's prototype ``c_e``, with a strength uniform on [0.5, 1].
    The expression is thus consistent with valence and arousal but not a function of
    them: near the prototypes of fear and anger both are likely, and only their own AU
    cues tell them apart. Each subject expresses ``(v, a) = offset + gain * label`` plus
    jitter, and shows

    ``AU = clip(au_gain * (core_affect(v, a) + strength * prototype[e]) + jitter, 0, 1)``.

    Core affect (v+ = max(v, 0), v- = max(-v, 0), a+ and a- likewise):

    ====  =====================  ==========================================
    AU    FACS name              intensity
    ====  =====================  ==========================================
    AU1   inner brow raiser      0.6 valence- + 0.3 arousal+
    AU2   outer brow raiser      0.45 arousal+
    AU4   brow lowerer           0.25 valence-
    AU5   upper lid raiser       0.7 arousal+
    AU6   cheek raiser           0.45 valence+
    AU12  lip corner puller      0.8 valence+
    AU15  lip corner depressor   0.8 valence-
    AU25  lips part              0.25 rest + 0.75 arousal+ - 0.75 arousal-
    AU26  jaw drop               0.6 arousal+
    AU41  lid droop              0.8 arousal-
    ====  =====================  ==========================================

    Expression prototypes (AU intensity at full strength) and circumplex prototypes
    ``c_e`` = (valence, arousal):

    ====  =========  ==============  ==================================================
    code  name       c_e             AUs
    ====  =========  ==============  ==================================================
    0     neutral    (0, 0)          none
    1     happiness  (0.75, 0.15)    AU6 0.6, AU12 0.8, AU25 0.2
    2     sadness    (-0.7, -0.4)    AU1 0.6, AU4 0.4, AU15 0.6, AU17 0.4
    3     surprise   (0.3, 0.75)     AU1 0.8, AU2 0.8, AU5 0.4, AU25 0.6, AU26 0.8
    4     fear       (-0.4, 0.75)    AU1 0.6, AU2 0.4, AU4 0.6, AU5 0.6, AU7 0.4,
                                     AU20 0.8, AU25 0.4, AU26 0.2
    5     disgust    (-0.7, 0.25)    AU9 0.8, AU10 0.6, AU15 0.3, AU17 0.3
    6     anger      (-0.5, 0.55)    AU4 0.8, AU5 0.4, AU7 0.6, AU23 0.8
    7     contempt   (-0.35, -0.15)  AU14 0.8 (one side of the face)
    ====  =========  ==============  ==================================================

    Sources, and where this departs from them: the AU prototypes follow the EMFACS
    prototypes (Friesen & Ekman 1983) as given in the FACS Investigator's Guide (Ekman,
    Friesen & Hager 2002) and the CK+ emotion criteria (Lucey et al. 2010): happiness
    6+12, sadness 1+4+15, surprise 1+2+5B+26, fear 1+2+4+5+7+20+26, anger 4+5+7+23,
    disgust 9+15+16 (AU16 is not drawn; CK+ accepts AU9 or AU10, so AU10 stands in),
    contempt unilateral 14 (EMFACS adds R12A, left out here); FACS intensities A-E read
    as 0.2-1.0; AU17 in sadness and disgust is an added, common variant. The circumplex
    prototypes place happiness, sadness, fear, anger and surprise in the quadrants where
    Russell (1980) found "happy", "sad", "afraid", "angry" and "astonished"; neutral is
    the origin; disgust and contempt, absent from Russell's words, are placed by us. The
    core-affect table is our own dimensional reading of these prototypes. None of this
    is a measurement of people: it is a modelling assumption, chosen so that valence,
    arousal and the expression are each learnable from the images.

    References
    ----------
    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79
    (Section 3.1 describes the real data sets this generator stands in for).

    Ekman & Friesen (1978). Facial Action Coding System. Consulting Psychologists Press.

    Friesen & Ekman (1983). EMFACS-7: Emotional Facial Action Coding System. Unpublished
    manual, University of California.

    Ekman, Friesen & Hager (2002). Facial Action Coding System: The Manual and
    Investigator's Guide. Research Nexus.

    Russell (1980). A circumplex model of affect. Journal of Personality and Social
    Psychology 39(6), 1161-1178.

    Lucey, Cohn, Kanade, Saragih, Ambadar & Matthews (2010). The Extended Cohn-Kanade
    Dataset (CK+). IEEE CVPR Workshops.

    Examples
    --------
    >>> from sklearn_fer.datasets import make_faces
    >>> faces = make_faces(n_subjects=2, n_samples_per_subject=10, random_state=0)
    >>> faces.images.shape, faces.images.dtype
    ((20, 64, 64, 3), dtype('uint8'))
    >>> faces.target.shape, faces.expression.shape, faces.aus.shape
    ((20, 2), (20,), (20, 18))
    >>> faces.au_names[:4]
    ['AU1', 'AU2', 'AU4', 'AU5']
    >>> faces.expression_names[1]
    'happiness'
    >>> bool(make_faces(1, 5, n_expressions=7, random_state=0).expression.max() < 7)
    True
    >>> "synthetic" in faces.DESCR
    True
    """
    p = _check_parameters(
        dict(
            n_subjects=n_subjects,
            n_samples_per_subject=n_samples_per_subject,
            domain=domain,
            image_size=image_size,
            frames_per_segment=frames_per_segment,
            n_expressions=n_expressions,
            offset_std=offset_std,
            gain_std=gain_std,
            au_gain_std=au_gain_std,
            expression_noise=expression_noise,
            blink_rate=blink_rate,
        )
    )
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    n_per, size = p["n_per"], p["size"]
    images = np.empty((p["n_subjects"] * n_per, size, size, 3), dtype=np.uint8)
    subjects = [
        _subject(seed, p, subject, images[subject * n_per : (subject + 1) * n_per])
        for subject in range(p["n_subjects"])
    ]
    return _bunch(p, images, subjects)
