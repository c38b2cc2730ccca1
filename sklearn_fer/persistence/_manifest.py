"""``model.json``: what a model folder holds, checked before anything is loaded.

The manifest names the backbone, the kind of model, the image size, the face crop the
model was trained with (margin or pixel offsets, square, gray or colour, size,
interpolation, border: :class:`~sklearn_fer._model_crop.ModelCrop`; folders without one
read as :class:`~sklearn_fer.FaceCropper`'s crop, which they were trained on) and one
weights file per target. Reading it checks every field: a wrong format, an unknown backbone, absurd
architecture numbers or a file name that leaves the folder (``../x.pt``, an absolute
path, a symbolic link pointing elsewhere) are refused with a :class:`ModelFolderError`
before any weights are read.
"""

from __future__ import annotations

import json
import numbers
import os
import re
from pathlib import Path

from .._model_crop import ModelCrop, default_crop
from ..nets import MIN_IMAGE_SIZE
from ._backbones import BACKBONES

__all__ = [
    "FORMAT",
    "KINDS",
    "MANIFEST",
    "VERSION",
    "ModelFolderError",
    "check_target_name",
    "member",
    "read_manifest",
]

FORMAT = "sklearn-fer/model"
VERSION = 2
#: Folders written before the manifest named its backbone and kind: AlexNet, general.
_LEGACY = ("sklearn-fer/alexnet-weights", 1)
#: ``general``: trained on many people (``sklearn-fer pretrain``, ``reproduce``);
#: ``personal``: fine-tuned to one person (``sklearn-fer personalise``).
KINDS = ("general", "personal")
MANIFEST = "model.json"
_MAX_IMAGE_SIZE = 4096
_TARGET = re.compile(r"[A-Za-z0-9_-]+(\+[A-Za-z0-9_-]+)*")
_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*\.pt")


class ModelFolderError(ValueError):
    """A folder is not a model folder of the expected kind, or its content is refused.

    A ``ValueError``: the path given is not an acceptable model.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer.persistence import ModelFolderError, read_manifest
    >>> try:
    ...     read_manifest(tempfile.mkdtemp())
    ... except ModelFolderError as error:
    ...     print(str(error).split(":")[-1].strip())
    no model.json (expected a folder written by sklearn-fer pretrain, personalise or reproduce).
    """


def check_target_name(name):
    """A target name as a model folder stores it (``valence``, ``valence+arousal``)."""
    if not isinstance(name, str) or not _TARGET.fullmatch(name):
        raise ValueError(
            f"target names must be letters, digits, '_' or '-', joined by '+' for a joint "
            f"net (such as 'valence' or 'valence+arousal'), got {name!r}."
        )
    return name


def member(folder, name):
    """The path of file ``name`` of a model folder, refused unless it stays inside it.

    Parameters
    ----------
    folder : pathlib.Path
    name : str
        A plain file name from the manifest.

    Returns
    -------
    pathlib.Path
    """
    if not isinstance(name, str) or not _FILE.fullmatch(name):
        raise ModelFolderError(
            f"{str(folder / MANIFEST)!r} names the weights file {name!r}; only plain file "
            "names ending in .pt inside the model folder are read (no paths, no '..')."
        )
    path = folder / name
    resolved, inside = path.resolve(), folder.resolve()
    if resolved.parent != inside:
        raise ModelFolderError(
            f"weights file {str(path)!r} leads outside the model folder (to "
            f"{str(resolved)!r}); it is not read."
        )
    if not resolved.is_file():
        raise ModelFolderError(f"weights file {str(path)!r} is missing.")
    return path


def _malformed(path, message):
    return ModelFolderError(f"{str(path)!r} is not a valid model manifest: {message}")


def _load_json(folder):
    path = folder / MANIFEST
    if not folder.is_dir():
        raise ModelFolderError(f"model folder {str(folder)!r} does not exist or is not a folder.")
    if not path.is_file():
        hint = (
            " it holds labels.csv: it is a labelling folder (see sklearn-fer query), not a model"
            if (folder / "labels.csv").is_file()
            else " no model.json (expected a folder written by sklearn-fer pretrain, "
            "personalise or reproduce)."
        )
        raise ModelFolderError(f"{str(folder)!r} is not a sklearn-fer model folder:{hint}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFolderError(f"{str(path)!r} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise _malformed(path, "expected a JSON object")
    return path, manifest


def _check_version(path, manifest):
    found = (manifest.get("format"), manifest.get("version"))
    if found == _LEGACY:
        manifest = {**manifest, "kind": "general", "backbone": "alexnet"}
    elif found != (FORMAT, VERSION):
        raise ModelFolderError(
            f"{str(path)!r} is not a {FORMAT} v{VERSION} manifest (format={found[0]!r}, "
            f"version={found[1]!r}); it was written by another program or version."
        )
    return manifest


def _check_image_size(path, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not MIN_IMAGE_SIZE <= value <= _MAX_IMAGE_SIZE
    ):
        raise _malformed(
            path,
            f"image_size must be an int in [{MIN_IMAGE_SIZE}, {_MAX_IMAGE_SIZE}], got {value!r}",
        )
    return int(value)


def _check_targets(path, manifest, backbone):
    targets, order = manifest.get("targets"), manifest.get("target_order")
    if not isinstance(targets, dict) or not targets:
        raise _malformed(path, "'targets' must be a non-empty object")
    if order is None:
        order = list(targets)
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(targets):
        raise _malformed(path, "'target_order' must list each of the targets once")
    checked = {}
    for name in order:
        entry = targets[name]
        try:
            check_target_name(name)
        except ValueError as error:
            raise _malformed(path, str(error)) from None
        if not isinstance(entry, dict):
            raise _malformed(path, f"target {name!r} must be an object")
        y_ndim = entry.get("y_ndim", 1)
        if y_ndim not in (1, 2) or isinstance(y_ndim, bool):
            raise _malformed(path, f"target {name!r}: y_ndim must be 1 or 2, got {y_ndim!r}")
        try:
            architecture = backbone.check(entry.get("architecture"))
        except (TypeError, ValueError) as error:
            raise _malformed(path, f"target {name!r}: {error}") from None
        checked[name] = {"file": entry.get("file"), "architecture": architecture, "y_ndim": y_ndim}
    return order, checked


def _check_crop(path, manifest, image_size):
    value = manifest.get("crop")
    if value is None:
        return default_crop(image_size)
    try:
        return ModelCrop.from_json(value, size=image_size)
    except (TypeError, ValueError) as error:
        raise _malformed(path, str(error)) from None


def read_manifest(folder):
    """Read and check the ``model.json`` of a model folder, without loading any weights.

    Parameters
    ----------
    folder : path-like
        A folder written by :func:`save_pretrained` (``sklearn-fer pretrain``,
        ``personalise`` or ``reproduce``).

    Returns
    -------
    manifest : dict
        ``kind`` (``"general"`` or ``"personal"``), ``backbone`` (its name, such as
        ``"alexnet"``), ``image_size``, ``target_order``, ``targets`` (per target: weights
        ``file``, ``architecture``, ``y_ndim``), ``crop`` (a
        :class:`~sklearn_fer._model_crop.ModelCrop`; FaceCropper's at ``image_size`` for
        folders that record none) and ``metadata``. Folders of the first
        format (before backbones and kinds were recorded) read as general AlexNets.

    Raises
    ------
    ModelFolderError
        The folder has no ``model.json``, or it is not valid, names an unknown backbone,
        absurd architecture numbers, or a weights file that leaves the folder.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer import AlexNetRegressor
    >>> from sklearn_fer.persistence import read_manifest, save_pretrained
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"valence": net}, tempfile.mkdtemp() + "/m", image_size=64)
    >>> manifest = read_manifest(folder)
    >>> manifest["kind"], manifest["backbone"], manifest["target_order"]
    ('general', 'alexnet', ['valence'])
    """
    folder = Path(os.fspath(folder)).expanduser()
    path, manifest = _load_json(folder)
    manifest = _check_version(path, manifest)
    kind, backbone_name = manifest.get("kind"), manifest.get("backbone")
    if kind not in KINDS:
        raise _malformed(path, f"kind must be one of {KINDS}, got {kind!r}")
    if not isinstance(backbone_name, str) or backbone_name not in BACKBONES:
        raise ModelFolderError(
            f"{str(path)!r} names the backbone {backbone_name!r}, which this version of "
            f"sklearn-fer does not know (known: {', '.join(sorted(BACKBONES))})."
        )
    order, targets = _check_targets(path, manifest, BACKBONES[backbone_name])
    for entry in targets.values():
        member(folder, entry["file"])
    metadata = manifest.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise _malformed(path, "'metadata' must be an object")
    image_size = _check_image_size(path, manifest.get("image_size"))
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "backbone": backbone_name,
        "image_size": image_size,
        "crop": _check_crop(path, manifest, image_size),
        "target_order": order,
        "targets": targets,
        "metadata": metadata,
    }
