"""The k-fold protocol of Nasri et al. (2020): which training set, from scratch or fine-tuned.

Nasri et al. fine-tune an ImageNet Xception to seven expressions and evaluate it by
K-fold cross-validation on a large set "in the wild" (AffectNet: 69% accuracy), on a
small in-house set (Empathic: 62%), and on the in-house set when trained on both
(91.2%). :func:`evaluate_training_sets` runs those three training sets, each from scratch
and fine-tuned from a pre-trained backbone, through the same runner, resumable store and
seeds as the per-subject protocols.
"""

from __future__ import annotations

import copy
import json
import time
import warnings

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import confusion_matrix
from sklearn.utils import _safe_indexing

from .._frozen import pretrained_module
from .._random import derive_seed, torch_rng
from ..classifiers import BackboneClassifier, DenseHeadClassifier
from ..classifiers._dense_head import _pretrained_labels
from ..classifiers._output_layer import replace_output_layer
from ..featurizers import FrozenConvFeaturizer
from ..metrics import classification_scores
from ..nets import check_backbone, dense_part
from ..nets._registry import backbone_factory
from ._kfold_plan import SETS_OF, TEST_SETS, TRAINING_SETS, plan_kfold
from ._runner import run_units
from ._seeds import SEED_OFFSETS
from ._shared_net import SharedNet
from ._store import UnitStore, estimator_key, fingerprint
from ._subject_protocol import head_for

#: How a model starts: random weights, the pre-trained head on frozen features, or the
#: whole pre-trained network fine-tuned.
KFOLD_CONDITIONS = ("from_scratch", "fine_tuned_head", "fine_tuned_whole")

#: The columns of :func:`evaluate_training_sets`' results.
KFOLD_COLUMNS = [
    "fold",
    "training_set",
    "test_set",
    "condition",
    "splitter",
    "n_train",
    "n_test",
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "cohen_kappa",
    "fit_seconds",
    "confusion",
]


def _check_conditions(conditions, pretrained):
    if conditions is None:
        return ["from_scratch"] if pretrained is None else ["from_scratch", "fine_tuned_head"]
    conditions = [conditions] if isinstance(conditions, str) else list(conditions)
    unknown = sorted(set(conditions) - set(KFOLD_CONDITIONS))
    if unknown or not conditions:
        raise ValueError(
            f"conditions must be a non-empty subset of {KFOLD_CONDITIONS}, got {conditions!r}."
        )
    tuned = [c for c in conditions if c != "from_scratch"]
    if tuned and pretrained is None:
        raise ValueError(
            f"conditions {tuned} start from a pre-trained backbone: pass pretrained= (a "
            "fitted net or a torch module following the backbone protocol)."
        )
    return [c for c in KFOLD_CONDITIONS if c in conditions]


def _check_training_sets(training_sets):
    training_sets = [training_sets] if isinstance(training_sets, str) else list(training_sets)
    unknown = sorted(set(training_sets) - set(TRAINING_SETS))
    if unknown or not training_sets:
        raise ValueError(
            f"training_sets must be a non-empty subset of {TRAINING_SETS}, got {training_sets!r}."
        )
    return [t for t in TRAINING_SETS if t in training_sets]


def _check_whole_net_template(template, name):
    if not (is_classifier(template) and "module" in template.get_params(deep=False)):
        raise TypeError(
            f"{name} must be a classifier of images with a module parameter (a "
            f"BackboneClassifier), got {type(template).__name__}."
        )
    if isinstance(template.module, str):
        backbone_factory(template.module)  # an unknown name fails here, not in a worker
    return template


def _check_head_template(head):
    if not (is_classifier(head) and "pretrained" in head.get_params(deep=False)):
        raise TypeError(
            f"head must be a classifier on features with a pretrained parameter (a "
            f"DenseHeadClassifier), got {type(head).__name__}."
        )
    return head


def _output_labels(pretrained, classes):
    """The pre-trained net's labels, in unit order, when they are the classes; else None.

    None means the fine-tuned models get a fresh output layer with a unit per class.
    """
    labels = _pretrained_labels(pretrained, pretrained_module(pretrained, "pretrained"))
    if labels is None:
        return None
    labels = np.asarray(labels)
    same = len(labels) == len(classes) and set(labels.tolist()) == set(classes.tolist())
    return labels if same else None


def _whole_net_model(unit, seed):
    """From scratch: the template on its own backbone; fine-tuned: on a copy of the net."""
    classes = unit["classes"]
    if unit["condition"] == "from_scratch":
        model = clone(unit["scratch"]).set_params(classes=classes)
    else:
        module = copy.deepcopy(pretrained_module(unit["net"].get(), "pretrained"))
        if unit["output_labels"] is None:
            head = dense_part(module)
            with torch_rng(derive_seed(seed, 1)):
                if replace_output_layer(head, len(classes)) is not head:
                    raise TypeError(
                        f"cannot give {type(module).__name__} a fresh output layer: its head "
                        "is a single layer; give the head a container (nn.Sequential)."
                    )
        # module__* settings would make skorch build a new module instead of this copy
        params = {
            name: value
            for name, value in clone(unit["whole"]).get_params(deep=False).items()
            if not name.startswith("module__")
        }
        labels = unit["output_labels"]
        params.update(module=module, classes=classes if labels is None else labels)
        model = type(unit["whole"])(**params)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=seed)
    return model


def _fit(unit, seed):
    """Fit the unit's model on its training set; return ``(predict(set, rows), seconds)``."""
    sets, train = SETS_OF[unit["training_set"]], unit["train"]
    y_train = np.concatenate([unit["y"][s][train[s]] for s in sets])
    if unit["condition"] == "fine_tuned_head":
        features = unit["features"]
        model = head_for(unit["head"], unit["net"].get(), seed)
        kept = unit["output_labels"] is not None  # the head reads them off the net
        model.set_params(classes=None if kept else unit["classes"])
        inputs = np.concatenate([features[s][train[s]] for s in sets])

        def predict(test_set, rows):
            return model.predict(features[test_set][rows])

    else:
        images = unit["X"]
        model = _whole_net_model(unit, seed)
        inputs = np.concatenate([_safe_indexing(images[s], train[s]) for s in sets])

        def predict(test_set, rows):
            return model.predict(_safe_indexing(images[test_set], rows))

    start = time.perf_counter()
    model.fit(inputs, y_train)
    return predict, time.perf_counter() - start, len(y_train)


def confusion_json(y_true, y_pred, labels):
    """A confusion matrix as JSON text: ``{"labels": [...], "counts": [[...], ...]}``."""
    counts = confusion_matrix(y_true, y_pred, labels=labels)
    return json.dumps({"labels": np.asarray(labels).tolist(), "counts": counts.tolist()})


def _training_set_unit(unit):
    """One fold, training set and condition: fit once, test on both sets' held-out folds."""
    predict, fit_seconds, n_train = _fit(unit, unit["seed"])
    rows = []
    for test_set in TEST_SETS:
        test = unit["test"][test_set]
        y_true, y_pred = unit["y"][test_set][test], predict(test_set, test)
        with warnings.catch_warnings():
            # a fold whose predictions hold a class its test images lack: expected, not news
            warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
            scores = classification_scores(y_true, y_pred, labels=unit["classes"])
        rows.append(
            {
                "fold": unit["fold"],
                "training_set": unit["training_set"],
                "test_set": test_set,
                "condition": unit["condition"],
                "splitter": unit["splitters"][test_set],
                "n_train": n_train,
                "n_test": len(test),
                **scores,
                "fit_seconds": fit_seconds,
                "confusion": confusion_json(y_true, y_pred, unit["classes"]),
            }
        )
    return rows


def _features(pretrained, X, batch_size):
    featurizer = FrozenConvFeaturizer(pretrained, batch_size=batch_size).fit()
    return {name: featurizer.transform(images) for name, images in X.items()}


def _units(plan, settings, conditions, training_sets, shared, features, random_state):
    units = []
    for fold, parts in enumerate(plan.folds):
        for training_set in training_sets:
            for condition in conditions:
                # Seeds come from a unit's place among all training sets and conditions,
                # so that running a subset of them gives the same models.
                code = SEED_OFFSETS["kfold"] + KFOLD_CONDITIONS.index(condition)
                unit = dict(
                    settings,
                    fold=fold,
                    training_set=training_set,
                    condition=condition,
                    seed=derive_seed(random_state, fold, TRAINING_SETS.index(training_set), code),
                    y=plan.y,
                    train={name: parts[name][0] for name in TEST_SETS},
                    test={name: parts[name][1] for name in TEST_SETS},
                    net=shared,
                )
                if condition == "fine_tuned_head":
                    unit["features"] = features
                else:
                    unit["X"] = plan.X
                units.append((f"fold{fold}-{training_set}-{condition}", unit))
    return units


def _store(cache_dir, plan, pretrained, fingerprint_settings, random_state):
    if cache_dir is None:
        return None
    key = joblib.hash(
        {
            "data": {
                name: (
                    fingerprint(plan.X[name]),
                    joblib.hash(plan.y[name]),
                    None if plan.groups[name] is None else joblib.hash(plan.groups[name]),
                )
                for name in TEST_SETS
            },
            "pretrained": None if pretrained is None else fingerprint(pretrained),
            "classes": plan.classes.tolist(),
            "cv": len(plan.folds),
            "random_state": int(random_state),
            **fingerprint_settings,
        }
    )
    return UnitStore(cache_dir, "training_sets", key)


def _to_frame(rows, training_sets, conditions):
    frame = pd.DataFrame(rows, columns=KFOLD_COLUMNS)
    if frame.empty:
        return frame
    order = {
        "training_set": {name: i for i, name in enumerate(training_sets)},
        "condition": {name: i for i, name in enumerate(conditions)},
        "test_set": {name: i for i, name in enumerate(TEST_SETS)},
    }
    ranks = pd.DataFrame({column: frame[column].map(rank) for column, rank in order.items()})
    ranks["fold"] = frame["fold"]
    index = ranks.sort_values(["fold", "training_set", "condition", "test_set"]).index
    return frame.loc[index].reset_index(drop=True)


def evaluate_training_sets(
    X_wild,
    y_wild,
    X_lab,
    y_lab,
    *,
    pretrained=None,
    wild_groups=None,
    lab_groups=None,
    training_sets=TRAINING_SETS,
    conditions=None,
    classes=None,
    scratch=None,
    head=None,
    whole=None,
    cv=5,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """Train on the wild set, the in-house set or both; test on each by stratified K-fold.

    The protocol of Nasri et al. (2020): an expression classifier evaluated by K-fold
    cross-validation when trained on a large set "in the wild" (AffectNet), on a small
    "in-house" set (Empathic), and on both combined. Each set is split into ``cv``
    stratified folds; in fold k every model trains on the other folds of its training
    set (``"wild"``, ``"lab"`` or ``"both"``) and is tested on fold k of *each* set, so
    the results hold Nasri's three figures (wild on wild, lab on lab, both on lab) and
    the cross-domain ones. A model starts, per ``conditions``:

    * ``"from_scratch"``: a clone of ``scratch`` (a whole network, random weights)
      trained on the training set's images;
    * ``"fine_tuned_head"``: the head of ``pretrained``, fine-tuned on the frozen
      features of its conv part (a clone of ``head``, a
      :class:`~sklearn_fer.DenseHeadClassifier`; features computed once for all images);
    * ``"fine_tuned_whole"``: a copy of the whole ``pretrained`` network, every layer
      trained on the images (a clone of ``whole``, whose ``module`` becomes the copy).

    Frames of one person look alike: with frame-level folds a person's frames sit on
    both sides of a split and accuracy is inflated. ``lab_groups`` (the subject of each
    frame) keeps each person within one fold (``StratifiedGroupKFold``); the
    ``splitter`` column of every row says which splitter its test fold came from.

    Parameters
    ----------
    X_wild : ndarray of shape (n_wild, height, width, 3)
        Images of the large set "in the wild" (uint8 RGB).
    y_wild : array-like of shape (n_wild,)
        Their expression labels (integer codes, such as AffectNet's, or strings).
    X_lab : ndarray of shape (n_lab, height, width, 3)
        Images of the small in-house set, of the same size as ``X_wild``.
    y_lab : array-like of shape (n_lab,)
        Their labels.
    pretrained : estimator or torch.nn.Module or None, default=None
        The pre-trained backbone the fine-tuned conditions start from: a fitted net
        (``AlexNetRegressor``, ``BackboneClassifier``) or a module following the backbone
        protocol (:func:`~sklearn_fer.nets.check_backbone`), such as
        :func:`~sklearn_fer.nets.load_fer2013_mini_xception`. It is never modified. When
        its output units are labelled with exactly ``classes`` it keeps its output layer;
        otherwise the fine-tuned models get a fresh one with a unit per class.
    wild_groups, lab_groups : array-like of shape (n_wild,) or (n_lab,), or None
        Groups (subjects) kept within one fold of their set (``StratifiedGroupKFold``);
        None gives image-level ``StratifiedKFold``.
    training_sets : sequence of {"wild", "lab", "both"}, default=("wild", "lab", "both")
        What the models are trained on.
    conditions : sequence of str or None, default=None
        Subset of ``KFOLD_CONDITIONS`` (``"from_scratch"``, ``"fine_tuned_head"``,
        ``"fine_tuned_whole"``); None runs ``"from_scratch"``, and ``"fine_tuned_head"``
        too when ``pretrained`` is given.
    classes : array-like or None, default=None
        The labels every model has an output unit for. None takes those of ``y_wild`` and
        ``y_lab``, and then every label of a test fold must occur in the training folds
        tested on it (a ``ValueError`` says where not). Given, labels outside it are
        refused, and a class a training fold lacks is simply never learnt there (its
        test images count as errors).
    scratch : BackboneClassifier or None, default=None
        Template of the from-scratch model; None: ``BackboneClassifier("xception")``,
        Nasri's backbone, with the package's defaults. An unknown backbone name is a
        ``ValueError`` before anything runs.
    head : DenseHeadClassifier or None, default=None
        Template of the fine-tuned head (its ``pretrained`` and ``classes`` are set per
        run); None: ``DenseHeadClassifier(None)``.
    whole : BackboneClassifier or None, default=None
        Template of whole-network fine-tuning (its ``module`` is set per run); None: a
        clone of ``scratch``.
    cv : int, default=5
        Number of folds K of each set.
    batch_size : int, default=64
        Images per batch when computing the frozen features.
    n_jobs : int or None, default=None
        Parallel jobs over folds, training sets and conditions (joblib; results do not
        depend on it).
    random_state : int, default=0
        The folds and every model's seed derive from it and from the unit's position.
    cache_dir : path-like or None, default=None
        Save each finished unit (fold x training set x condition) in
        ``cache_dir/training_sets`` and reuse it on the next call with the same
        configuration; a folder holding another configuration raises ValueError.
    progress : bool, default=False
        Show a progress bar with an ETA.

    Returns
    -------
    results : pandas.DataFrame
        One row per fold x training set x condition x test set, columns
        ``KFOLD_COLUMNS``: ``fold``, ``training_set``, ``test_set``, ``condition``,
        ``splitter`` (the test fold's splitter: ``"StratifiedKFold"`` or
        ``"StratifiedGroupKFold"``), ``n_train``, ``n_test``, ``accuracy``,
        ``balanced_accuracy``, ``macro_f1``, ``cohen_kappa``, ``fit_seconds`` and
        ``confusion`` (the test fold's confusion matrix as JSON text,
        ``{"labels": [...], "counts": [[...]]}``, rows true and columns predicted; see
        :func:`pooled_confusion`).

    Raises
    ------
    ValueError
        Bad ``cv`` (not an int >= 2, or more folds than a set has images or groups), an
        unknown condition, training set or backbone name, a training fold holding one
        class only, a test label no training fold tested on it has (with
        ``classes=None``), labels outside ``classes``.
    TypeError
        Templates of the wrong kind, a ``pretrained`` that does not follow the backbone
        protocol.

    See Also
    --------
    pooled_confusion : the confusion matrix of a selection of rows, summed over folds.
    evaluate_transfer : the per-subject protocol of Rescigno et al. (2020).

    References
    ----------
    Nasri, Hmani, Mtibaa, Petrovska-Delacretaz, Ben Slima & Ben Hamida (2020). Face
    emotion recognition from static image based on convolution neural networks. ATSIP.

    Examples
    --------
    >>> from sklearn_fer import BackboneClassifier
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import evaluate_training_sets
    >>> wild = make_faces(24, 1, domain="wild", n_expressions=7, random_state=0)
    >>> lab = make_faces(4, 8, n_expressions=7, random_state=1)
    >>> results = evaluate_training_sets(
    ...     wild.images, wild.expression, lab.images, lab.expression,
    ...     lab_groups=lab.subject, classes=range(7), cv=2,
    ...     scratch=BackboneClassifier("mini_xception", max_epochs=1, random_state=0))
    >>> results.groupby(["training_set", "test_set"]).size().to_dict()
    {('both', 'lab'): 2, ('both', 'wild'): 2, ('lab', 'lab'): 2, ('lab', 'wild'): 2, \
('wild', 'lab'): 2, ('wild', 'wild'): 2}
    >>> sorted(set(results["splitter"]))
    ['StratifiedGroupKFold', 'StratifiedKFold']
    """
    conditions = _check_conditions(conditions, pretrained)
    training_sets = _check_training_sets(training_sets)
    scratch = _check_whole_net_template(
        BackboneClassifier("xception") if scratch is None else scratch, "scratch"
    )
    head = _check_head_template(DenseHeadClassifier(None) if head is None else head)
    whole = _check_whole_net_template(clone(scratch) if whole is None else whole, "whole")
    if pretrained is not None:
        check_backbone(pretrained_module(pretrained, "evaluate_training_sets"))
    plan = plan_kfold(
        X_wild,
        y_wild,
        X_lab,
        y_lab,
        wild_groups,
        lab_groups,
        classes,
        cv,
        random_state,
        training_sets,
    )
    settings = dict(
        classes=plan.classes,
        splitters=plan.splitters,
        scratch=scratch,
        head=head,
        whole=whole,
        output_labels=None if pretrained is None else _output_labels(pretrained, plan.classes),
    )
    fingerprint_settings = dict(
        conditions=conditions,
        training_sets=training_sets,
        scratch=estimator_key(scratch) if "from_scratch" in conditions else None,
        head=estimator_key(head) if "fine_tuned_head" in conditions else None,
        whole=estimator_key(whole) if "fine_tuned_whole" in conditions else None,
    )
    store = _store(cache_dir, plan, pretrained, fingerprint_settings, random_state)
    shared = None if pretrained is None else SharedNet(pretrained)
    features = None
    if "fine_tuned_head" in conditions:
        features = _features(pretrained, plan.X, batch_size)
    units = _units(plan, settings, conditions, training_sets, shared, features, random_state)
    rows = run_units(
        units, _training_set_unit, n_jobs, store, progress, "training sets x conditions"
    )
    return _to_frame(rows, training_sets, conditions)


def pooled_confusion(results):
    """The confusion matrix of result rows, summed over them (over folds, typically).

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`evaluate_training_sets` (select one training set, test set and
        condition first to pool its folds).

    Returns
    -------
    counts : ndarray of shape (n_classes, n_classes)
        Rows true labels, columns predicted labels.
    labels : ndarray of shape (n_classes,)
        The labels of the rows and columns.

    Raises
    ------
    ValueError
        No rows, or rows whose matrices have other labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.evaluation import pooled_confusion
    >>> rows = pd.DataFrame({"confusion": [
    ...     '{"labels": [0, 1], "counts": [[2, 0], [1, 1]]}',
    ...     '{"labels": [0, 1], "counts": [[1, 1], [0, 3]]}']})
    >>> counts, labels = pooled_confusion(rows)
    >>> counts.tolist(), labels.tolist()
    ([[3, 1], [1, 4]], [0, 1])
    """
    if len(results) == 0:
        raise ValueError("results holds no rows: select some before pooling them.")
    counts, labels = None, None
    for text in results["confusion"]:
        matrix = json.loads(text)
        if labels is None:
            labels, counts = matrix["labels"], np.zeros((len(matrix["labels"]),) * 2, int)
        elif matrix["labels"] != labels:
            raise ValueError(
                f"rows hold confusion matrices over other labels: {matrix['labels']!r} and "
                f"{labels!r}."
            )
        counts += np.asarray(matrix["counts"], dtype=int)
    return counts, np.asarray(labels)
