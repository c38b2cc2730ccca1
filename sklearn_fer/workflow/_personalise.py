"""A person's own model from their labelled frames (``sklearn-fer personalise``)."""

from __future__ import annotations

import numbers
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch

from .._random import derive_seed
from ..datasets import load_labelled_faces
from ..datasets._labelled import NOT_LABELLED
from ..evaluation import evaluate_transfer, summarize
from ..featurizers import FrozenConvFeaturizer
from ..optim import FusedAdam
from ..regressors import DenseHeadRegressor
from ._face_files import LABEL_SIZE
from ._folds import canonical_order, fold_of_each_frame
from ._general import general_model
from ._labels import LABELS, duplicated_rows, read_table
from ._pool import target_names

__all__ = ["default_head", "personalise"]

_LABELLED_TARGETS = ("valence", "arousal")
_CONDITIONS = {
    "transfer_0": "general (Transfer 0%)",
    "transfer_100": "personal",
}


def default_head(*, device="cpu"):
    """The fine-tuned head's settings when none are given.

    Adam at 3e-4 with batches of 32, as the quick study profile
    (``sklearn-fer reproduce --profile quick``), for 40 epochs rather than its 10: a
    person labels a few dozen frames, a batch or two per epoch. The paper's SGD at 1e-3
    learns slowly on so few frames.

    Parameters
    ----------
    device : str, default="cpu"

    Returns
    -------
    DenseHeadRegressor
        A template (``pretrained=None``; set per target).

    Examples
    --------
    >>> default_head().max_epochs
    40
    """
    return DenseHeadRegressor(
        None, optimizer=FusedAdam, lr=3e-4, batch_size=32, max_epochs=40, device=device
    )


def _tasks(nets):
    names = target_names(nets)
    unknown = [name for name in names if name not in _LABELLED_TARGETS]
    if unknown:
        raise ValueError(
            f"the model predicts {', '.join(unknown)}, which labels.csv does not give (it "
            f"gives {', '.join(_LABELLED_TARGETS)})."
        )
    if all("+" not in key for key in nets):
        return names, nets  # twin nets (or one target): evaluated per target
    if len(nets) == 1:
        return names, next(iter(nets.values()))  # one joint net
    raise ValueError("a model folder with several joint nets cannot be personalised.")


def labelled_model_inputs(images, crop):
    """The model's inputs made from saved faces, as ``query`` made its pool's.

    The faces are read at the size ``query`` saves them (``LABEL_SIZE``, or the model's
    size when larger) and turned into the model's input by its crop's own colour and
    resampling (:meth:`~sklearn_fer._model_crop.ModelCrop.from_face`).
    """
    size = crop.size
    if not len(images):
        return np.empty((0, size, size, 3), dtype=np.uint8)
    return np.stack([crop.from_face(np.asarray(images[i])) for i in range(len(images))])


def _labelled_faces(folder, crop):
    """The labelled frames, in canonical order; every bad or duplicated row refused."""
    problems = duplicated_rows(read_table(folder)["path"].tolist())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing images are refused below, by line
        data = load_labelled_faces(
            folder, image_size=max(LABEL_SIZE, crop.size), errors="drop", lazy=True
        )
    dropped = data.dropped[data.dropped["reason"] != NOT_LABELLED]
    problems = [
        f"line {row + 2} ({path or 'no path'}): {reason}"
        for row, path, reason in dropped.itertuples(index=False)
    ] + problems
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise ValueError(
            f"{str(Path(os.fspath(folder)) / LABELS)!r} has bad rows: {shown}. Fix or remove "
            "them (in any editor) and run again; nothing was trained."
        )
    order = canonical_order(data.frame)
    images = labelled_model_inputs(data.images[order], crop)
    return images, data.frame.iloc[order].reset_index(drop=True), data.target[order]


def _undefined_ccc(results, y, folds):
    """CCC is undefined on a test fold whose labels never vary: NaN there, with a warning.

    (The metric's 1 for a constant prediction of a constant truth, or 0 for any other
    prediction, measures no agreement.) Means over folds then leave those folds out; a
    target whose labels never vary in any fold has no CCC at all.
    """
    n_folds = int(folds.max()) + 1
    for target in y.columns:
        values = y[target].to_numpy()
        constant = [f for f in range(n_folds) if np.ptp(values[folds == f]) == 0]
        if not constant:
            continue
        mask = (results["target"] == target) & results["fold"].isin(constant)
        results.loc[mask, "ccc"] = np.nan
        where = (
            "in every test fold: its CCC is undefined"
            if len(constant) == n_folds
            else f"in {len(constant)} of {n_folds} test folds: CCC is undefined there and "
            "left out of the means"
        )
        warnings.warn(f"the {target} labels never vary {where}.", UserWarning, stacklevel=3)
    return results


def _scores(results, names):
    table = summarize(results, metrics=("rmse", "ccc"))
    table = table.rename(columns={"rmse_mean": "rmse", "ccc_mean": "ccc"})
    table["model"] = table["condition"].map(_CONDITIONS)
    table["_order"] = table["target"].map(names.index) * 2 + (table["condition"] == "transfer_100")
    table = table.sort_values("_order", kind="stable")
    return table[["target", "model", "rmse", "ccc"]].reset_index(drop=True)


def personalise(folder, model, *, cv=5, head=None, random_state=0, device="cpu", progress=False):
    """Fine-tune a general model's dense part on a person's labelled frames.

    The personal model of Rescigno et al. (2020, Section 3.3): for each target, the
    general net's conv part is frozen and its dense part, initialised from the general
    weights, is fine-tuned on the labelled frames of ``folder`` (rows not labelled yet are
    left out). Before the final fit on every labelled frame, K-fold cross-validation on
    those frames (:func:`~sklearn_fer.evaluation.evaluate_transfer`, mean over folds)
    compares the fine-tuned model with the general one as it is (*Transfer 0%*), so the
    person sees whether their labels helped.

    The folds are the same for a seed however the rows of ``labels.csv`` are ordered,
    and frames of one video less than a second apart stay in one fold (neighbouring frames
    look alike: split between training and test they would flatter the personal model);
    see ``sklearn_fer/workflow/_folds.py``. A test fold whose labels of a target never
    vary has no CCC (warned; left out of the mean, or reported as NaN when every fold is
    so).

    Parameters
    ----------
    folder : path-like
        A labelling folder (``sklearn-fer query`` and ``label``; any folder
        :func:`~sklearn_fer.datasets.load_labelled_faces` reads).
    model : path-like or "fer2013-mini-xception"
        A general model folder (``sklearn-fer pretrain`` or ``reproduce``), or
        :data:`~sklearn_fer.workflow.FER2013_MODEL`: the real FER2013 mini-Xception as a
        valence-arousal model (its expression probabilities through Russell & Mehrabian
        1977's published coordinates, plus a residual at zero:
        :func:`~sklearn_fer.nets.load_fer2013_valence_arousal`), whose conv layers are
        frozen and whose head is fine-tuned from that prior. Its *Transfer 0%* is the
        published map's answer, not a model trained on valence-arousal labels.
    cv : int, default=5
        Folds of the cross-validation (fewer when there are fewer groups of neighbouring
        frames).
    head : DenseHeadRegressor or None, default=None
        Template of the fine-tuned head; None: :func:`default_head`.
    random_state : int, default=0
        Seeds the folds and the fine-tuning.
    device : str, default="cpu"
        Torch device.
    progress : bool, default=False
        Show a progress bar over the cross-validation folds.

    Returns
    -------
    result : sklearn.utils.Bunch
        ``models`` (dict of target to fitted ``Pipeline(FrozenConvFeaturizer,
        DenseHeadRegressor)``, ready for :func:`~sklearn_fer.persistence.save_pretrained`),
        ``scores`` (DataFrame: ``target``, ``model`` ("general (Transfer 0%)" and
        "personal"), cross-validated ``rmse`` and ``ccc``), ``results`` (the per-fold
        rows), ``n_labelled``, ``n_folds``, ``image_size``, ``crop`` (the model's
        :class:`~sklearn_fer._model_crop.ModelCrop`, for
        :func:`~sklearn_fer.persistence.save_pretrained`).

    Raises
    ------
    ValueError
        Fewer than 2 labelled frames (or all within a second of each other), bad rows in
        ``labels.csv`` (a bad label, a missing image, a file listed twice: each named by
        its line), or a model folder that is not a general model.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer.workflow import personalise
    >>> personalise(tempfile.mkdtemp(), "no-such-model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn_fer.persistence._manifest.ModelFolderError: model folder 'no-such-model' ...
    """
    if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
        raise ValueError(f"cv must be an int >= 2, got {cv!r}.")
    general = general_model(model, device=device, kind="general")
    nets, image_size = general.nets, general.image_size
    names, pretrained = _tasks(nets)
    images, frame, target = _labelled_faces(folder, general.crop)
    n = len(images)
    if n < 2:
        raise ValueError(
            f"{os.fspath(folder)!r} has {n} labelled frame(s); personalising needs at least 2 "
            "(label more with sklearn-fer label)."
        )
    labelled = dict(zip(("valence", "arousal"), target.T))
    y = pd.DataFrame({name: labelled[name] for name in names})
    head = default_head(device=device) if head is None else head
    folds = fold_of_each_frame(frame, cv, random_state)
    n_folds = int(folds.max()) + 1
    results = evaluate_transfer(
        pretrained,
        images,
        y,
        subjects=np.zeros(n, dtype=np.int64),
        target_names=names,
        cv=PredefinedSplit(folds),
        conditions=("transfer_0", "transfer_100"),
        head=head,
        random_state=random_state,
        progress=progress,
    )
    results = _undefined_ccc(results, y, folds)
    models = {}
    for index, (task, net) in enumerate(nets.items()):
        tuned = clone(head).set_params(
            pretrained=net, random_state=derive_seed(random_state, 31, index) % (2**31)
        )
        target = y[task.split("+")].to_numpy(dtype=np.float32)
        pipeline = Pipeline([("featurizer", FrozenConvFeaturizer(net)), ("head", tuned)])
        models[task] = pipeline.fit(images, target[:, 0] if target.shape[1] == 1 else target)
    return Bunch(
        models=models,
        scores=_scores(results, names),
        results=results,
        n_labelled=n,
        n_folds=n_folds,
        image_size=image_size,
        crop=general.crop,
    )
