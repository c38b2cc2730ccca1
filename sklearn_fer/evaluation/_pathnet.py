"""PathNet personalisation beside dense-head fine-tuning, per subject and fold.

The meta-transfer alternative to Rescigno et al.'s fine-tuning (issue 13): a general path
evolved on the wild set's frozen conv features is the *source* of a personal path evolved
on the subject's training fold (:class:`~sklearn_fer.pathnet.PathNetRegressor` with
``source=``), which may run through the general path's frozen modules but not change them.

* :func:`evaluate_pathnet_transfer`: condition ``"pathnet"`` beside the transfer
  conditions, and *forgetting*: after personalising, the error of both methods on a
  held-out set of the general (wild) domain;
* :func:`pathnet_sampling_curve`: PathNet on the fractions of each training fold that a
  sampler picks, beside the fine-tuned sampling curves.

Seeds are laid out like the fine-tuning protocols' (``_transfer`` and ``_sampling``), so
the same ``random_state`` gives the fine-tuned head of the forgetting rows bit for bit the
head of ``transfer_100``, and the samplers the same picks as :func:`sampling_curve`.
"""

from __future__ import annotations

import time

from sklearn.base import clone

from .._threads import one_thread
from ..featurizers import FrozenConvFeaturizer
from ..pathnet import PathNetRegressor
from ..regressors import DenseHeadRegressor
from ._inputs import check_targets
from ._results import result_rows
from ._sampling import sampled_rows
from ._seeds import SEED_OFFSETS
from ._store import estimator_key, fingerprint
from ._subject_protocol import SubjectProtocol, head_for, run_protocol, unit_targets
from ._transfer import CONDITIONS

#: The rows of study "forgetting": errors on held-out wild data, before and after.
FORGETTING_CONDITIONS = (
    "dense_head_general",  # the general net's head (Transfer 0%'s), before personalising
    "dense_head_personal",  # the head fine-tuned on the training fold (Transfer 100%'s)
    "pathnet_general",  # the general PathNet's path, before personalising
    "pathnet_general_after",  # the same task through the personal network, afterwards
    "pathnet_personal",  # the personal path, on the wild data
)


def _task_name(unit):
    return "+".join(unit["target_names"][c] for c in unit["columns"])


def _personal_pathnet(template, general, seed):
    model = clone(template).set_params(source=general, random_state=seed % (2**31))
    return model


def _timed_fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def _forgetting_rows(unit, general, personal, head, seed):
    """Errors on the held-out wild set of both methods, before and after personalising."""
    F_wild, y_wild = unit["wild"][_task_name(unit)]
    target, _ = unit_targets(unit)
    F_train = unit["features"][unit["train"]]
    fine_tuned = head_for(head, unit["net"].get(), seed).fit(F_train, target)
    untouched = head_for(head, unit["net"].get(), seed).initialize()
    predictions = {
        "dense_head_general": untouched.predict(F_wild),
        "dense_head_personal": fine_tuned.predict(F_wild),
        "pathnet_general": general.predict(F_wild),
        "pathnet_general_after": personal.predict(F_wild, task=general.task_),
        "pathnet_personal": personal.predict(F_wild),
    }
    n_train = len(unit["train"])
    out = []
    for condition, prediction in predictions.items():
        before = condition in ("dense_head_general", "pathnet_general")
        out += result_rows(
            unit,
            y_wild,
            prediction,
            study="forgetting",
            condition=condition,
            sampler="none",
            fraction=0.0 if before else 1.0,
            n_train=0 if before else n_train,
            fit_seconds=0.0,
        )
    return out


def _pathnet_transfer_unit(unit):
    """One subject, target(s) and fold: PathNet transfer rows, then forgetting rows."""
    target, y_test = unit_targets(unit)
    features = unit["features"]
    general = unit["general"][_task_name(unit)]
    personal = _personal_pathnet(unit["pathnet"], general, unit["seeds"]["pathnet"])
    personal, seconds = _timed_fit(personal, features[unit["train"]], target)
    out = result_rows(
        unit,
        y_test,
        personal.predict(features[unit["test"]]),
        study=unit["study"],
        condition="pathnet",
        sampler="none",
        fraction=1.0,
        n_train=len(unit["train"]),
        fit_seconds=seconds,
    )
    if unit["wild"] is not None:
        seed = unit["seeds"]["transfer_100"]
        out += _forgetting_rows(unit, general, personal, unit["head"], seed)
    return out


def _pathnet_sampling_unit(unit):
    """One subject, target(s) and fold of PathNet's sampling curves."""
    general = unit["general"][_task_name(unit)]
    return sampled_rows(
        unit, lambda seed: _personal_pathnet(unit["pathnet"], general, seed), "pathnet"
    )


def _check_general(general, target_names_or_tasks):
    if not isinstance(general, dict) or not general:
        raise TypeError(
            "general must be a dict of task name -> fitted PathNetRegressor, got "
            f"{type(general).__name__}."
        )
    for name, model in general.items():
        if not isinstance(model, PathNetRegressor) or not hasattr(model, "module_"):
            raise TypeError(
                f"general[{name!r}] must be a fitted PathNetRegressor, got "
                f"{type(model).__name__}{'' if hasattr(model, 'module_') else ' (not fitted)'}."
            )
    missing = sorted(set(target_names_or_tasks) - set(general))
    if missing:
        raise ValueError(f"general has no PathNet for task(s) {missing}.")


def _task_names(pretrained, y, target_names):
    _, names = check_targets(y, target_names)
    if isinstance(pretrained, dict):
        return names, names
    return names, ["+".join(names)]


def wild_features(pretrained, X_wild, y_wild, target_names, batch_size=64):
    """{task name: (conv features of the held-out wild images under its net, targets)}."""
    nets = pretrained if isinstance(pretrained, dict) else {"+".join(target_names): pretrained}
    y_wild, _ = check_targets(y_wild, target_names)
    if len(y_wild) != len(X_wild):
        raise ValueError(
            f"wild images and targets have inconsistent lengths: {len(X_wild)} and {len(y_wild)}."
        )
    out = {}
    for name, net in nets.items():
        featurizer = FrozenConvFeaturizer(net, batch_size=batch_size).fit()
        with one_thread():  # the same features whatever n_jobs is
            out[name] = (featurizer.transform(X_wild), y_wild)
    return out


def evaluate_pathnet_transfer(
    pretrained,
    general,
    X,
    y,
    *,
    subjects,
    groups=None,
    target_names=None,
    cv=5,
    pathnet=None,
    head=None,
    wild=None,
    study="transfer",
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """Evaluate *PathNet transfer* per subject and fold, and what each method forgets.

    In each fold of each subject (the folds of :func:`evaluate_transfer` for the same
    ``random_state``), a :class:`~sklearn_fer.pathnet.PathNetRegressor` with
    ``source=general[task]`` evolves a personal path on the training fold's frozen conv
    features (the general path's modules frozen, the others re-initialised) and predicts
    the test fold: condition ``"pathnet"``.

    With ``wild``, each unit also measures *forgetting* (study ``"forgetting"``): the
    error on held-out images of the general domain of the general net's dense head, of
    that head fine-tuned on the training fold (seeded as ``transfer_100`` is, so it is
    the same head), of the general PathNet, of the general task through the personal
    PathNet (which must equal the general PathNet's exactly: its path is frozen) and of
    the personal path (``FORGETTING_CONDITIONS``).

    Parameters
    ----------
    pretrained : AlexNetRegressor or dict of str to AlexNetRegressor
        The nets whose conv features the PathNets see, as in :func:`evaluate_transfer`.
    general : dict of str to PathNetRegressor
        Per task name (a target name, for twin nets), the general PathNet fitted on the
        wild set's conv features under that task's net.
    X, y, subjects, groups, target_names, cv
        As in :func:`evaluate_transfer`.
    pathnet : PathNetRegressor or None, default=None
        Template of the personal PathNet (its ``source`` and ``random_state`` are set
        per fold); None: ``PathNetRegressor(head="copy")``.
    head : DenseHeadRegressor or None, default=None
        Template of the fine-tuned head of the forgetting rows; None: the paper's.
    wild : tuple (images, targets) or None, default=None
        Held-out images of the general domain and their targets (every target column):
        adds the forgetting rows. None: no forgetting rows.
    study : str, default="transfer"
        The ``study`` column of the PathNet rows (``"cross_domain"`` for a source task
        of another target).
    batch_size, n_jobs, random_state, cache_dir, progress
        As in :func:`evaluate_transfer`.

    Returns
    -------
    results : pandas.DataFrame
        Columns ``RESULT_COLUMNS``: one row per subject x fold x target with
        ``condition="pathnet"``, plus, with ``wild``, one per forgetting condition with
        ``study="forgetting"`` whose metrics are on the wild images.

    See Also
    --------
    evaluate_transfer : the fine-tuning conditions.
    pathnet_sampling_curve : PathNet on sampled fractions of the training fold.

    Examples
    --------
    >>> from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import evaluate_pathnet_transfer
    >>> from sklearn_fer.pathnet import PathNetRegressor
    >>> wild, lab = make_faces(10, 2, domain="wild"), make_faces(2, 8, random_state=1)
    >>> net = AlexNetRegressor(module__hidden_units=16, random_state=0).initialize()
    >>> F_wild = FrozenConvFeaturizer(net).fit().transform(wild.images)
    >>> small = dict(n_generations=2, max_epochs=2, random_state=0)
    >>> general = PathNetRegressor(**small).fit(F_wild, wild.valence)
    >>> rows = evaluate_pathnet_transfer(
    ...     {"valence": net}, {"valence": general}, lab.images, lab.valence,
    ...     subjects=lab.subject, target_names=["valence"], cv=2,
    ...     pathnet=PathNetRegressor(head="copy", **small),
    ...     head=DenseHeadRegressor(None, max_epochs=1), wild=(wild.images, wild.valence))
    >>> rows.groupby("study").size().to_dict()
    {'forgetting': 20, 'transfer': 4}
    >>> forgetting = rows[rows["study"] == "forgetting"].set_index(["subject", "fold"])
    >>> before = forgetting[forgetting["condition"] == "pathnet_general"]["rmse"]
    >>> after = forgetting[forgetting["condition"] == "pathnet_general_after"]["rmse"]
    >>> bool((before == after).all())
    True
    """
    if not isinstance(study, str) or not study:
        raise ValueError(f"study must be a non-empty str, got {study!r}.")
    names, tasks = _task_names(pretrained, y, target_names)
    _check_general(general, tasks)
    pathnet = PathNetRegressor(head="copy") if pathnet is None else pathnet
    if not isinstance(pathnet, PathNetRegressor):
        raise TypeError(f"pathnet must be a PathNetRegressor, got {type(pathnet).__name__}.")
    head = DenseHeadRegressor(None) if head is None else head
    if wild is not None:
        wild = wild_features(pretrained, wild[0], wild[1], names, batch_size)
    protocol = SubjectProtocol(
        name=f"pathnet_{study}",
        label=f"PathNet ({study})",
        worker=_pathnet_transfer_unit,
        # transfer's seed layout: seeds["transfer_100"] is the fine-tuned head's there
        seed_names=CONDITIONS + ("pathnet",),
        seed_offset=SEED_OFFSETS["pathnet_transfer"],
        settings=dict(general=general, pathnet=pathnet, head=head, wild=wild, study=study),
        fingerprint=dict(
            general={name: fingerprint(model) for name, model in general.items()},
            pathnet=estimator_key(pathnet),
            head=estimator_key(head),
            wild=None if wild is None else fingerprint(wild),
            study=study,
        ),
    )
    common = dict(
        subjects=subjects,
        groups=groups,
        target_names=names,
        cv=cv,
        batch_size=batch_size,
        n_jobs=n_jobs,
        random_state=random_state,
        cache_dir=cache_dir,
        progress=progress,
    )
    return run_protocol(protocol, pretrained, X, y, **common)


def pathnet_sampling_curve(
    pretrained,
    general,
    X,
    y,
    *,
    subjects,
    groups=None,
    target_names=None,
    cv=5,
    samplers=None,
    fractions=(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9),
    pathnet=None,
    batch_size=64,
    n_jobs=None,
    random_state=0,
    cache_dir=None,
    progress=False,
):
    """PathNet transfer on the fraction of each training fold that a sampler picks.

    The PathNet twin of :func:`sampling_curve`: each sampler picks
    ``ceil(fraction * n_train)`` training frames and a personal PathNet
    (``source=general[task]``) is evolved on them only. Seeds follow
    :func:`sampling_curve`'s layout, so the same ``samplers`` dict (same names in the
    same order) and ``random_state`` pick the same frames as the fine-tuned curves.

    Parameters
    ----------
    pretrained, general, X, y, subjects, groups, target_names, cv
        As in :func:`evaluate_pathnet_transfer`.
    samplers : dict of str to sampler or None, default=None
        Samplers by name that need no estimator (random, GSx: GSy and iGS rank frames by
        the pre-trained model's predictions, which a PathNet transfer has none of before
        it is fitted); None: random and GSx from :func:`default_samplers`, seeded from
        ``random_state``.
    fractions : sequence of float in (0, 1], default=(0.05, ..., 0.9)
        Labelled fractions (a PathNet cannot be fitted on no frames).
    pathnet : PathNetRegressor or None, default=None
        As in :func:`evaluate_pathnet_transfer`.
    batch_size, n_jobs, random_state, cache_dir, progress
        As in :func:`evaluate_transfer`.

    Returns
    -------
    results : pandas.DataFrame
        One row per subject x fold x target x sampler x fraction (``study="sampling"``,
        ``condition="pathnet"``).

    Examples
    --------
    >>> from sklearn_fer import AlexNetRegressor, FrozenConvFeaturizer
    >>> from sklearn_fer.active import GreedySampler
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.evaluation import pathnet_sampling_curve
    >>> from sklearn_fer.pathnet import PathNetRegressor
    >>> wild, lab = make_faces(10, 2, domain="wild"), make_faces(2, 10, random_state=1)
    >>> net = AlexNetRegressor(module__hidden_units=16, random_state=0).initialize()
    >>> F_wild = FrozenConvFeaturizer(net).fit().transform(wild.images)
    >>> small = dict(n_generations=2, max_epochs=2, random_state=0)
    >>> general = PathNetRegressor(**small).fit(F_wild, wild.valence)
    >>> curve = pathnet_sampling_curve(
    ...     {"valence": net}, {"valence": general}, lab.images, lab.valence,
    ...     subjects=lab.subject, target_names=["valence"], cv=2, fractions=[0.2, 0.6],
    ...     samplers={"gsx": GreedySampler("x")}, pathnet=PathNetRegressor(**small))
    >>> sorted(curve["n_train"].unique().tolist())
    [1, 3]
    """
    from ._sampling import default_samplers

    fractions = [float(f) for f in fractions]
    if not fractions or any(not 0.0 < f <= 1.0 for f in fractions):
        raise ValueError(f"fractions must be numbers in (0, 1], got {fractions!r}.")
    if samplers is None:
        available = default_samplers(random_state=random_state)
        samplers = {name: available[name] for name in ("random", "gsx")}
    if not isinstance(samplers, dict) or not samplers:
        raise ValueError("samplers must be a non-empty dict of name -> sampler.")
    for name, sampler in samplers.items():
        if not hasattr(sampler, "select") or getattr(sampler, "needs_estimator", True):
            raise TypeError(
                f"sampler {name!r} must have select(X, n) and need no estimator "
                "(needs_estimator=False), like random and GSx: a PathNet transfer has no "
                "predictions before it is fitted."
            )
    names, tasks = _task_names(pretrained, y, target_names)
    _check_general(general, tasks)
    pathnet = PathNetRegressor(head="copy") if pathnet is None else pathnet
    if not isinstance(pathnet, PathNetRegressor):
        raise TypeError(f"pathnet must be a PathNetRegressor, got {type(pathnet).__name__}.")
    protocol = SubjectProtocol(
        name="pathnet_sampling",
        label="PathNet sampling curves",
        worker=_pathnet_sampling_unit,
        seed_names=tuple(samplers),
        seed_offset=SEED_OFFSETS["pathnet_sampling"],  # sampling_curve's: the same picks
        settings=dict(general=general, pathnet=pathnet, samplers=samplers, fractions=fractions),
        fingerprint=dict(
            general={name: fingerprint(model) for name, model in general.items()},
            pathnet=estimator_key(pathnet),
            samplers={name: estimator_key(s) for name, s in samplers.items()},
            fractions=fractions,
        ),
    )
    common = dict(
        subjects=subjects,
        groups=groups,
        target_names=names,
        cv=cv,
        batch_size=batch_size,
        n_jobs=n_jobs,
        random_state=random_state,
        cache_dir=cache_dir,
        progress=progress,
    )
    return run_protocol(protocol, pretrained, X, y, **common)
