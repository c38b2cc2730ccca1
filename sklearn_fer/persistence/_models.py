"""Save and load general and personal models as weights, never as pickles.

A model folder holds ``model.json`` (see :mod:`._manifest`) and one weights file per
target: the state dict of the whole network, conv part and dense part, written with
``torch.save``. A personal model (a :class:`~sklearn_fer.DenseHeadRegressor` fine-tuned on
one person, alone or after its :class:`~sklearn_fer.FrozenConvFeaturizer` in a
``Pipeline``) is saved as the network it amounts to: the pre-trained conv part, included,
with the fine-tuned dense part. So general and personal models share one format, and
loading rebuilds each net from the JSON and reads the weights with
``torch.load(weights_only=True)``, which refuses files holding anything but tensors: a
model folder cannot run code on the machine that loads it.
"""

from __future__ import annotations

import copy
import json
import numbers
import os
from pathlib import Path

import torch

from .._atomic import folder_written_whole
from .._frozen import pretrained_module
from ..nets import MIN_IMAGE_SIZE, conv_part, dense_part
from ._backbones import BACKBONES, backbone_name
from ._manifest import (
    FORMAT,
    KINDS,
    MANIFEST,
    VERSION,
    ModelFolderError,
    check_target_name,
    member,
    read_manifest,
)

__all__ = ["load_pipeline", "load_pretrained", "save_pretrained"]

_WEIGHTS_ONLY = {"weights_only": True}


def _initialised_module(estimator, what):
    module = getattr(estimator, "module_", None)
    if not isinstance(module, torch.nn.Module):
        raise ValueError(
            f"{what} is not fitted: fit it (or call initialize() for its initial weights) "
            "before saving."
        )
    return module


def _head_net(head, featurizer, what):
    """The whole network a fitted head amounts to: pre-trained conv part, its dense part."""
    dense = _initialised_module(head, what)
    whole = copy.deepcopy(pretrained_module(head.pretrained, type(head).__name__))
    backbone_name(whole, f"the pre-trained net of {what}")
    try:
        dense_part(whole).load_state_dict(dense.state_dict())
        if featurizer is not None and hasattr(featurizer, "conv_"):
            conv_part(whole).load_state_dict(featurizer.conv_.state_dict())
    except RuntimeError as error:
        raise ValueError(
            f"{what}: the featurizer's conv layers and the head do not make one network of "
            f"the head's pre-trained architecture: {error}"
        ) from None
    return whole


def _whole_net(model, target):
    """``(network module, y_ndim, fine-tuned?)`` of one value given to save_pretrained."""
    from sklearn.pipeline import Pipeline

    from ..featurizers import FrozenConvFeaturizer
    from ..regressors import DenseHeadRegressor

    what = f"the model for {target!r}"
    if isinstance(model, Pipeline):
        steps = [step for _, step in model.steps]
        if not (
            len(steps) == 2
            and isinstance(steps[0], FrozenConvFeaturizer)
            and isinstance(steps[1], DenseHeadRegressor)
        ):
            raise TypeError(
                f"{what} is a Pipeline of {[type(s).__name__ for s in steps]}; a personal "
                "model's Pipeline must be FrozenConvFeaturizer followed by DenseHeadRegressor."
            )
        head = steps[1]
        return _head_net(head, steps[0], what), int(getattr(head, "y_ndim_", 1)), True
    if isinstance(model, DenseHeadRegressor):
        return _head_net(model, None, what), int(getattr(model, "y_ndim_", 1)), True
    if hasattr(model, "module_") or hasattr(model, "initialize"):
        module = _initialised_module(model, what)
        backbone_name(module, what)
        return module, int(getattr(model, "y_ndim_", 1)), False
    raise TypeError(
        f"{what} is a {type(model).__name__}; expected an AlexNetRegressor (a general "
        "model), a DenseHeadRegressor or a Pipeline(FrozenConvFeaturizer, DenseHeadRegressor) "
        "(a personal model)."
    )


def _check_crop(crop, image_size):
    from .._model_crop import ModelCrop, default_crop

    if crop is None:
        return default_crop(image_size)
    if not isinstance(crop, ModelCrop):
        raise TypeError(f"crop must be a ModelCrop or None, got {type(crop).__name__}.")
    if crop.size != image_size:
        raise ValueError(f"crop.size ({crop.size}) must equal image_size ({image_size}).")
    return crop


def _check_save_arguments(models, image_size, metadata, kind):
    if not isinstance(models, dict) or not models:
        raise TypeError(
            "models must be a non-empty dict of target name to model, such as "
            f"{{'valence': net}}; got {type(models).__name__}."
        )
    for target in models:
        check_target_name(target)
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, numbers.Integral)
        or image_size < MIN_IMAGE_SIZE
    ):
        raise ValueError(f"image_size must be an int >= {MIN_IMAGE_SIZE}, got {image_size!r}.")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, got {kind!r}.")
    try:
        return json.loads(json.dumps(metadata or {}))
    except (TypeError, ValueError) as error:
        raise TypeError(f"metadata must be JSON-serialisable: {error}") from None


def save_pretrained(models, folder, *, image_size, metadata=None, kind=None, crop=None):
    """Write general or personal models (one per target) as a model folder, atomically.

    Parameters
    ----------
    models : dict of str to estimator
        Fitted models by target name (a joint net under a name such as
        ``"valence+arousal"``): :class:`~sklearn_fer.AlexNetRegressor` (a general model),
        or :class:`~sklearn_fer.DenseHeadRegressor`, alone or in
        ``Pipeline(FrozenConvFeaturizer, DenseHeadRegressor)`` (a personal model, saved as
        the pre-trained conv part with the fine-tuned dense part).
    folder : path-like
        Destination; replaced as a whole once everything is written.
    image_size : int
        Side of the face images the models were trained on (``predict`` crops to it).
    metadata : dict or None, default=None
        Extra JSON-serialisable information (the training configuration, scores).
    kind : {"general", "personal"} or None, default=None
        What the manifest calls the model; None: ``"personal"`` when any model is a
        fine-tuned head, else ``"general"``.
    crop : ModelCrop or None, default=None
        How faces were cut out of frames for the models (``query``, ``label``,
        ``personalise`` and ``predict`` cut them so); None: FaceCropper's crop at
        ``image_size`` (a square 20% wider than the face box on each side, colour).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    TypeError
        A model of another type, a network whose backbone model folders do not hold, or
        metadata that JSON cannot hold.
    ValueError
        An unfitted model, a bad target name or image size.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
    >>> general = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"arousal": general}, tempfile.mkdtemp() + "/model",
    ...                          image_size=64, metadata={"trained_on": "nothing yet"})
    >>> sorted(path.name for path in folder.iterdir())
    ['arousal.pt', 'model.json']
    >>> features = FrozenConvFeaturizer(general).fit_transform(np.zeros((4, 64, 64, 3), np.uint8))
    >>> head = DenseHeadRegressor(general, max_epochs=1).fit(features, [0.1, 0.2, 0.3, 0.4])
    >>> personal = save_pretrained({"arousal": head}, tempfile.mkdtemp() + "/personal",
    ...                            image_size=64)
    >>> read_manifest(personal)["kind"]
    'personal'
    """
    metadata = _check_save_arguments(models, image_size, metadata, kind)
    crop = _check_crop(crop, image_size)
    nets = {target: _whole_net(model, target) for target, model in models.items()}
    if kind is None:
        kind = "personal" if any(tuned for _, _, tuned in nets.values()) else "general"
    backbones = {
        backbone_name(module, f"the model for {t!r}") for t, (module, _, _) in nets.items()
    }
    if len(backbones) != 1:
        raise TypeError(f"all models of a folder must share one backbone, got {sorted(backbones)}.")
    backbone = backbones.pop()
    folder = Path(os.fspath(folder))
    with folder_written_whole(folder) as staging:
        entries = {}
        for target, (module, y_ndim, _) in nets.items():
            file_name = f"{target.replace('+', '_and_')}.pt"
            state = {name: tensor.detach().cpu() for name, tensor in module.state_dict().items()}
            torch.save(state, staging / file_name)
            entries[target] = {
                "file": file_name,
                "architecture": BACKBONES[backbone].describe(module),
                "y_ndim": y_ndim,
            }
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "kind": kind,
            "backbone": backbone,
            "image_size": int(image_size),
            "crop": crop.to_json(),
            "target_order": list(entries),
            "targets": entries,
            "metadata": metadata,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return folder


def _check_kind(folder, manifest, kind):
    if kind is None:
        return
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, got {kind!r}.")
    if manifest["kind"] != kind:
        raise ModelFolderError(
            f"{str(folder)!r} holds a {manifest['kind']} model; a {kind} model is needed here."
        )


def load_pretrained(folder, *, device="cpu", kind=None):
    """Rebuild the nets of a model folder written by :func:`save_pretrained`.

    General and personal models load alike: each target's whole network, ready to
    ``predict`` on face images.

    Parameters
    ----------
    folder : path-like
        The model folder.
    device : str, default="cpu"
        Torch device to load onto.
    kind : {"general", "personal"} or None, default=None
        Refuse a folder holding another kind of model; None accepts both.

    Returns
    -------
    nets : dict of str to AlexNetRegressor
        Initialised nets with the saved weights, in the manifest's target order.
    image_size : int
        Side of the face images they expect.

    Raises
    ------
    ModelFolderError
        The folder is not a model folder (or not of ``kind``), its manifest is refused
        (see :func:`read_manifest`), or a weights file holds anything but tensors or does
        not match the architecture.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer import AlexNetRegressor
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"valence": net}, tempfile.mkdtemp() + "/model", image_size=64)
    >>> nets, size = load_pretrained(folder, kind="general")
    >>> sorted(nets), size
    (['valence'], 64)
    """
    folder = Path(os.fspath(folder)).expanduser()
    manifest = read_manifest(folder)
    _check_kind(folder, manifest, kind)
    backbone = BACKBONES[manifest["backbone"]]
    nets = {}
    for target in manifest["target_order"]:
        entry = manifest["targets"][target]
        weights = member(folder, entry["file"])
        net = backbone.build(entry["architecture"], device, _WEIGHTS_ONLY)
        try:
            net.load_params(f_params=str(weights))
        except Exception as error:  # noqa: BLE001 - garbage bytes fail in many ways (struct.error...)
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ModelFolderError(
                f"{str(weights)!r} is not a weights file for this architecture (only tensors "
                f"are loaded, never pickled objects): {type(error).__name__}: {first_line}"
            ) from None
        net.y_ndim_ = entry["y_ndim"]
        nets[target] = net
    return nets, manifest["image_size"]


def load_pipeline(folder, *, device="cpu", kind=None):
    """Each target's model as ``Pipeline(FrozenConvFeaturizer, DenseHeadRegressor)``.

    The pipelines predict what the saved nets predict (the head starts from the saved
    dense weights), and ``fit`` fine-tunes the dense part on new frames from those weights
    over frozen conv features: the personal model of Rescigno et al. (2020, Section 3.3).
    The steps are named ``"featurizer"`` and ``"head"`` (``set_params(head__lr=...)``).

    Parameters
    ----------
    folder : path-like
        The model folder.
    device : str, default="cpu"
        Torch device of the nets, the featurizer and the head.
    kind : {"general", "personal"} or None, default=None
        As in :func:`load_pretrained`.

    Returns
    -------
    pipelines : dict of str to sklearn.pipeline.Pipeline
        Fitted featurizer, initialised head, in the manifest's target order.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"valence": net}, tempfile.mkdtemp() + "/model", image_size=64)
    >>> pipeline = load_pipeline(folder)["valence"]
    >>> faces = np.zeros((2, 64, 64, 3), np.uint8)
    >>> bool(np.allclose(pipeline.predict(faces), net.predict(faces), atol=1e-6))
    True
    """
    from sklearn.pipeline import Pipeline

    from ..featurizers import FrozenConvFeaturizer
    from ..regressors import DenseHeadRegressor

    nets, _ = load_pretrained(folder, device=device, kind=kind)
    return {
        target: Pipeline(
            [
                ("featurizer", FrozenConvFeaturizer(net).fit()),
                ("head", DenseHeadRegressor(net, device=device).initialize()),
            ]
        )
        for target, net in nets.items()
    }
