"""Save and load general models as weights, never as pickles.

A model folder holds ``model.json`` (what to rebuild: targets, image size, architecture)
and one weights file per target written by skorch's ``save_params``. Loading rebuilds each
:class:`~sklearn_fer.AlexNetRegressor` from the JSON and reads the weights with
``torch.load(weights_only=True)``, which refuses files holding anything but tensors: a
model folder cannot run code on the machine that loads it.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

from ._atomic import replace_folder, staging_folder
from .regressors import AlexNetRegressor

__all__ = ["FORMAT", "load_pretrained", "save_pretrained"]

FORMAT = "sklearn-fer/alexnet-weights"
_VERSION = 1
_WEIGHTS_ONLY = {"weights_only": True}


def _architecture(net):
    module = net.module_
    return {
        "n_outputs": int(module.classifier[-1].out_features),
        "hidden_units": int(module.classifier[1].out_features),
        "dropout": float(module.classifier[0].p),
    }


def save_pretrained(nets, folder, *, image_size, metadata=None):
    """Write fitted AlexNetRegressors (one per target) as a model folder, atomically.

    Parameters
    ----------
    nets : dict of str to AlexNetRegressor
        Fitted nets by target name (a joint net under a name such as "valence+arousal").
    folder : path-like
        Destination; replaced as a whole once everything is written.
    image_size : int
        Side of the face images the nets were trained on (``predict`` crops to it).
    metadata : dict or None, default=None
        Extra JSON-serialisable information (the training configuration, say).

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer import AlexNetRegressor
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"arousal": net}, tempfile.mkdtemp() + "/model",
    ...                          image_size=64, metadata={"trained_on": "nothing yet"})
    >>> sorted(path.name for path in folder.iterdir())
    ['arousal.pt', 'model.json']
    """
    folder = Path(os.fspath(folder))
    staging = staging_folder(folder)
    try:
        entries = {}
        for target, net in nets.items():
            file_name = f"{target.replace('+', '_and_')}.pt"
            net.save_params(f_params=str(staging / file_name))
            entries[target] = {
                "file": file_name,
                "architecture": _architecture(net),
                "y_ndim": int(getattr(net, "y_ndim_", 1)),
            }
        manifest = {
            "format": FORMAT,
            "version": _VERSION,
            "image_size": int(image_size),
            "target_order": list(entries),
            "targets": entries,
            "metadata": metadata or {},
        }
        (staging / "model.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_folder(staging, folder)
    return folder


def load_pretrained(folder, *, device="cpu"):
    """Rebuild the nets of a model folder written by :func:`save_pretrained`.

    Parameters
    ----------
    folder : path-like
        The model folder.
    device : str, default="cpu"
        Torch device to load onto.

    Returns
    -------
    nets : dict of str to AlexNetRegressor
        Initialised nets with the saved weights, ready to ``predict``.
    image_size : int
        Side of the face images they expect.

    Raises
    ------
    ValueError
        The folder is not a model folder, or a weights file holds anything but tensors.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer import AlexNetRegressor
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> folder = save_pretrained({"valence": net}, tempfile.mkdtemp() + "/model", image_size=64)
    >>> nets, size = load_pretrained(folder)
    >>> sorted(nets), size
    (['valence'], 64)
    """
    folder = Path(os.fspath(folder))
    manifest_path = folder / "model.json"
    if not manifest_path.is_file():
        raise ValueError(
            f"{str(folder)!r} is not a sklearn-fer model folder: no model.json (expected the "
            "'model' folder that 'sklearn-fer reproduce' writes)."
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{str(manifest_path)!r} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != _VERSION:
        raise ValueError(
            f"{str(manifest_path)!r} is not a {FORMAT} v{_VERSION} manifest "
            f"(format={manifest.get('format')!r}, version={manifest.get('version')!r})."
        )
    nets = {}
    order = manifest.get("target_order") or list(manifest["targets"])
    for target in order:
        entry = manifest["targets"][target]
        architecture = entry["architecture"]
        net = AlexNetRegressor(
            module__n_outputs=int(architecture["n_outputs"]),
            module__hidden_units=int(architecture["hidden_units"]),
            module__dropout=float(architecture["dropout"]),
            device=device,
            torch_load_kwargs=dict(_WEIGHTS_ONLY),
        ).initialize()
        weights = folder / os.path.basename(entry["file"])
        if not weights.is_file():
            raise ValueError(f"weights file {str(weights)!r} is missing.")
        try:
            net.load_params(f_params=str(weights))
        except (pickle.UnpicklingError, RuntimeError, EOFError, AttributeError) as error:
            raise ValueError(
                f"{str(weights)!r} is not a weights file (only tensors are loaded, never "
                f"pickled objects): {error}"
            ) from None
        net.y_ndim_ = int(entry.get("y_ndim", 1))
        nets[target] = net
    return nets, int(manifest["image_size"])
