"""The inputs of a subject-level protocol, checked, and its plan of folds.

Rescigno et al. (2020, Section 4) evaluate each subject on their own frames by K-fold
cross-validation. :func:`plan_folds` turns the user's arrays into that plan: targets as
a float32 matrix with a name per column, one *task* per pre-trained net (twin nets, one
per target, or one joint net), each subject's rows, and each subject's folds.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold

from .._random import derive_seed
from ._seeds import FOLD_STREAMS


class FoldPlan(NamedTuple):
    """Checked inputs and the folds of every subject.

    ``tasks`` is a list of ``(name, target columns, pre-trained net)``; ``folds`` a list of
    ``(subject index, subject, subject's rows, fold, train rows, test rows)`` in the order
    subjects first appear; ``random_state`` seeds every unit.
    """

    y: np.ndarray
    target_names: list
    tasks: list
    by_subject: dict
    folds: list
    random_state: int


def check_targets(y, target_names):
    """``y`` as a finite float32 matrix, and a unique name for each of its columns."""
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
        target_names = names or _default_target_names(y.shape[1])
    target_names = [str(name) for name in target_names]
    if len(target_names) != y.shape[1] or len(set(target_names)) != len(target_names):
        raise ValueError(
            f"target_names must name each of the {y.shape[1]} column(s) of y once, got "
            f"{target_names}."
        )
    return y, target_names


def _default_target_names(n_columns):
    if n_columns == 2:
        return ["valence", "arousal"]
    if n_columns == 1:
        return ["target"]
    return [f"target{i}" for i in range(n_columns)]


def tasks_of(pretrained, target_names):
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


def subject_rows(subjects, n):
    """Each subject's row indices, subjects in the order they first appear."""
    subjects = np.asarray(subjects)
    if subjects.shape != (n,):
        raise ValueError(f"subjects must have one entry per sample ({n}), got {subjects.shape}.")
    order = list(dict.fromkeys(subjects.tolist()))
    return {subject: np.flatnonzero(subjects == subject) for subject in order}


def _splitter(cv, groups, random_state, subject_index):
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got {cv}.")
        if groups is not None:
            return GroupKFold(n_splits=int(cv))
        seed = derive_seed(random_state, FOLD_STREAMS["subject_folds"], subject_index) % (2**31)
        return KFold(n_splits=int(cv), shuffle=True, random_state=seed)
    if hasattr(cv, "split"):
        return cv
    raise ValueError(f"cv must be an int >= 2 or a scikit-learn splitter, got {cv!r}.")


def subject_folds(rows, groups, cv, random_state, subject_index):
    """[(fold, train rows, test rows)] of one subject, rows indexing the whole data set."""
    splitter = _splitter(cv, groups, random_state, subject_index)
    group_values = None if groups is None else np.asarray(groups)[rows]
    n_splits = splitter.get_n_splits(rows, groups=group_values)
    units = len(rows) if group_values is None else len(np.unique(group_values))
    if units < n_splits:
        kind = "samples" if group_values is None else "groups"
        raise ValueError(f"a subject has {units} {kind} but cv asks for {n_splits} folds.")
    splits = splitter.split(np.zeros(len(rows)), groups=group_values)
    return [(fold, rows[train], rows[test]) for fold, (train, test) in enumerate(splits)]


def plan_folds(pretrained, X, y, subjects, groups, target_names, cv, random_state):
    """Check a protocol's inputs and lay out every subject's folds.

    Returns
    -------
    FoldPlan
    """
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        raise ValueError(
            f"random_state must be an int (every fold derives its seeds from it), got "
            f"{random_state!r}."
        )
    n = len(X)
    if n == 0:
        raise ValueError("X is empty: at least one image is required.")
    y, target_names = check_targets(y, target_names)
    if len(y) != n:
        raise ValueError(f"X and y have inconsistent lengths: {n} images but {len(y)} targets.")
    if groups is not None and np.asarray(groups).shape != (n,):
        raise ValueError(f"groups must have one entry per sample ({n}).")
    tasks = tasks_of(pretrained, target_names)
    by_subject = subject_rows(subjects, n)
    folds = [
        (s_index, subject, rows, fold, train, test)
        for s_index, (subject, rows) in enumerate(by_subject.items())
        for fold, train, test in subject_folds(rows, groups, cv, random_state, s_index)
    ]
    return FoldPlan(y, target_names, tasks, by_subject, folds, int(random_state))
