"""The transfer conditions of Rescigno et al. (2020, Section 4, Fig. 5), per subject.

*No Transfer* (the whole CNN trained from scratch on the subject's training fold),
*Transfer 0%* (the pre-trained net, no personal data) and *Transfer 100%* (its dense
head fine-tuned on the whole training fold over frozen conv features).
"""

from __future__ import annotations

import time

from sklearn.base import clone
from sklearn.utils import _safe_indexing

from ..regressors import AlexNetRegressor, DenseHeadRegressor
from ._results import result_rows
from ._seeds import SEED_OFFSETS
from ._store import estimator_key
from ._subject_protocol import SubjectProtocol, head_for, run_protocol, unit_targets

CONDITIONS = ("no_transfer", "transfer_0", "transfer_100")


def _no_transfer_fit(unit, target, seed):
    model = clone(unit["no_transfer"])
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    start = time.perf_counter()
    model.fit(_safe_indexing(unit["X"], unit["train"]), target)
    fit_seconds = time.perf_counter() - start
    prediction = model.predict(_safe_indexing(unit["X"], unit["test"]))
    return prediction, len(unit["train"]), 1.0, fit_seconds


def _transferred_fit(unit, condition, target, seed):
    features = unit["features"]
    start = time.perf_counter()
    model = head_for(unit["head"], unit["net"].get(), seed)
    if condition == "transfer_0":
        model.initialize()
        n_train, fraction = 0, 0.0
    else:
        model.fit(features[unit["train"]], target)
        n_train, fraction = len(unit["train"]), 1.0
    fit_seconds = time.perf_counter() - start
    return model.predict(features[unit["test"]]), n_train, fraction, fit_seconds


def _transfer_unit(unit):
    """One subject, target(s) and fold of the transfer study: returns result rows."""
    target, y_test = unit_targets(unit)
    out = []
    for condition in unit["conditions"]:
        seed = unit["seeds"][condition]
        if condition == "no_transfer":
            prediction, n_train, fraction, seconds = _no_transfer_fit(unit, target, seed)
        else:
            prediction, n_train, fraction, seconds = _transferred_fit(unit, condition, target, seed)
        out += result_rows(
            unit,
            y_test,
            prediction,
            study="transfer",
            condition=condition,
            sampler="none",
            fraction=fraction,
            n_train=n_train,
            fit_seconds=seconds,
        )
    return out


def evaluate_transfer(
    pretrained,
    X,
    y,
    *,
    subjects,
    groups=None,
    target_names=None,
    cv=5,
    conditions=CONDITIONS,
    head=None,
    no_transfer=None,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """Evaluate *No Transfer*, *Transfer 0%* and *Transfer 100%* per subject and fold.

    The protocol of Rescigno et al. (2020, Section 4, Fig. 5). For each subject, K-fold
    cross-validation on that subject's frames; in each fold:

    * ``no_transfer``: a clone of ``no_transfer`` (an untrained AlexNet) fitted on the
      training fold's images;
    * ``transfer_0``: the pre-trained net's predictions (its dense head right after
      ``initialize()``, on the frozen conv features);
    * ``transfer_100``: the dense head fine-tuned on the whole training fold.

    Parameters
    ----------
    pretrained : AlexNetRegressor or dict of str to AlexNetRegressor
        The general model: one net per target (the paper's twin nets), as a dict keyed by
        target name, or one net with a unit per target.
    X : array of shape (n, height, width, 3), or LazyImages
        All subjects' face images.
    y : array-like of shape (n,) or (n, n_targets), or DataFrame
        Targets (valence, arousal).
    subjects : array-like of shape (n,)
        Subject of each image.
    groups : array-like of shape (n,) or None, default=None
        Video segment of each image: folds then keep segments whole (no leakage between
        near-identical frames of one segment); None gives the paper's frame-level folds.
    target_names : list of str or None, default=None
        Names of the columns of ``y`` (default: the DataFrame's columns, or "valence" and
        "arousal" for two columns).
    cv : int or splitter, default=5
        Folds per subject: shuffled ``KFold`` (``GroupKFold`` with ``groups``).
    conditions : sequence of str, default=CONDITIONS
        Which of ``"no_transfer"``, ``"transfer_0"``, ``"transfer_100"`` to run.
    head : DenseHeadRegressor or None, default=None
        Template of the fine-tuned head (its ``pretrained`` is set per target); None: the
        paper's settings. Its ``random_state`` is replaced by a seed derived from
        ``random_state`` and the fold (see below).
    no_transfer : estimator or None, default=None
        Template of the from-scratch model; None: ``AlexNetRegressor()`` (paper's settings).
        Its ``random_state``, when it has one, is replaced likewise.
    batch_size : int, default=64
        Images per batch when computing conv features.
    n_jobs : int or None, default=None
        Parallel jobs over subjects and folds (joblib; the active backend, dask included).
    random_state : int, default=0
        Every fold's seeds derive from it (and from the subject, target and fold); results
        do not depend on ``n_jobs``. It is the only seed used: the ``random_state`` of
        ``head`` and ``no_transfer`` is overwritten, so a sweep over theirs changes
        nothing; sweep this one.
    cache_dir : path-like or None, default=None
        Save each finished (subject, target, fold) here and reuse it on the next call with
        the same configuration; a folder holding another configuration raises ValueError.
    progress : bool, default=False
        Show a progress bar with an ETA.

    Returns
    -------
    results : pandas.DataFrame
        One row per subject x fold x target x condition, columns ``RESULT_COLUMNS``
        (``study="transfer"``, ``sampler="none"``, ``fraction`` 0 for transfer_0 else 1).

    See Also
    --------
    sampling_curve : fine-tuning on fractions of the training fold.
    summarize : mean and standard deviation across subjects.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor, DenseHeadRegressor
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import evaluate_transfer
    >>> faces = make_faces(2, 10, random_state=0)
    >>> tiny = dict(max_epochs=1, module__hidden_units=16, random_state=0)
    >>> general = AlexNetRegressor(**tiny).fit(faces.images, faces.valence)
    >>> results = evaluate_transfer(
    ...     {"valence": general}, faces.images, faces.valence, subjects=faces.subject,
    ...     target_names=["valence"], cv=2, head=DenseHeadRegressor(None, max_epochs=1),
    ...     no_transfer=AlexNetRegressor(**tiny))
    >>> results.groupby("condition").size().to_dict()
    {'no_transfer': 4, 'transfer_0': 4, 'transfer_100': 4}
    """
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown or not conditions:
        raise ValueError(
            f"conditions must be a non-empty subset of {CONDITIONS}, got {conditions!r}."
        )
    conditions = [c for c in CONDITIONS if c in conditions]
    head = DenseHeadRegressor(None) if head is None else head
    no_transfer = AlexNetRegressor() if no_transfer is None else no_transfer
    protocol = SubjectProtocol(
        name="transfer",
        label="transfer conditions",
        worker=_transfer_unit,
        seed_names=CONDITIONS,
        seed_offset=SEED_OFFSETS["transfer"],
        settings=dict(conditions=conditions, head=head, no_transfer=no_transfer),
        fingerprint=dict(
            conditions=conditions,
            head=estimator_key(head),
            no_transfer=estimator_key(no_transfer),
        ),
        needs_features=any(c != "no_transfer" for c in conditions),
        needs_images="no_transfer" in conditions,
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
