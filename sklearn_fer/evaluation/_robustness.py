"""The robustness protocol of Zhou & Shi (2017): which feature maps survive a shift.

Per subject and fold, a head is trained on the clean training images' pooled feature
maps of one conv layer, keeping all maps, the ``k`` most AU-selective, ``k`` random or
the ``k`` least AU-selective (:class:`~sklearn_fer.feature_maps.FeatureMapSelector`,
ranked on the training fold's AU labels only), and tested on the test images shifted by
:func:`~sklearn_fer.datasets.perturb_faces` at controlled strengths.
"""

from __future__ import annotations

import numbers
import warnings

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing

from .._random import derive_seed
from ..datasets import PERTURBATIONS, perturb_faces
from ..feature_maps import FeatureMapSelector
from ..feature_maps._auc import check_aus
from ..featurizers import FrozenConvFeaturizer
from ._inputs import subject_rows
from ._results import score_rows
from ._seeds import SEED_OFFSETS
from ._statistics import _COMPARISON_COLUMNS, _holm, _paired_comparison
from ._store import estimator_key
from ._subject_protocol import SubjectProtocol, run_protocol, unit_targets

__all__ = ["ROBUSTNESS_COLUMNS", "SELECTIONS", "compare_selections", "evaluate_robustness"]

#: The feature-map selections compared: every map, the k most AU-selective, k at
#: random, the k least AU-selective.
SELECTIONS = ("all", "top", "random", "bottom")

#: The columns of :func:`evaluate_robustness`'s results.
ROBUSTNESS_COLUMNS = [
    "subject",
    "fold",
    "target",
    "study",
    "selection",
    "k",
    "perturbation",
    "strength",
    "n_train",
    "rmse",
    "ccc",
    "pcc",
    "sagr",
]
_ORDER = ("fold", "target", "perturbation", "strength", "selection", "k")


def _models(unit, n_maps):
    """Every (selection, k, unfitted pipeline) of a unit."""
    models = [("all", n_maps, clone(unit["head"]))]
    for k in unit["ks"]:
        for selection in unit["selections"]:
            if selection == "all":
                continue
            selector = FeatureMapSelector(
                k=k,
                criterion="au",
                keep=selection,
                threshold=unit["threshold"],
                random_state=derive_seed(unit["seeds"]["random"], k) % (2**31),
            )
            models.append((selection, k, make_pipeline(selector, clone(unit["head"]))))
    if "all" not in unit["selections"]:
        models = models[1:]
    return models


def _shifted(unit, images):
    """``[(perturbation, strength, images)]``: the clean images first, then each shift."""
    shifted = [("none", 0.0, images)]
    for kind in unit["perturbations"]:
        for strength in unit["strengths"]:
            seed = unit["seeds"]["perturbation"]  # the same draws at every strength
            shifted.append(
                (kind, strength, perturb_faces(images, kind, strength, random_state=seed))
            )
    return shifted


def _robustness_unit(unit):
    """One subject, task and fold: train on clean features, test on shifted ones."""
    featurizer = FrozenConvFeaturizer(
        unit["net"].get(),
        layer=unit["layer"],
        pooling=unit["pooling"],
        batch_size=unit["batch_size"],
    ).fit()
    images = unit["X"]
    train_features = featurizer.transform(_safe_indexing(images, unit["train"]))
    target, y_test = unit_targets(unit)
    aus = unit["aus"][unit["subject"]][unit["train"]]
    fitted = []
    with warnings.catch_warnings():
        # A fold where an AU never (or always) shows leaves it out of the ranking.
        warnings.filterwarnings("ignore", message=".* do not vary across", category=UserWarning)
        for selection, k, model in _models(unit, train_features.shape[1]):
            params = {} if selection == "all" else {"featuremapselector__aus": aus}
            fitted.append((selection, k, model.fit(train_features, target, **params)))
    rows = []
    for kind, strength, test_images in _shifted(unit, _safe_indexing(images, unit["test"])):
        test_features = featurizer.transform(test_images)
        for selection, k, model in fitted:
            prediction = model.predict(test_features)
            for row in score_rows(y_test, prediction, unit["columns"], unit["target_names"]):
                rows.append(
                    {
                        "subject": unit["subject"],
                        "fold": unit["fold"],
                        "study": "robustness",
                        "selection": selection,
                        "k": int(k),
                        "perturbation": kind,
                        "strength": float(strength),
                        "n_train": len(unit["train"]),
                        **row,
                    }
                )
    return rows


def _check_choices(values, allowed, name):
    values = tuple(values)
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise ValueError(f"{name} must be a non-empty subset of {list(allowed)}, got {values!r}.")
    return tuple(v for v in allowed if v in values)


def _check_numbers(ks, strengths):
    ks = tuple(ks)
    if not ks or any(
        not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1 for k in ks
    ):
        raise ValueError(f"ks must be a non-empty sequence of positive ints, got {ks!r}.")
    strengths = tuple(strengths)
    if not strengths or any(
        not isinstance(s, numbers.Real) or isinstance(s, bool) or not 0 < s <= 1 for s in strengths
    ):
        raise ValueError(
            f"strengths must be a non-empty sequence of numbers in (0, 1] (the clean images, "
            f"strength 0, are always tested), got {strengths!r}."
        )
    return tuple(sorted(set(int(k) for k in ks))), tuple(sorted(set(float(s) for s in strengths)))


def _n_maps(pretrained, layer, pooling, X):
    net = next(iter(pretrained.values())) if isinstance(pretrained, dict) else pretrained
    featurizer = FrozenConvFeaturizer(net, layer=layer, pooling=pooling).fit()
    return featurizer.transform(_safe_indexing(X, [0])).shape[1]


def _aus_by_subject(aus, subjects, n):
    values, _ = check_aus(aus, n)
    return {subject: values[rows] for subject, rows in subject_rows(subjects, n).items()}


def evaluate_robustness(
    pretrained,
    X,
    y,
    *,
    subjects,
    aus,
    layer="conv5",
    pooling="mean",
    ks=(8, 32),
    selections=SELECTIONS,
    perturbations=tuple(PERTURBATIONS),
    strengths=(0.5, 1.0),
    head=None,
    threshold=0.2,
    groups=None,
    target_names=None,
    cv=2,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """Train on clean faces, test on shifted ones, keeping all or ``k`` selected maps.

    The robustness test of Zhou & Shi (2017), per subject. In each fold of a subject's
    cross-validation, each map of ``layer`` is pooled to one response per image
    (:class:`~sklearn_fer.FrozenConvFeaturizer` with ``pooling``) and ``head`` is
    trained on those responses (as they are: the maps share one scale, and
    standardising a map that barely varies on clean faces would blow its shifted
    responses up) of the clean training images, on:

    * ``"all"``: every map of the layer (``k`` is then the number of maps);
    * ``"top"``: the ``k`` most AU-selective maps, ranked by
      :class:`~sklearn_fer.feature_maps.FeatureMapSelector` on the *training fold's*
      images and AU labels only (the largest ``|2 AUC - 1|`` over AUs);
    * ``"random"``: ``k`` maps drawn at random (the control);
    * ``"bottom"``: the ``k`` least AU-selective maps.

    Each model is tested on the clean test images (``perturbation="none"``,
    ``strength=0``) and on the test images shifted by every perturbation of
    :func:`~sklearn_fer.datasets.perturb_faces` at every strength (the same random
    draws at every strength, so a curve over strengths applies more of one shift).
    :func:`compare_selections` turns the rows into paired tests across subjects.

    Parameters
    ----------
    pretrained : estimator, torch.nn.Module or dict of str to estimator
        The net whose maps are read: one for all targets, or one per target (a dict
        keyed by target name, as ``evaluate_transfer`` takes).
    X : array of shape (n, height, width, 3), or LazyImages
        All subjects' clean uint8 face images.
    y : array-like of shape (n,) or (n, n_targets), or DataFrame
        Targets (valence, arousal).
    subjects : array-like of shape (n,)
        Subject of each image.
    aus : array-like of shape (n, n_aus)
        AU labels of each image (``make_faces(...).aus``): the selectors' ranking.
    layer : str, default="conv5"
        The conv layer whose maps are selected (Zhou & Shi: the highest).
    pooling : {"mean", "max"}, default="mean"
        One response per map and image.
    ks : sequence of int, default=(8, 32)
        Numbers of maps kept; each at most the layer's number of maps.
    selections : sequence of str, default=SELECTIONS
        Which of ``"all"``, ``"top"``, ``"random"``, ``"bottom"`` to compare.
    perturbations : sequence of str, default=all of PERTURBATIONS
        The shifts tested.
    strengths : sequence of float in (0, 1], default=(0.5, 1.0)
        Their strengths (strength 0, the clean test images, is always tested).
    head : regressor or None, default=None
        Template of the head (any regressor or pipeline); None: ``RidgeCV`` with alphas
        from 1e-6 to 1e3 (chosen per fold by leave-one-out on the training fold: pooled
        ReLU responses can be tiny, and a fixed alpha would flatten the head).
    threshold : float, default=0.2
        An AU is present where its label is above this.
    groups : array-like of shape (n,) or None, default=None
        Keep each group (video segment) within one fold.
    target_names : list of str or None, default=None
        Names of the columns of ``y``.
    cv : int or splitter, default=2
        Folds per subject.
    batch_size : int, default=64
        Images per forward pass.
    n_jobs : int or None, default=None
        Parallel jobs over subjects and folds (results do not depend on it).
    random_state : int, default=0
        Every fold's seeds (random maps, perturbation draws) derive from it.
    cache_dir : path-like or None, default=None
        Save each finished unit here and reuse it on the next call with the same
        configuration.
    progress : bool, default=False
        Show a progress bar with an ETA.

    Returns
    -------
    pandas.DataFrame
        One row per subject x fold x target x perturbation x strength x selection x
        ``k``, columns ``ROBUSTNESS_COLUMNS`` (``study="robustness"``).

    Raises
    ------
    ValueError
        An unknown layer, selection or perturbation, a ``k`` larger than the layer's
        number of maps or below 1, a strength outside (0, 1], or AU labels of the wrong
        shape.

    See Also
    --------
    compare_selections : the paired tests across subjects.
    sklearn_fer.feature_maps.map_selectivity : which layers' maps are AU-selective.

    References
    ----------
    Zhou & Shi (2017). Action unit selective feature maps in deep networks for facial
    expression recognition. IJCNN.

    Examples
    --------
    >>> from sklearn_fer import AlexNetRegressor
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import evaluate_robustness
    >>> faces = make_faces(2, 12, random_state=0)
    >>> net = AlexNetRegressor(module__hidden_units=8, random_state=0).initialize()
    >>> results = evaluate_robustness(
    ...     net, faces.images, faces.valence, subjects=faces.subject, aus=faces.aus,
    ...     ks=(4,), perturbations=("occlusion",), strengths=(1.0,), target_names=["valence"])
    >>> results.groupby(["perturbation", "selection"]).size().to_dict()
    {('none', 'all'): 4, ('none', 'bottom'): 4, ('none', 'random'): 4, ('none', 'top'): 4, \
('occlusion', 'all'): 4, ('occlusion', 'bottom'): 4, ('occlusion', 'random'): 4, \
('occlusion', 'top'): 4}
    """
    selections = _check_choices(selections, SELECTIONS, "selections")
    perturbations = _check_choices(perturbations, tuple(PERTURBATIONS), "perturbations")
    ks, strengths = _check_numbers(ks, strengths)
    n_maps = _n_maps(pretrained, layer, pooling, X)
    if ks[-1] > n_maps:
        raise ValueError(
            f"ks={ks} asks for more maps than {layer} has ({n_maps}); choose k <= {n_maps}."
        )
    head = RidgeCV(alphas=np.logspace(-6, 3, 10)) if head is None else head
    aus_by_subject = _aus_by_subject(aus, subjects, len(X))
    settings = dict(
        layer=layer,
        pooling=pooling,
        ks=ks,
        selections=selections,
        perturbations=perturbations,
        strengths=strengths,
        threshold=threshold,
        batch_size=batch_size,
        head=head,
    )
    protocol = SubjectProtocol(
        name="robustness",
        label="robustness",
        worker=_robustness_unit,
        seed_names=("random", "perturbation"),
        seed_offset=SEED_OFFSETS["robustness"],
        settings={**settings, "aus": aus_by_subject},
        fingerprint={
            **settings,
            "head": estimator_key(head),
            "aus": joblib.hash(aus_by_subject),
        },
        needs_features=False,
        needs_images=True,
        columns=tuple(ROBUSTNESS_COLUMNS),
        order=_ORDER,
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


def _per_subject(results, metric, relative):
    rows = results[results["study"] == "robustness"]
    missing = {"subject", "target", "selection", "k", "perturbation", "strength", metric} - set(
        rows.columns
    )
    if missing or rows.empty:
        raise ValueError(
            f"results must be rows of evaluate_robustness (with {metric!r}); "
            f"{'missing ' + str(sorted(missing)) if missing else 'no robustness rows'}."
        )
    keys = ["subject", "target", "selection", "k"]
    if relative:
        clean = rows[rows["perturbation"] == "none"].groupby(keys + ["fold"])[metric].mean()
        rows = rows[rows["perturbation"] != "none"].copy()
        rows[metric] = (
            rows[metric].to_numpy()
            - clean.loc[list(zip(*(rows[c] for c in keys + ["fold"])))].to_numpy()
        )
    means = rows.groupby(keys + ["perturbation", "strength"])[metric].mean().reset_index()
    every = means[means["selection"] == "all"]
    selected = means[means["selection"] != "all"]
    # "all" keeps every map: it is the reference at every k.
    spread = [every.assign(k=k) for k in sorted(selected["k"].unique())] or [every]
    return pd.concat([selected, *spread], ignore_index=True)


def compare_selections(
    results, *, baseline="random", metric="rmse", relative=False, confidence=0.95
):
    """Each feature-map selection against a baseline, paired across subjects.

    For each target, perturbation, strength and ``k``, each selection's per-subject
    mean (over folds) is paired with the baseline's for the same subject (``"all"``,
    which keeps every map, is paired at every ``k``). Subjects are the independent
    units. As :func:`compare_samplers`: the mean difference (selection minus baseline;
    negative RMSE: the selection is better) with a Student-t confidence interval, the
    two-sided Wilcoxon signed-rank test (its p-value cannot fall below ``min_p`` =
    2 / 2^n with n subjects), and Holm's correction over the selections compared at
    each point.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`evaluate_robustness`.
    baseline : {"random", "all", "top", "bottom"}, default="random"
        The selection the others are compared with.
    metric : str, default="rmse"
        The metric column compared.
    relative : bool, default=False
        Compare the *degradation*: each model's metric on shifted images minus its
        metric on the clean ones (same subject, fold and model), so that a selection
        that is worse everywhere is not called less robust. The clean rows are left out.
    confidence : float, default=0.95
        Level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``target, perturbation, strength, k, selection, baseline, n_subjects,
        mean_difference, ci_low, ci_high, median_difference, statistic, p_value,
        p_holm, min_p``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"study": "robustness", "target": "valence", "fold": 0,
    ...                      "perturbation": "noise", "strength": 1.0, "k": 8,
    ...                      "selection": ["random"] * 6 + ["top"] * 6,
    ...                      "subject": list(range(6)) * 2,
    ...                      "rmse": [0.30, 0.31, 0.29, 0.33, 0.30, 0.32,
    ...                               0.25, 0.27, 0.26, 0.28, 0.24, 0.29]})
    >>> table = compare_selections(rows)
    >>> table[["selection", "n_subjects", "mean_difference", "p_value"]].round(3).values.tolist()
    [['top', 6, -0.043, 0.031]]
    """
    if baseline not in SELECTIONS:
        raise ValueError(f"baseline must be one of {list(SELECTIONS)}, got {baseline!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    means = _per_subject(results, metric, relative)
    out = []
    keys = ["target", "perturbation", "strength", "k"]
    for key, block in means.groupby(keys, sort=True):
        table = block.pivot_table(index="subject", columns="selection", values=metric)
        if baseline not in table.columns:
            continue
        for selection in [s for s in SELECTIONS if s in table.columns and s != baseline]:
            pair = table[[selection, baseline]].dropna()
            diff = (pair[selection] - pair[baseline]).to_numpy()
            row = _paired_comparison(diff, pair[selection], pair[baseline], confidence)
            out.append(
                {**dict(zip(keys, key)), "selection": selection, "baseline": baseline, **row}
            )
    columns = (
        keys
        + ["selection", "baseline"]
        + [c for c in _COMPARISON_COLUMNS if c not in ("target", "fraction", "sampler", "p_holm")]
    )
    frame = pd.DataFrame(out, columns=columns)
    adjusted = np.full(len(frame), np.nan)
    for _, rows in frame.groupby(keys).indices.items():
        adjusted[rows] = _holm(frame["p_value"].to_numpy()[rows])
    frame.insert(frame.columns.get_loc("min_p"), "p_holm", adjusted)
    return frame
