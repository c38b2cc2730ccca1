"""The sampling curves of Rescigno et al. (2020, Section 4, Fig. 6), per subject.

In each fold of each subject, each sampler picks ``ceil(fraction * n_train)`` training
frames and the pre-trained dense head is fine-tuned on them only.
"""

from __future__ import annotations

import math
import time

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import validate_params

from ..active import GreedySampler, MCDropoutSampler, RandomSampler, SampledRegressor
from ..active._mc_dropout import _PASS_CONSTRAINTS
from ..regressors import DenseHeadRegressor
from ._results import result_rows
from ._seeds import SEED_OFFSETS
from ._store import estimator_key
from ._subject_protocol import SubjectProtocol, head_for, run_protocol, unit_targets

DEFAULT_FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


# Checked here rather than at MCDUE's first query, far from the call that set them.
@validate_params(
    {k: _PASS_CONSTRAINTS[k] for k in ("n_iter", "p", "random_state")},
    prefer_skip_nested_validation=True,
)
def default_samplers(*, n_iter=50, p=0.5, random_state=None):
    """The paper's five samplers by name: random, GSx, GSy, iGS and MCDUE (T, pi).

    Parameters
    ----------
    n_iter, p : int, float, default=50, 0.5
        MCDUE's passes and dropout probability.
    random_state : int or None, default=None
        Seed of the random sampler and of MCDUE's masks.

    Returns
    -------
    dict of str to sampler

    Examples
    --------
    >>> sorted(default_samplers())
    ['gsx', 'gsy', 'igs', 'mcdue', 'random']
    """
    return {
        "random": RandomSampler(random_state=random_state),
        "gsx": GreedySampler("x"),
        "gsy": GreedySampler("y"),
        "igs": GreedySampler("xy"),
        "mcdue": MCDropoutSampler(n_iter=n_iter, p=p, random_state=random_state),
    }


class _NestedSelection:
    """One selection per training fold, reused for every fraction by taking prefixes.

    Greedy picks, MCDUE's ranking and random permutations are nested: the first k picks of
    a selection of K are the selection of k. So the sampler runs once, at the largest
    fraction, instead of once per fraction.
    """

    def __init__(self, sampler, n_max):
        self.sampler = sampler
        self.n_max = n_max
        self.order = None

    @property
    def needs_estimator(self):
        return self.order is None and getattr(self.sampler, "needs_estimator", True)

    def select(self, X, n, *, estimator=None, X_labeled=None):
        if self.order is None:
            self.order = np.asarray(self.sampler.select(X, self.n_max, estimator=estimator))
        return self.order[:n]


def _seeded(sampler, seed):
    sampler = clone(sampler)
    if "random_state" in sampler.get_params(deep=False):
        sampler.set_params(random_state=seed % (2**31))
    return sampler


def sampled_rows(unit, make_estimator, condition):
    """Result rows of one fold: each sampler's nested picks at every fraction, with the
    estimator ``make_estimator(seed)`` fitted on them (a :class:`SampledRegressor`)."""
    target, y_test = unit_targets(unit)
    F_train, F_test = unit["features"][unit["train"]], unit["features"][unit["test"]]
    fractions = unit["fractions"]
    n_max = max(1, math.ceil(max(fractions) * len(unit["train"]) * (1 - 1e-12)))
    out = []
    for name, sampler in unit["samplers"].items():
        seed = unit["seeds"][name]
        nested = _NestedSelection(_seeded(sampler, seed), n_max)
        for fraction in fractions:
            start = time.perf_counter()
            model = SampledRegressor(make_estimator(seed), nested, fraction=fraction)
            model.fit(F_train, target)
            fit_seconds = time.perf_counter() - start
            out += result_rows(
                unit,
                y_test,
                model.predict(F_test),
                study="sampling",
                condition=condition,
                sampler=name,
                fraction=float(fraction),
                n_train=len(model.selected_indices_),
                fit_seconds=fit_seconds,
            )
    return out


def _sampling_unit(unit):
    """One subject, target(s) and fold of the sampling study: returns result rows."""
    return sampled_rows(
        unit, lambda seed: head_for(unit["head"], unit["net"].get(), seed), "fine_tuned"
    )


def sampling_curve(
    pretrained,
    X,
    y,
    *,
    subjects,
    groups=None,
    target_names=None,
    cv=5,
    samplers=None,
    fractions=DEFAULT_FRACTIONS,
    head=None,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """RMSE (and CCC, PCC, SAGR) against the fraction of each training fold labelled.

    Fig. 6 of Rescigno et al. (2020): in each fold of each subject, each sampler picks
    ``ceil(fraction * n_train)`` training frames and the pre-trained dense head is
    fine-tuned on them only (a :class:`~sklearn_fer.active.SampledRegressor`); conv
    features are computed once per subject and reused by every fit, and each sampler runs
    once per fold (its picks are nested, so every fraction takes a prefix).

    Parameters
    ----------
    pretrained : AlexNetRegressor or dict of str to AlexNetRegressor
        As in :func:`evaluate_transfer`.
    X, y, subjects, groups, target_names, cv
        As in :func:`evaluate_transfer`.
    samplers : dict of str to sampler or None, default=None
        Samplers by name; None: :func:`default_samplers` (random, gsx, gsy, igs, mcdue).
        Each is cloned per fold and **its own** ``random_state`` **is replaced** by a seed
        derived from ``random_state``, the subject, the fold and the sampler's position
        (so results do not depend on ``n_jobs``): samplers differing only in their
        ``random_state`` give the same curves. To draw again, change ``random_state``.
    fractions : sequence of float in [0, 1], default=DEFAULT_FRACTIONS
        The paper's 5% to 90%. Each sampler selects once per fold, for the largest
        fraction, and every smaller fraction takes a prefix of that selection: the picks
        are nested across fractions (random's 10% are the first half of its 20%), so the
        points of one curve are not independent draws.
    head : DenseHeadRegressor or None, default=None
        Template of the fine-tuned head; None: the paper's settings. Its
        ``random_state`` is replaced by each sampler's derived seed, as above.
    batch_size, n_jobs, random_state, cache_dir, progress
        As in :func:`evaluate_transfer`. ``random_state`` is the only seed of the
        study: the samplers' and the head's own are not used.

    Returns
    -------
    results : pandas.DataFrame
        One row per subject x fold x target x sampler x fraction (``study="sampling"``,
        ``condition="fine_tuned"``).

    Examples
    --------
    >>> from sklearn_fer import AlexNetRegressor, DenseHeadRegressor
    >>> from sklearn_fer.active import GreedySampler, RandomSampler
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import sampling_curve
    >>> faces = make_faces(2, 10, random_state=0)
    >>> general = AlexNetRegressor(max_epochs=1, module__hidden_units=16, random_state=0)
    >>> general = general.fit(faces.images, faces.valence)
    >>> curve = sampling_curve(
    ...     {"valence": general}, faces.images, faces.valence, subjects=faces.subject,
    ...     target_names=["valence"], cv=2, fractions=[0.2, 0.6],
    ...     samplers={"random": RandomSampler(), "gsx": GreedySampler("x")},
    ...     head=DenseHeadRegressor(None, max_epochs=1))
    >>> sorted(curve["n_train"].unique().tolist())
    [1, 3]
    """
    fractions = [float(f) for f in fractions]
    if not fractions or any(not 0.0 <= f <= 1.0 for f in fractions):
        raise ValueError(f"fractions must be numbers in [0, 1], got {fractions!r}.")
    samplers = default_samplers(random_state=random_state) if samplers is None else samplers
    if not isinstance(samplers, dict) or not samplers:
        raise ValueError("samplers must be a non-empty dict of name -> sampler.")
    for name, sampler in samplers.items():
        if not hasattr(sampler, "select"):
            raise TypeError(f"sampler {name!r} has no select(X, n, estimator=...) method.")
    head = DenseHeadRegressor(None) if head is None else head
    protocol = SubjectProtocol(
        name="sampling",
        label="sampling curves",
        worker=_sampling_unit,
        seed_names=tuple(samplers),
        seed_offset=SEED_OFFSETS["sampling"],
        settings=dict(samplers=samplers, fractions=fractions, head=head),
        fingerprint=dict(
            samplers={name: estimator_key(s) for name, s in samplers.items()},
            fractions=fractions,
            head=estimator_key(head),
        ),
    )
    return run_protocol(
        protocol,
        pretrained,
        X,
        y,
        subjects=subjects,
        groups=groups,
        target_names=target_names,
        cv=cv,
        batch_size=batch_size,
        n_jobs=n_jobs,
        random_state=random_state,
        cache_dir=cache_dir,
        progress=progress,
    )
