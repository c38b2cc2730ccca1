"""General models for ``sklearn-fer pretrain``: the resumable pre-training of
:mod:`sklearn_fer._general_nets` (a checkpoint after every epoch) into a model folder of
its own.

The folder holds, while training, ``pretrain.json`` (what is being trained, keyed by a
hash of the settings and the data) and ``checkpoints/<target>/``; at the end it is
replaced, atomically, by the model folder. Re-running the same command resumes from the
last finished epoch; a folder holding anything else is never touched.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path

from skorch.callbacks import Callback

from .. import __version__
from .._atomic import atomic_write
from .._general_nets import (
    PAPER_VALIDATION_RMSE,
    TARGETS,
    epochs_phrase,
    fit_resumably,
    flat_settings,
    pretrain_key,
    validation_scores,
)
from ..persistence import ModelFolderError, read_manifest, save_pretrained

__all__ = ["PretrainError", "data_fingerprint", "pretrain"]

_STATE = "pretrain.json"


class PretrainError(ValueError):
    """The output folder holds something ``pretrain`` must not touch."""


class _BatchBar(Callback):
    """A progress bar over the batches of each training epoch (closed at its end)."""

    def __init__(self, label):
        self.label = label
        self.bar = None

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        from tqdm.auto import tqdm

        batches = math.ceil(len(dataset_train) / net.batch_size) if dataset_train else None
        epoch = len(net.history)
        self.bar = tqdm(
            total=batches, desc=f"{self.label} epoch {epoch}", unit="batch", leave=False
        )

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.bar is not None:
            self.bar.update(1)

    def on_epoch_end(self, net, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def data_fingerprint(source, root=None, labels=None):
    """What identifies the training data, for the key of a pre-training."""
    fingerprint = {"source": source}
    if root is not None:
        fingerprint["root"] = str(Path(root).resolve())
    if labels is not None and Path(labels).is_file():  # a missing one: the loader says so
        fingerprint["labels_sha256"] = hashlib.sha256(Path(labels).read_bytes()).hexdigest()
    return fingerprint


def _key(config, fingerprint):
    text = json.dumps({"config": pretrain_key(config), "data": fingerprint}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_out(out, key):
    """True when ``out`` already holds this model; raise when it holds something else."""
    if (out / "model.json").is_file():
        try:
            recorded = read_manifest(out)["metadata"].get("pretrain_key")
        except ModelFolderError:
            recorded = None
        if recorded == key:
            return True
        raise PretrainError(
            f"{str(out)!r} holds another model; choose another --out (nothing was changed)."
        )
    state = out / _STATE
    if state.is_file():
        try:
            recorded = json.loads(state.read_text()).get("key")
        except (json.JSONDecodeError, AttributeError):
            recorded = None
        if recorded != key:
            raise PretrainError(
                f"{str(out)!r} holds an unfinished pre-training with other settings or data; "
                "re-run that command to finish it, or choose another --out."
            )
        return False
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PretrainError(
            f"{str(out)!r} exists and is not empty; pretrain writes a new model folder "
            "(nothing was changed)."
        )
    return False


def pretrain(load_data, out, *, config, fingerprint, progress=False, log=print):
    """Pre-train one general net per target into the model folder ``out``, resumably.

    Parameters
    ----------
    load_data : callable
        Returns ``(images, {"valence": ..., "arousal": ...})``, or the same with a third
        item, a validation set (``images``, ``valence``, ``arousal``, ``description``)
        the nets are scored on once trained (printed, and kept in the model folder's
        metadata as ``validation``); called only when there is training to do (after
        ``out`` has been checked).
    out : pathlib.Path
        The model folder to write.
    config : StudyConfig
        The pre-training settings (its ``pretraining``, ``image_size``, ``seed``,
        ``device``).
    fingerprint : dict
        What identifies the data (:func:`data_fingerprint`).
    progress : bool, default=False
        Bars over epochs and batches.
    log : callable, default=print

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    out = Path(out)
    key = _key(config, fingerprint)
    if _check_out(out, key):
        log(f"{out} already holds this model (same settings and data): nothing to do")
        return out
    images, targets, *rest = load_data()
    validation = rest[0] if rest else None
    out.mkdir(parents=True, exist_ok=True)
    settings = {"key": key, "config": flat_settings(config), "data": fingerprint}
    atomic_write(out / _STATE, json.dumps(settings, indent=2, default=list))
    nets = {}
    for index, target in enumerate(TARGETS):
        start = time.perf_counter()
        callbacks = [("batches", _BatchBar(target))] if progress else []
        nets[target] = fit_resumably(
            config,
            index,
            images,
            targets[target],
            out / "checkpoints" / target,
            progress,
            callbacks,
        )
        log(
            f"general model ({target}): {epochs_phrase(config.pretraining.epochs)} in "
            f"{time.perf_counter() - start:.0f} s"
        )
    metadata = {
        "pretrain_key": key,
        "config": flat_settings(config),
        "data": fingerprint,
        "sklearn_fer": __version__,
    }
    if validation is not None:
        scores = validation_scores(nets, validation)
        for target, score in scores.items():
            log(
                f"general model ({target}) on its validation set ({score['n']} images): "
                f"RMSE {score['rmse']:.3f}, CCC {score['ccc']:.3f} (the paper, on AffectNet: "
                f"RMSE {PAPER_VALIDATION_RMSE[target]}, CCC not stated)"
            )
        metadata["validation"] = {"description": validation.description, "scores": scores}
    return save_pretrained(
        nets, out, image_size=config.image_size, metadata=metadata, kind="general"
    )
