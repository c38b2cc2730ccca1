"""Pre-training the general models, resumable: a checkpoint after every epoch, and a
cache of finished models shared across output folders."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import joblib
from skorch.callbacks import Callback

from .. import __version__
from .._atomic import folder_written_whole, old_folder
from .._threads import one_thread
from ..persistence import load_pretrained, save_pretrained
from ._config import TARGETS, epochs_phrase
from ._estimators import general_model


class _EpochCheckpoint(Callback):
    """After each epoch, save weights, optimiser state and history, atomically.

    Files go to a staging folder that then replaces the checkpoint folder
    (:func:`~sklearn_fer._atomic.replace_folder`), so a crash leaves either the previous
    epoch's checkpoint or this one, never a mix.
    """

    def __init__(self, folder, bar=None):
        self.folder = folder
        self.bar = bar

    def on_epoch_end(self, net, **kwargs):
        with folder_written_whole(self.folder) as staging:
            net.save_params(
                f_params=str(staging / "params.pt"),
                f_optimizer=str(staging / "optimizer.pt"),
                f_history=str(staging / "history.json"),
            )
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{net.history[-1, 'train_loss']:.4f}")


def _checkpoint_folder(folder):
    folder = Path(folder)
    if (folder / "params.pt").exists():
        return folder
    old = old_folder(folder)  # interrupted between the two renames
    return old if (old / "params.pt").exists() else None


def _pretrain(config, target_index, images, y, folder, progress, callbacks=()):
    """Fit one general net, resuming from its last epoch checkpoint if there is one.

    ``callbacks`` are more skorch ``(name, callback)`` pairs (``sklearn-fer pretrain``'s
    progress bar over batches).
    """
    net = general_model(config, target_index)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=config.pretrain_epochs,
            desc=f"pre-training ({TARGETS[target_index]})",
            unit="epoch",
        )
    net.set_params(callbacks=[("checkpoint", _EpochCheckpoint(folder, bar)), *callbacks])
    try:
        found = _checkpoint_folder(folder)
        if found is not None:
            net.initialize()
            net.load_params(
                f_params=str(found / "params.pt"),
                f_optimizer=str(found / "optimizer.pt"),
                f_history=str(found / "history.json"),
            )
            done = len(net.history)
            if bar is not None:
                bar.update(done)
            remaining = config.pretrain_epochs - done
            if remaining > 0:
                net.set_params(max_epochs=remaining)
                net.partial_fit(images, y)
                net.set_params(max_epochs=config.pretrain_epochs)
        else:
            net.fit(images, y)
    finally:
        if bar is not None:
            bar.close()
    # ``set_params`` alone keeps the initialised ``callbacks_`` (and so the checkpoint's
    # progress bar and its stream, which cannot cross a process boundary).
    net.set_params(callbacks=None)
    net.initialize_callbacks()
    return net


_PRETRAIN_FIELDS = (
    "dataset",
    "seed",
    "device",
    "image_size",
    "wild_subjects",
    "wild_images_per_subject",
    "pretrain_hidden_units",
    "pretrain_optimizer",
    "pretrain_lr",
    "pretrain_batch_size",
    "pretrain_epochs",
)


def _pretrain_on_one_thread(config, target_index, images, y, folder, progress):
    start = time.perf_counter()
    with one_thread():
        net = _pretrain(config, target_index, images, y, folder, progress)
    return net, time.perf_counter() - start


def _copy_folder(source, folder):
    """Copy ``source`` to ``folder`` atomically: an interrupted copy leaves no half folder
    that a resumed run would take for the model. Contents only: the copies get the
    umask's modes, not those of a cache written by another user or an older version."""
    with folder_written_whole(folder) as staging:
        for path in Path(source).iterdir():
            if path.is_dir():  # model folders are flat; a subfolder keeps its own mode
                shutil.copytree(path, staging / path.name, copy_function=shutil.copyfile)
            else:
                shutil.copyfile(path, staging / path.name)


def general_models(config, wild, out, data_home, progress, log, n_jobs=None):
    """The twin general nets: from ``out/model``, the shared cache, or trained here
    (in parallel when ``n_jobs`` allows)."""
    from ..datasets import get_data_home

    key = config.key(_PRETRAIN_FIELDS)
    model_dir = out / "model"
    shared = get_data_home(data_home) / "models" / key
    for source in (model_dir, shared):
        manifest = source / "model.json"
        if manifest.is_file():
            try:
                recorded = json.loads(manifest.read_text())["metadata"].get("pretrain_key")
            except (json.JSONDecodeError, KeyError):
                recorded = None
            if recorded == key:
                nets, _ = load_pretrained(source, device=config.device)
                if source != model_dir:
                    _copy_folder(source, model_dir)
                log(f"general model: reused {source}")
                return nets
    # The twin nets train side by side, one thread each (the same arithmetic whatever
    # n_jobs is, see sklearn_fer._threads): small convolutions gain little from a second
    # thread, and a second process doubles the throughput on two cores.
    trained = joblib.Parallel(n_jobs=min(len(TARGETS), n_jobs or 1))(
        joblib.delayed(_pretrain_on_one_thread)(
            config, index, wild.images, wild[target], out / "checkpoints" / target, progress
        )
        for index, target in enumerate(TARGETS)
    )
    nets = {}
    for target, (net, seconds) in zip(TARGETS, trained):
        nets[target] = net
        log(
            f"general model ({target}): {epochs_phrase(config.pretrain_epochs)} in "
            f"{seconds:.0f} s"
        )
    metadata = {
        "pretrain_key": key,
        "config": dataclasses.asdict(config),
        "sklearn_fer": __version__,
    }
    save_pretrained(nets, model_dir, image_size=config.image_size, metadata=metadata)
    save_pretrained(nets, shared, image_size=config.image_size, metadata=metadata)
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    return nets
