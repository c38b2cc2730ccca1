"""The inputs of the k-fold protocol of Nasri et al. (2020), checked, and its folds.

Two labelled image sets, a large one "in the wild" (AffectNet in the paper) and a small
"in-house" one (Empathic), are each split into the same number K of stratified folds;
fold k of the protocol trains on the other folds of one set or of both, and tests on
fold k of each set. :func:`plan_kfold` checks the inputs, fixes the classes, lays out the
folds (``StratifiedKFold``, or ``StratifiedGroupKFold`` where a set has groups, so that
each person's frames stay within one fold) and checks every training fold before any
network is trained: at least two classes, and, unless the classes were given, every
label a test fold holds among those its training fold holds.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from .._random import derive_seed
from .._validation import check_images, check_labels, is_dataset
from ..classifiers._classifier import check_class_list
from ._seeds import FOLD_STREAMS

#: The sets a model can be trained on: the wild set, the in-house ("lab") set, or both.
TRAINING_SETS = ("wild", "lab", "both")
#: The sets every model is tested on: the held-out fold of each.
TEST_SETS = ("wild", "lab")
#: Which image sets make up each training set.
SETS_OF = {"wild": ("wild",), "lab": ("lab",), "both": ("wild", "lab")}


class KFoldPlan(NamedTuple):
    """Checked inputs and the folds of both sets.

    ``X``, ``y`` and ``groups`` map a set name (``"wild"``, ``"lab"``) to its images,
    labels and groups (or None); ``classes`` are the labels every model has an output
    unit for; ``folds`` is a list of ``{set name: (train rows, test rows)}``, one per
    fold; ``splitters`` names each set's splitter class; ``explicit_classes`` says
    whether the caller fixed the classes.
    """

    X: dict
    y: dict
    groups: dict
    classes: np.ndarray
    folds: list
    splitters: dict
    explicit_classes: bool


def _check_set(X, y, groups, name):
    if is_dataset(X):
        raise TypeError(
            f"X_{name} must be an array of images (n, height, width, 3): the combined training "
            "set concatenates the two sets' images; load lazy images with np.asarray first."
        )
    X = check_images(X, name=f"X_{name}", min_size=1)
    y = check_labels(y, len(X), name=f"y_{name}")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != (len(X),):
            raise ValueError(
                f"{name}_groups must have one entry per image of X_{name} ({len(X)}), got shape "
                f"{groups.shape}."
            )
    return X, y, groups


def _check_cv(cv):
    if not isinstance(cv, numbers.Integral) or isinstance(cv, bool) or cv < 2:
        raise ValueError(f"cv must be an int >= 2 (the number of folds), got {cv!r}.")
    return int(cv)


def _classes(y, classes):
    """The classes every model gets an output unit for, and whether they were given."""
    if classes is not None:
        classes = check_class_list(classes)
        for name, labels in y.items():
            unknown = sorted(set(labels.tolist()) - set(classes.tolist()), key=str)
            if unknown:
                raise ValueError(
                    f"y_{name} holds labels that are not in classes: {unknown!r}; classes are "
                    f"{classes.tolist()!r}."
                )
        return classes, True
    try:
        return np.unique(np.concatenate([y["wild"], y["lab"]])), False
    except TypeError:
        raise ValueError(
            f"y_wild ({y['wild'].dtype}) and y_lab ({y['lab'].dtype}) hold labels of types that "
            "cannot be compared; use the same kind of label (integer codes, say) in both."
        ) from None


def _set_folds(y, groups, cv, seed, name):
    """[(train rows, test rows)] of one set, and its splitter's class name."""
    if groups is None:
        units, kind = len(y), "images"
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
        largest = int(np.unique(y, return_counts=True)[1].max())
        if largest < cv:
            raise ValueError(
                f"cv={cv} folds are more than the images of any class of the {name} set "
                f"(at most {largest}): stratified folds need fewer folds or more images."
            )
    else:
        units, kind = len(np.unique(groups)), "groups"
        splitter = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    if units < cv:
        raise ValueError(f"the {name} set has {units} {kind} but cv asks for {cv} folds.")
    splits = list(splitter.split(np.zeros(len(y)), y, groups))
    if any(len(test) == 0 for _, test in splits):
        raise ValueError(
            f"a test fold of the {name} set is empty with cv={cv}: use fewer folds or more {kind}."
        )
    return splits, type(splitter).__name__


def _check_training_folds(plan, training_sets):
    """Two classes at least in every training fold; no test label a fold never trained on."""
    for fold, parts in enumerate(plan.folds):
        for training_set in training_sets:
            labels = np.concatenate([plan.y[s][parts[s][0]] for s in SETS_OF[training_set]])
            present = np.unique(labels)
            if len(present) < 2:
                raise ValueError(
                    f"fold {fold}: the {training_set} training set holds one class only "
                    f"({present.tolist()[0]!r}); a classifier needs at least two. Use fewer "
                    "folds or more data."
                )
            if plan.explicit_classes:
                continue  # the caller fixed the classes: absent ones are scored as errors
            for test_set in TEST_SETS:
                unseen = sorted(
                    set(plan.y[test_set][parts[test_set][1]].tolist()) - set(present.tolist()),
                    key=str,
                )
                if unseen:
                    raise ValueError(
                        f"fold {fold}: the {test_set} test fold holds labels {unseen!r} that "
                        f"the {training_set} training set never has, so a model fitted on it "
                        "has no output unit for them. Pass classes=[...] to give every model "
                        "all the classes (absent ones then count as errors), or use fewer "
                        "folds."
                    )


def plan_kfold(
    X_wild, y_wild, X_lab, y_lab, wild_groups, lab_groups, classes, cv, random_state, training_sets
):
    """Check the protocol's inputs and lay out the folds of both sets.

    Returns
    -------
    KFoldPlan
    """
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        raise ValueError(
            f"random_state must be an int (every fold derives its seeds from it), got "
            f"{random_state!r}."
        )
    cv = _check_cv(cv)
    X, y, groups = {}, {}, {}
    for name, (images, labels, set_groups) in (
        ("wild", (X_wild, y_wild, wild_groups)),
        ("lab", (X_lab, y_lab, lab_groups)),
    ):
        X[name], y[name], groups[name] = _check_set(images, labels, set_groups, name)
    if X["wild"].shape[1:] != X["lab"].shape[1:] or X["wild"].dtype != X["lab"].dtype:
        raise ValueError(
            f"X_wild and X_lab must hold images of one size and dtype to be combined, got "
            f"{X['wild'].shape[1:]} {X['wild'].dtype} and {X['lab'].shape[1:]} "
            f"{X['lab'].dtype}."
        )
    classes, explicit = _classes(y, classes)
    splits, splitters = {}, {}
    for index, name in enumerate(TEST_SETS):
        seed = derive_seed(random_state, FOLD_STREAMS["kfold_sets"], index) % (2**31)
        splits[name], splitters[name] = _set_folds(y[name], groups[name], cv, seed, name)
    folds = [{name: splits[name][fold] for name in TEST_SETS} for fold in range(cv)]
    plan = KFoldPlan(X, y, groups, classes, folds, splitters, explicit)
    _check_training_folds(plan, training_sets)
    return plan
