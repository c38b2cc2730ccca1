"""The extension point of the evaluation layer: a per-subject protocol.

A protocol says what one unit of work is (a worker function over one subject, target
and fold), which seeds each unit needs, what its results depend on, and whether it needs
the subject's images or the frozen conv features. :func:`run_protocol` does the rest,
the same way for every protocol: checks the inputs, lays out the folds
(:mod:`._inputs`), computes conv features once per subject and task, derives every
unit's seeds from its position (so results do not depend on ``n_jobs``), and runs the
units through the one resumable runner (:func:`._runner.run_units`).

:func:`~sklearn_fer.evaluation.evaluate_transfer` and
:func:`~sklearn_fer.evaluation.sampling_curve` are two such protocols; a new one
(another study's conditions) is a worker function and a :class:`SubjectProtocol`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing

from .._random import derive_seed
from .._threads import one_thread
from ..featurizers import FrozenConvFeaturizer
from ._inputs import plan_folds
from ._results import ROW_ORDER, to_frame
from ._runner import run_units
from ._shared_net import SharedNet
from ._store import open_store


@dataclasses.dataclass(frozen=True)
class SubjectProtocol:
    """What a per-subject cross-validation protocol declares.

    Parameters
    ----------
    name : str
        Names the protocol's cache subfolder (``cache_dir/<name>``).
    label : str
        The progress bar's label.
    worker : callable
        ``worker(unit) -> list of dict`` (rows of ``RESULT_COLUMNS``); module-level, so
        that joblib's worker processes can import it. A unit is a dict with ``subject``,
        ``fold``, ``columns`` (the task's target columns), ``net`` (a
        :class:`SharedNet`: ``unit["net"].get()`` is the pre-trained net), ``seeds`` (one
        per name of ``seed_names``), ``y`` (the subject's targets), ``train`` and
        ``test`` (positions in the subject's rows), ``features`` (the subject's conv
        features, or None), ``X`` (the subject's images, when ``needs_images``),
        ``target_names``, and every entry of ``settings``.
    seed_names : tuple of str, default=()
        One independent seed per name and unit (conditions, samplers).
    seed_offset : int, default=0
        Separates the seed streams of different protocols: one of the values of the
        table ``SEED_OFFSETS`` (``evaluation/_seeds.py``).
    settings : dict, default={}
        Passed to every unit.
    fingerprint : dict, default={}
        What the settings contribute to the cache key: equal fingerprints must mean
        equal results (estimators enter by class and parameters).
    needs_features : bool, default=True
        Compute each subject's frozen conv features once (``unit["features"]``).
    needs_images : bool, default=False
        Give each unit the subject's images (``unit["X"]``).
    columns : tuple of str or None, default=None
        The columns of the results (None: ``RESULT_COLUMNS``), for a protocol whose rows
        carry other settings (a perturbation, its strength).
    order : tuple of str, default=ROW_ORDER
        The columns that order rows within a subject (those of ``columns``).

    See Also
    --------
    run_protocol : runs one.

    Examples
    --------
    >>> from sklearn_fer.evaluation import SubjectProtocol
    >>> def worker(unit):
    ...     return []
    >>> SubjectProtocol(name="nothing", label="no work", worker=worker).seed_names
    ()
    """

    name: str
    label: str
    worker: Callable
    seed_names: tuple = ()
    seed_offset: int = 0
    settings: dict = dataclasses.field(default_factory=dict)
    fingerprint: dict = dataclasses.field(default_factory=dict)
    needs_features: bool = True
    needs_images: bool = False
    columns: tuple = None
    order: tuple = ROW_ORDER


def head_for(head, net, seed):
    """A clone of the head template on ``net``, seeded with ``seed``."""
    estimator = clone(head).set_params(pretrained=net)
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    return estimator


def unit_targets(unit):
    """(training targets as the estimator takes them, test targets of every column)."""
    columns, train, test = unit["columns"], unit["train"], unit["test"]
    y_train = unit["y"][train][:, columns]
    return (y_train if len(columns) > 1 else y_train[:, 0]), unit["y"][test]


def _features(shared_net, images, batch_size):
    featurizer = FrozenConvFeaturizer(shared_net.get(), batch_size=batch_size).fit()
    with one_thread():  # the same features whatever n_jobs is (sklearn_fer._threads)
        return featurizer.transform(images)


def compute_features(shared, tasks, X, by_subject, batch_size, n_jobs):
    """{(subject, task columns): conv features of the subject's images}."""
    jobs = [
        (subject, tuple(columns), t_index, rows)
        for subject, rows in by_subject.items()
        for t_index, (_, columns, _) in enumerate(tasks)
    ]
    computed = joblib.Parallel(n_jobs=n_jobs)(
        joblib.delayed(_features)(shared[t_index], _safe_indexing(X, rows), batch_size)
        for _, _, t_index, rows in jobs
    )
    return {(subject, columns): F for (subject, columns, _, _), F in zip(jobs, computed)}


def fold_units(protocol, plan, shared, features, X):
    """One ``(key, unit)`` per subject x task x fold, with seeds derived from its position.

    Each name in ``protocol.seed_names`` gets its own seed, from the run's
    ``random_state``, the unit's position and ``seed_offset + index``, so that results
    do not depend on which worker runs a unit, or when.
    """
    units = []
    for s_index, subject, rows, fold, train, test in plan.folds:
        images = _safe_indexing(X, rows) if protocol.needs_images else None
        for t_index, (task, columns, _) in enumerate(plan.tasks):
            seeds = {
                name: derive_seed(
                    plan.random_state, s_index, t_index, fold, protocol.seed_offset + code
                )
                for code, name in enumerate(protocol.seed_names)
            }
            unit = dict(
                subject=subject,
                fold=fold,
                columns=columns,
                net=shared[t_index],
                seeds=seeds,
                y=plan.y[rows],
                features=features[(subject, tuple(columns))],
                train=np.searchsorted(rows, train),
                test=np.searchsorted(rows, test),
                **protocol.settings,
                target_names=plan.target_names,
            )
            if images is not None:
                unit["X"] = images
            units.append((f"s{s_index}-{task}-fold{fold}", unit))
    return units


def run_protocol(
    protocol,
    pretrained,
    X,
    y,
    *,
    subjects,
    groups=None,
    target_names=None,
    cv=5,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """Run a :class:`SubjectProtocol` on every subject's folds; return its tidy results.

    Parameters
    ----------
    protocol : SubjectProtocol
        What one unit of work is.
    pretrained : estimator or dict of str to estimator
        The general model: one net per target (a dict keyed by target name) or one net
        for all targets; each unit gets its task's net.
    X : array of shape (n, height, width, 3), or LazyImages
        All subjects' face images.
    y : array-like of shape (n,) or (n, n_targets), or DataFrame
        Targets.
    subjects : array-like of shape (n,)
        Subject of each image; each subject is cross-validated on their own rows.
    groups : array-like of shape (n,) or None, default=None
        Keep each group (a video segment) within one fold (GroupKFold).
    target_names : list of str or None, default=None
        Names of y's columns (default: DataFrame columns, or valence/arousal for two).
    cv : int or splitter, default=5
        Folds per subject (shuffled KFold seeded from ``random_state``).
    batch_size : int, default=64
        Images per batch when computing conv features.
    n_jobs : int or None, default=None
        Parallel jobs over units (joblib; results do not depend on it).
    random_state : int, default=0
        Every unit's seeds derive from it and from the unit's position.
    cache_dir : path-like or None, default=None
        Save each finished unit in ``cache_dir/<protocol.name>`` and reuse it next time.
    progress : bool, default=False
        Show a progress bar with an ETA.

    Returns
    -------
    pandas.DataFrame
        The workers' rows, columns ``protocol.columns`` (default ``RESULT_COLUMNS``),
        in subject order, then ``protocol.order`` (fold, target, condition, sampler,
        fraction).

    See Also
    --------
    evaluate_transfer, sampling_curve : the paper's two protocols.
    result_rows : the rows a worker returns.

    Examples
    --------
    A protocol whose one condition predicts the mean of the training fold:

    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import SubjectProtocol, result_rows, run_protocol
    >>> def training_mean(unit):
    ...     y_train = unit["y"][unit["train"]][:, unit["columns"]]
    ...     y_test = unit["y"][unit["test"]]
    ...     prediction = np.repeat(y_train.mean(axis=0, keepdims=True), len(y_test), 0)
    ...     return result_rows(unit, y_test, prediction, study="baseline",
    ...                        condition="training_mean", sampler="none", fraction=1.0,
    ...                        n_train=len(y_train), fit_seconds=0.0)
    >>> protocol = SubjectProtocol(name="baseline", label="training mean",
    ...                            worker=training_mean, needs_features=False)
    >>> faces = make_faces(2, 10, random_state=0)
    >>> general = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> results = run_protocol(protocol, general, faces.images, faces.valence,
    ...                        subjects=faces.subject, cv=2)
    >>> results.groupby("subject")["n_train"].sum().tolist()
    [10, 10]
    """
    plan = plan_folds(pretrained, X, y, subjects, groups, target_names, cv, random_state)
    store = open_store(
        cache_dir, protocol.name, plan, X, subjects, groups, cv, random_state, protocol.fingerprint
    )
    shared = [SharedNet(net) for _, _, net in plan.tasks]
    if protocol.needs_features:
        features = compute_features(shared, plan.tasks, X, plan.by_subject, batch_size, n_jobs)
    else:
        features = {(s, tuple(cols)): None for s in plan.by_subject for _, cols, _ in plan.tasks}
    units = fold_units(protocol, plan, shared, features, X)
    rows = run_units(units, protocol.worker, n_jobs, store, progress, protocol.label)
    return to_frame(rows, list(plan.by_subject), protocol.columns, protocol.order)
