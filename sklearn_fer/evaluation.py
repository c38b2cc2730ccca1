"""The paper's subject-level evaluation as reusable functions (Rescigno et al. 2020, Sec. 4).

Each subject is evaluated on their own frames by K-fold cross-validation (default: 5
shuffled folds, as in the paper) and results are averaged over subjects:

* :func:`evaluate_transfer`: the three conditions of Fig. 5. ``no_transfer``: the whole
  CNN trained from scratch on the training fold; ``transfer_0``: the pre-trained net,
  no personal data; ``transfer_100``: its dense head fine-tuned on the whole training fold
  over frozen conv features;
* :func:`sampling_curve`: Fig. 6, the head fine-tuned on a fraction of each training fold
  chosen by a sampler (random, GSx, GSy, iGS, MCDUE).

Both return tidy :class:`pandas.DataFrame` objects with one row per subject x fold x target
x condition or sampler x fraction and the columns ``RESULT_COLUMNS``;
:func:`summarize`, :func:`compare_samplers` and :func:`elbow_fractions` turn them into
the paper's tables and statistics. Work is spread over subjects and folds with joblib
(``n_jobs``; ``joblib.parallel_backend("dask")`` sends it to a dask cluster unchanged),
and with ``cache_dir`` every finished unit is saved as it completes, so an interrupted
evaluation resumes where it stopped.

Frames of one video segment share their label and look alike. With frame-level folds such
near-copies land on both sides of a split and the test error is optimistic ("leakage");
pass ``groups`` (segment ids) to keep each segment within one fold. The paper used
frame-level folds, the default here.
"""

from __future__ import annotations

import json
import math
import numbers
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from scipy import stats
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils import _safe_indexing
from torch import nn

from ._atomic import atomic_write
from ._random import derive_seed
from .active import GreedySampler, MCDropoutSampler, RandomSampler, SampledRegressor
from .featurizers import FrozenConvFeaturizer
from .metrics import ccc, pcc, rmse, sagr
from .regressors import AlexNetRegressor, DenseHeadRegressor

__all__ = [
    "CONDITIONS",
    "DEFAULT_FRACTIONS",
    "RESULT_COLUMNS",
    "compare_samplers",
    "default_samplers",
    "elbow_fraction",
    "elbow_fractions",
    "evaluate_transfer",
    "sampling_curve",
    "summarize",
]

CONDITIONS = ("no_transfer", "transfer_0", "transfer_100")
DEFAULT_FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
RESULT_COLUMNS = [
    "subject",
    "fold",
    "target",
    "study",
    "condition",
    "sampler",
    "fraction",
    "n_train",
    "rmse",
    "ccc",
    "pcc",
    "sagr",
    "fit_seconds",
]
METRICS = {"rmse": rmse, "ccc": ccc, "pcc": pcc, "sagr": sagr}
_GROUP_KEYS = ["study", "condition", "sampler", "fraction", "target"]


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


# -- inputs -----------------------------------------------------------------------------


def _check_targets(y, target_names):
    names = None
    if isinstance(y, pd.DataFrame):
        names = [str(c) for c in y.columns]
        y = y.to_numpy()
    elif isinstance(y, pd.Series):
        names = [str(y.name) if y.name is not None else "target"]
        y = y.to_numpy()
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError(f"y must have shape (n,) or (n, n_targets), got {y.shape}.")
    if not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinity.")
    if target_names is None:
        target_names = names or (
            ["valence", "arousal"]
            if y.shape[1] == 2
            else ["target"]
            if y.shape[1] == 1
            else [f"target{i}" for i in range(y.shape[1])]
        )
    target_names = [str(name) for name in target_names]
    if len(target_names) != y.shape[1] or len(set(target_names)) != len(target_names):
        raise ValueError(
            f"target_names must name each of the {y.shape[1]} column(s) of y once, got "
            f"{target_names}."
        )
    return y, target_names


def _tasks(pretrained, target_names):
    """[(task name, column indices, net)]: one per twin net, or one for a joint net."""
    if isinstance(pretrained, dict):
        unknown = sorted(set(pretrained) - set(target_names))
        missing = [name for name in target_names if name not in pretrained]
        if unknown or missing:
            raise ValueError(
                f"pretrained must map each target name to its net: missing {missing}, "
                f"unknown {unknown} (targets: {target_names})."
            )
        return [(name, [target_names.index(name)], pretrained[name]) for name in target_names]
    return [("+".join(target_names), list(range(len(target_names))), pretrained)]


def _subject_rows(subjects, n):
    subjects = np.asarray(subjects)
    if subjects.shape != (n,):
        raise ValueError(f"subjects must have one entry per sample ({n}), got {subjects.shape}.")
    order = list(dict.fromkeys(subjects.tolist()))  # first-appearance order
    return {subject: np.flatnonzero(subjects == subject) for subject in order}


def _splits(rows, groups, cv, random_state, subject_index):
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}.")
        splitter = (
            GroupKFold(n_splits=int(cv))
            if groups is not None
            else KFold(
                n_splits=int(cv),
                shuffle=True,
                random_state=derive_seed(random_state, 7, subject_index) % (2**31),
            )
        )
    elif hasattr(cv, "split"):
        splitter = cv
    else:
        raise ValueError(f"cv must be an int >= 2 or a scikit-learn splitter, got {cv!r}.")
    group_values = None if groups is None else np.asarray(groups)[rows]
    n_splits = splitter.get_n_splits(rows, groups=group_values)
    units = len(rows) if group_values is None else len(np.unique(group_values))
    if units < n_splits:
        kind = "samples" if group_values is None else "groups"
        raise ValueError(f"a subject has {units} {kind} but cv asks for {n_splits} folds.")
    return [
        (fold, rows[train], rows[test])
        for fold, (train, test) in enumerate(
            splitter.split(np.zeros(len(rows)), groups=group_values)
        )
    ]


def _fingerprint(value):
    """Content hash; torch modules and skorch nets hash by their weights."""
    if isinstance(value, nn.Module):
        return joblib.hash({k: v.detach().cpu().numpy() for k, v in value.state_dict().items()})
    module = getattr(value, "module_", None)
    if isinstance(module, nn.Module):
        return joblib.hash((type(value).__name__, _fingerprint(module)))
    return joblib.hash(value)


_PROCESS_NETS = {}  # rebuilt nets, per worker process, by fingerprint


class _SharedNet:
    """A pre-trained net that reaches worker processes once rather than with every unit.

    Its weights travel as numpy arrays, which joblib's process backend memory-maps instead
    of copying into each task; each worker rebuilds the net from them once and keeps it.
    (Without this, every unit unpickled its own copy of the net and the workers' memory
    grew until joblib restarted them, which cost more than the work.) In the calling
    process the original net is used as is.
    """

    def __init__(self, net):
        self._net = net
        self.key = _fingerprint(net)
        module = getattr(net, "module_", None)
        self._skeleton = None
        if isinstance(module, nn.Module) and hasattr(net, "initialize"):
            self._skeleton = clone(net)
            self._fitted = {k: v for k, v in vars(net).items() if k in ("n_outputs_", "y_ndim_")}
            self._state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._skeleton is not None:
            state["_net"] = None
        return state

    def get(self):
        if self._net is not None:
            return self._net
        net = _PROCESS_NETS.get(self.key)
        if net is None:
            net = clone(self._skeleton)
            for name, value in self._fitted.items():
                setattr(net, name, value)  # n_outputs_ sizes the rebuilt module
            net.initialize()
            net.module_.load_state_dict(
                {k: torch.tensor(np.array(v)) for k, v in self._state.items()}
            )
            for name, value in self._fitted.items():
                setattr(net, name, value)
            if len(_PROCESS_NETS) >= 4:
                _PROCESS_NETS.pop(next(iter(_PROCESS_NETS)))
            _PROCESS_NETS[self.key] = net
        return net


def _estimator_key(estimator):
    if estimator is None:
        return None
    params = {
        key: repr(value)
        for key, value in sorted(estimator.get_params(deep=False).items())
        if key != "pretrained"
    }
    return (type(estimator).__name__, params)


# -- the units of work ------------------------------------------------------------------


def _scores(y_true, y_pred, columns, target_names):
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_true), -1)
    rows = []
    for j, column in enumerate(columns):
        truth, prediction = y_true[:, column], y_pred[:, j]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values = {name: float(metric(truth, prediction)) for name, metric in METRICS.items()}
        rows.append({"target": target_names[column], **values})
    return rows


def _head_for(head, net, seed):
    estimator = clone(head).set_params(pretrained=net)
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    return estimator


def _features(shared_net, images, batch_size):
    featurizer = FrozenConvFeaturizer(shared_net.get(), batch_size=batch_size).fit()
    return featurizer.transform(images)


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


def _transfer_unit(unit):
    """One subject, target(s) and fold of the transfer study: returns result rows."""
    columns, train, test = unit["columns"], unit["train"], unit["test"]
    y_train, y_test = unit["y"][train][:, columns], unit["y"][test]
    target = y_train if len(columns) > 1 else y_train[:, 0]
    features = unit["features"]
    out = []
    for condition in unit["conditions"]:
        seed = unit["seeds"][condition]
        start = time.perf_counter()
        if condition == "no_transfer":
            model = clone(unit["no_transfer"])
            if "random_state" in model.get_params(deep=False):
                model.set_params(random_state=seed)
            model.fit(_safe_indexing(unit["X"], train), target)
            fit_seconds = time.perf_counter() - start
            prediction = model.predict(_safe_indexing(unit["X"], test))
            n_train, fraction = len(train), 1.0
        else:
            model = _head_for(unit["head"], unit["net"].get(), seed)
            if condition == "transfer_0":
                model.initialize()
                n_train, fraction = 0, 0.0
            else:
                model.fit(features[train], target)
                n_train, fraction = len(train), 1.0
            fit_seconds = time.perf_counter() - start
            prediction = model.predict(features[test])
        for row in _scores(y_test, prediction, columns, unit["target_names"]):
            out.append(
                {
                    "subject": unit["subject"],
                    "fold": unit["fold"],
                    "study": "transfer",
                    "condition": condition,
                    "sampler": "none",
                    "fraction": fraction,
                    "n_train": n_train,
                    "fit_seconds": fit_seconds,
                    **row,
                }
            )
    return out


def _sampling_unit(unit):
    """One subject, target(s) and fold of the sampling study: returns result rows."""
    columns, train, test = unit["columns"], unit["train"], unit["test"]
    y_train, y_test = unit["y"][train][:, columns], unit["y"][test]
    target = y_train if len(columns) > 1 else y_train[:, 0]
    F_train, F_test = unit["features"][train], unit["features"][test]
    fractions = unit["fractions"]
    n_max = max(1, math.ceil(max(fractions) * len(train) * (1 - 1e-12)))
    out = []
    for name, sampler in unit["samplers"].items():
        seed = unit["seeds"][name]
        sampler = clone(sampler)
        if "random_state" in sampler.get_params(deep=False):
            sampler.set_params(random_state=seed % (2**31))
        nested = _NestedSelection(sampler, n_max)
        for fraction in fractions:
            start = time.perf_counter()
            model = SampledRegressor(
                _head_for(unit["head"], unit["net"].get(), seed), nested, fraction=fraction
            )
            model.fit(F_train, target)
            fit_seconds = time.perf_counter() - start
            prediction = model.predict(F_test)
            for row in _scores(y_test, prediction, columns, unit["target_names"]):
                out.append(
                    {
                        "subject": unit["subject"],
                        "fold": unit["fold"],
                        "study": "sampling",
                        "condition": "fine_tuned",
                        "sampler": name,
                        "fraction": float(fraction),
                        "n_train": len(model.selected_indices_),
                        "fit_seconds": fit_seconds,
                        **row,
                    }
                )
    return out


# -- orchestration ----------------------------------------------------------------------


class _UnitStore:
    """Finished units as small CSV files, written atomically, under one configuration."""

    def __init__(self, folder, study, fingerprint):
        self.folder = Path(folder) / study
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self.folder / "manifest.json"
        if manifest.exists():
            recorded = json.loads(manifest.read_text()).get("fingerprint")
            if recorded != fingerprint:
                raise ValueError(
                    f"cache_dir {str(self.folder)!r} holds results of another configuration; "
                    "use a new folder (nothing was overwritten)."
                )
        else:
            atomic_write(manifest, json.dumps({"fingerprint": fingerprint}))

    def path(self, key):
        return self.folder / f"{key}.csv"

    def load(self, key):
        path = self.path(key)
        return pd.read_csv(path).to_dict("records") if path.exists() else None

    def save(self, key, rows):
        atomic_write(self.path(key), pd.DataFrame(rows).to_csv(index=False))


def _run_units(units, worker, n_jobs, store, progress, desc):
    """Run (key, unit) pairs in parallel; save each unit's rows as soon as it finishes."""
    rows, pending = [], []
    for key, unit in units:
        cached = store.load(key) if store is not None else None
        if cached is not None:
            rows.extend(cached)
        else:
            pending.append((key, unit))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(units), initial=len(units) - len(pending), desc=desc, unit="fold")
    try:
        results = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            joblib.delayed(_keyed)(worker, key, unit) for key, unit in pending
        )
        for key, unit_rows in results:
            if store is not None:
                store.save(key, unit_rows)
            rows.extend(unit_rows)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return rows


def _keyed(worker, key, unit):
    return key, worker(unit)


def _open_store(
    cache_dir, kind, X, y, subjects, groups, tasks, cv, random_state, target_names, **settings
):
    """The unit cache of one study, keyed by everything its results depend on (or None)."""
    if cache_dir is None:
        return None
    fingerprint = joblib.hash(
        {
            "data": (
                _fingerprint(X),
                joblib.hash(y),
                joblib.hash(np.asarray(subjects)),
                None if groups is None else joblib.hash(np.asarray(groups)),
            ),
            "pretrained": [(name, _fingerprint(net)) for name, _, net in tasks],
            "cv": repr(cv),
            **settings,
            "random_state": random_state,
            "targets": target_names,
        }
    )
    return _UnitStore(cache_dir, kind, fingerprint)


def _fold_units(
    plan,
    tasks,
    shared,
    features,
    y,
    random_state,
    seed_names,
    seed_offset,
    subject_images=None,
    **settings,
):
    """One (key, unit) per subject x target x fold, with seeds derived from its position.

    Each name in ``seed_names`` (a condition or a sampler) gets its own seed, from
    ``random_state``, the unit's position and ``seed_offset + index``, so that results do
    not depend on which worker runs a unit, or when.
    """
    units = []
    for s_index, subject, rows, fold, train, test in plan:
        images = None if subject_images is None else subject_images(rows)
        for t_index, (task, columns, _) in enumerate(tasks):
            seeds = {
                name: derive_seed(random_state, s_index, t_index, fold, seed_offset + code)
                for code, name in enumerate(seed_names)
            }
            unit = dict(
                subject=subject,
                fold=fold,
                columns=columns,
                net=shared[t_index],
                seeds=seeds,
                y=y[rows],
                features=features[(subject, tuple(columns))],
                train=np.searchsorted(rows, train),
                test=np.searchsorted(rows, test),
                **settings,
            )
            if subject_images is not None:
                unit["X"] = images
            units.append((f"s{s_index}-{task}-fold{fold}", unit))
    return units


def _prepare(pretrained, X, y, subjects, groups, target_names, cv, random_state):
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        raise ValueError(
            f"random_state must be an int (every fold derives its seeds from it), got "
            f"{random_state!r}."
        )
    n = len(X)
    if n == 0:
        raise ValueError("X is empty: at least one image is required.")
    y, target_names = _check_targets(y, target_names)
    if len(y) != n:
        raise ValueError(f"X and y have inconsistent lengths: {n} images but {len(y)} targets.")
    if groups is not None and np.asarray(groups).shape != (n,):
        raise ValueError(f"groups must have one entry per sample ({n}).")
    tasks = _tasks(pretrained, target_names)
    by_subject = _subject_rows(subjects, n)
    plan = []
    for s_index, (subject, rows) in enumerate(by_subject.items()):
        for fold, train, test in _splits(rows, groups, cv, random_state, s_index):
            plan.append((s_index, subject, rows, fold, train, test))
    return y, target_names, tasks, by_subject, plan


def _compute_features(shared, tasks, X, by_subject, batch_size, n_jobs):
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


def _to_frame(rows, subjects_order):
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    if frame.empty:
        return frame
    rank = {subject: i for i, subject in enumerate(subjects_order)}
    frame["_rank"] = frame["subject"].map(lambda s: rank.get(s, rank.get(str(s), 0)))
    frame = frame.sort_values(
        ["_rank", "fold", "target", "condition", "sampler", "fraction"], kind="stable"
    )
    return frame.drop(columns="_rank").reset_index(drop=True)


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
        paper's settings.
    no_transfer : estimator or None, default=None
        Template of the from-scratch model; None: ``AlexNetRegressor()`` (paper's settings).
    batch_size : int, default=64
        Images per batch when computing conv features.
    n_jobs : int or None, default=None
        Parallel jobs over subjects and folds (joblib; the active backend, dask included).
    random_state : int, default=0
        Every fold's seeds derive from it; results do not depend on ``n_jobs``.
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
    y, target_names, tasks, by_subject, plan = _prepare(
        pretrained, X, y, subjects, groups, target_names, cv, random_state
    )
    store = _open_store(
        cache_dir,
        "transfer",
        X,
        y,
        subjects,
        groups,
        tasks,
        cv,
        random_state,
        target_names,
        conditions=conditions,
        head=_estimator_key(head),
        no_transfer=_estimator_key(no_transfer),
    )
    shared = [_SharedNet(net) for _, _, net in tasks]
    needs_features = any(c != "no_transfer" for c in conditions)
    features = (
        _compute_features(shared, tasks, X, by_subject, batch_size, n_jobs)
        if needs_features
        else {(s, tuple(cols)): None for s in by_subject for _, cols, _ in tasks}
    )
    units = _fold_units(
        plan,
        tasks,
        shared,
        features,
        y,
        random_state,
        CONDITIONS,
        0,
        subject_images=(lambda rows: _safe_indexing(X, rows))
        if "no_transfer" in conditions
        else None,
        conditions=conditions,
        head=head,
        no_transfer=no_transfer,
        target_names=target_names,
    )
    rows = _run_units(units, _transfer_unit, n_jobs, store, progress, "transfer conditions")
    return _to_frame(rows, list(by_subject))


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
        Samplers by name; None: :func:`default_samplers` (random, gsx, gsy, igs, mcdue),
        seeded from ``random_state``.
    fractions : sequence of float in [0, 1], default=DEFAULT_FRACTIONS
        The paper's 5% to 90%.
    head : DenseHeadRegressor or None, default=None
        Template of the fine-tuned head; None: the paper's settings.
    batch_size, n_jobs, random_state, cache_dir, progress
        As in :func:`evaluate_transfer`.

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
    y, target_names, tasks, by_subject, plan = _prepare(
        pretrained, X, y, subjects, groups, target_names, cv, random_state
    )
    store = _open_store(
        cache_dir,
        "sampling",
        X,
        y,
        subjects,
        groups,
        tasks,
        cv,
        random_state,
        target_names,
        samplers={name: _estimator_key(s) for name, s in samplers.items()},
        fractions=fractions,
        head=_estimator_key(head),
    )
    shared = [_SharedNet(net) for _, _, net in tasks]
    features = _compute_features(shared, tasks, X, by_subject, batch_size, n_jobs)
    units = _fold_units(
        plan,
        tasks,
        shared,
        features,
        y,
        random_state,
        list(samplers),
        100,
        samplers=samplers,
        fractions=fractions,
        head=head,
        target_names=target_names,
    )
    rows = _run_units(units, _sampling_unit, n_jobs, store, progress, "sampling curves")
    return _to_frame(rows, list(by_subject))


# -- summaries --------------------------------------------------------------------------


def _subject_means(results, metric):
    keys = [k for k in _GROUP_KEYS if k in results.columns]
    return results.groupby(keys + ["subject"], dropna=False)[metric].mean().reset_index()


def summarize(results, metrics=("rmse", "ccc", "pcc", "sagr")):
    """Mean and standard deviation across subjects, of each subject's mean over folds.

    The paper's way of averaging (results "averaged on the 10 selected subjects").

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`evaluate_transfer` and/or :func:`sampling_curve`.
    metrics : sequence of str, default=("rmse", "ccc", "pcc", "sagr")

    Returns
    -------
    pandas.DataFrame
        One row per study x condition x sampler x fraction x target, with
        ``<metric>_mean``, ``<metric>_std`` (ddof=1; NaN for one subject) and
        ``n_subjects``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "transfer", "condition": "transfer_0",
    ...                      "sampler": "none", "fraction": 0.0, "target": "valence",
    ...                      "subject": [1, 1, 2, 2], "rmse": [0.1, 0.3, 0.4, 0.4]})
    >>> table = summarize(rows, metrics=["rmse"])
    >>> table[["rmse_mean", "n_subjects"]].round(3).values.tolist()
    [[0.3, 2.0]]
    """
    keys = [k for k in _GROUP_KEYS if k in results.columns]
    pieces = []
    for metric in metrics:
        per_subject = _subject_means(results, metric)
        grouped = per_subject.groupby(keys, dropna=False)[metric]
        pieces.append(
            grouped.agg(["mean", "std", "count"]).rename(
                columns={"mean": f"{metric}_mean", "std": f"{metric}_std", "count": f"{metric}_n"}
            )
        )
    table = pd.concat(pieces, axis=1)
    counts = [c for c in table.columns if c.endswith("_n")]
    table["n_subjects"] = table[counts].max(axis=1).astype(float)
    return table.drop(columns=counts).reset_index()


def compare_samplers(results, *, baseline="random", metric="rmse"):
    """Paired Wilcoxon signed-rank test of each sampler against the baseline.

    The paper reports "no significant differences" between samplers without a test. Here,
    for each target and fraction, each sampler's per-subject mean (over folds) is paired
    with the baseline's for the same subject and tested two-sided.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`sampling_curve`.
    baseline : str, default="random"
    metric : str, default="rmse"

    Returns
    -------
    pandas.DataFrame
        Columns ``target, fraction, sampler, n_subjects, median_difference`` (sampler minus
        baseline), ``statistic``, ``p_value`` (NaN when fewer than 2 subjects or every
        difference is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "target": "valence", "fraction": 0.1,
    ...                      "sampler": ["random"] * 6 + ["gsx"] * 6,
    ...                      "subject": list(range(6)) * 2,
    ...                      "rmse": [0.30, 0.31, 0.29, 0.33, 0.30, 0.32,
    ...                               0.25, 0.27, 0.26, 0.28, 0.24, 0.29]})
    >>> table = compare_samplers(rows)
    >>> table[["sampler", "n_subjects", "p_value"]].round(3).values.tolist()
    [['gsx', 6, 0.031]]
    """
    sampling = results[results["study"] == "sampling"]
    per_subject = _subject_means(sampling, metric)
    out = []
    for (target, fraction), block in per_subject.groupby(["target", "fraction"]):
        table = block.pivot_table(index="subject", columns="sampler", values=metric)
        if baseline not in table.columns:
            continue
        for sampler in table.columns:
            if sampler == baseline:
                continue
            pair = table[[sampler, baseline]].dropna()
            diff = (pair[sampler] - pair[baseline]).to_numpy()
            statistic = p_value = np.nan
            if len(diff) >= 2 and np.any(diff != 0):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    test = stats.wilcoxon(pair[sampler], pair[baseline])
                statistic, p_value = float(test.statistic), float(test.pvalue)
            out.append(
                {
                    "target": target,
                    "fraction": fraction,
                    "sampler": sampler,
                    "n_subjects": len(diff),
                    "median_difference": float(np.median(diff)) if len(diff) else np.nan,
                    "statistic": statistic,
                    "p_value": p_value,
                }
            )
    return pd.DataFrame(
        out,
        columns=[
            "target",
            "fraction",
            "sampler",
            "n_subjects",
            "median_difference",
            "statistic",
            "p_value",
        ],
    )


def elbow_fraction(fractions, values):
    """The elbow of a learning curve: where it stops falling fast.

    Definition (the "kneedle" construction of Satopaa et al. 2011): rescale fractions and
    values to [0, 1], draw the chord from the first point to the last, and return the
    fraction whose point lies farthest from it on the side of the bend. A curve with no
    bend (a straight line, or fewer than three points) has no elbow: NaN.

    Parameters
    ----------
    fractions : array-like of float
    values : array-like of float
        The curve (mean RMSE across subjects, for instance).

    Returns
    -------
    float

    References
    ----------
    Satopaa, Albrecht, Irwin & Raghavan (2011). Finding a "kneedle" in a haystack:
    detecting knee points in system behavior. ICDCS workshops.

    Examples
    --------
    >>> elbow_fraction([0.05, 0.1, 0.2, 0.3, 0.5, 0.9], [0.40, 0.25, 0.15, 0.13, 0.12, 0.11])
    0.2
    """
    x = np.asarray(fractions, dtype=float)
    v = np.asarray(values, dtype=float)
    order = np.argsort(x)
    x, v = x[order], v[order]
    if len(x) < 3 or not np.all(np.isfinite(v)) or np.ptp(x) == 0 or np.ptp(v) == 0:
        return float("nan")
    xs = (x - x[0]) / (x[-1] - x[0])
    vs = (v - v.min()) / np.ptp(v)
    chord = vs[0] + (vs[-1] - vs[0]) * xs
    # A falling curve bends below its chord: distance counted downwards from it.
    gap = (chord - vs) if vs[-1] <= vs[0] else (vs - chord)
    best = int(np.argmax(gap))
    if gap[best] <= 1e-12:
        return float("nan")
    return float(x[best])


def elbow_fractions(results, metric="rmse"):
    """Elbow fraction (see :func:`elbow_fraction`) of each sampler's mean curve per target.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows from :func:`sampling_curve`.
    metric : str, default="rmse"

    Returns
    -------
    pandas.DataFrame
        Columns ``target, sampler, elbow_fraction``.

    Examples
    --------
    >>> import pandas as pd
    >>> fractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.9]
    >>> rows = pd.DataFrame({"study": "sampling", "condition": "fine_tuned",
    ...                      "target": "arousal", "sampler": "random", "subject": 1,
    ...                      "fraction": fractions,
    ...                      "rmse": [0.40, 0.25, 0.15, 0.13, 0.12, 0.11]})
    >>> elbow_fractions(rows).values.tolist()
    [['arousal', 'random', 0.2]]
    """
    table = summarize(results[results["study"] == "sampling"], metrics=[metric])
    rows = []
    for (target, sampler), block in table.groupby(["target", "sampler"]):
        rows.append(
            {
                "target": target,
                "sampler": sampler,
                "elbow_fraction": elbow_fraction(block["fraction"], block[f"{metric}_mean"]),
            }
        )
    return pd.DataFrame(rows, columns=["target", "sampler", "elbow_fraction"])
