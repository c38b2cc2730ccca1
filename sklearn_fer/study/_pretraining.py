"""Pre-training the general models, resumable: a checkpoint after every epoch, and a
cache of finished models shared across output folders."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import joblib
import numpy as np
from skorch.callbacks import Callback

from .. import __version__
from .._atomic import folder_written_whole, old_folder
from .._random import derive_seed
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


#: Rescigno et al. (2020, Section 3.2): "AffectNet images have been split into training
#: (60%) and validation (40%) sets".
TRAIN_FRACTION = 0.6

#: The general nets' validation RMSE the paper reports (Section 3.2); it reports no CCC.
PAPER_VALIDATION_RMSE = {"valence": 0.279, "arousal": 0.242}

#: Key of the stream the split draws from (derive_seed(seed, SPLIT_STREAM)).
SPLIT_STREAM = 27

#: The synthetic validation set's seed is the study's plus this (wild: + 0, lab: + 1,
#: PathNet's held-out wild set: + 2).
SYNTHETIC_VALIDATION_SEED_OFFSET = 3


def split_by_image(n_images, seed):
    """The paper's 60/40 split of a wild set, by image, seeded.

    AffectNet lists no person per image, so an image is the only unit it can be split by.
    A seeded permutation of the images: the first ``round(0.6 * n)`` train, the rest
    validate (both returned in the images' order).

    Parameters
    ----------
    n_images : int
    seed : int

    Returns
    -------
    train, validation : ndarray of int

    Examples
    --------
    >>> train, validation = split_by_image(10, seed=0)
    >>> len(train), len(validation), sorted([*train, *validation]) == list(range(10))
    (6, 4, True)
    """
    order = np.random.default_rng(derive_seed(seed, SPLIT_STREAM)).permutation(n_images)
    n_train = int(round(TRAIN_FRACTION * n_images))
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def wild_split(config, wild, validation=True):
    """The general nets' training rows of ``wild`` and their validation set.

    Real data (AffectNet): the paper's 60/40 split of the training list by image
    (:func:`split_by_image`); the official validation list stays out of it (it is the
    held-out set of PathNet's forgetting measure). Synthetic data: the nets train on the
    whole wild set, as before, and validate on a fresh draw of wild faces of people no
    net saw, 40 for every 60 training people (the generator can draw more people at
    will, so nothing is taken away from training; the quick study's numbers stay those
    of a net trained on the whole set).

    Parameters
    ----------
    config : StudyConfig
    wild : Bunch
        The wild set (``images``, ``valence``, ``arousal``).
    validation : bool, default=True
        False: the training rows only (no synthetic faces are drawn).

    Returns
    -------
    rows : ndarray of int or None
        Training rows of ``wild`` (None: all of them).
    validation : Bunch or None
        ``images``, ``valence``, ``arousal`` and ``description``.
    """
    from sklearn.utils import Bunch

    from ..datasets import make_faces

    if config.dataset == "synthetic":
        if not validation:
            return None, None
        people = max(1, round(config.wild_subjects * (1 - TRAIN_FRACTION) / TRAIN_FRACTION))
        faces = make_faces(
            people,
            config.wild_images_per_subject,
            domain="wild",
            image_size=config.image_size,
            random_state=config.seed + SYNTHETIC_VALIDATION_SEED_OFFSET,
        )
        description = (
            f"{len(faces.images)} synthetic wild faces of {people} people no general net "
            f"saw (a fresh draw: 40 people for every 60 of the training set's "
            f"{config.wild_subjects}; training kept every wild image)"
        )
        return None, Bunch(
            images=faces.images,
            valence=faces.valence,
            arousal=faces.arousal,
            description=description,
        )
    train, held = split_by_image(len(wild.images), config.seed)
    if not validation:
        return train, None
    description = (
        f"{len(held)} of AffectNet's {len(wild.images)} usable training-list images, "
        f"drawn by image with seed {config.seed} (the paper's 40%); the nets trained on "
        f"the other {len(train)} (60%)"
    )
    return train, Bunch(
        images=wild.images[held],
        valence=np.asarray(wild.valence)[held],
        arousal=np.asarray(wild.arousal)[held],
        description=description,
    )


def validation_scores(nets, validation):
    """RMSE, CCC, PCC and SAGR of each general net on the validation set, as a dict
    ``{target: {"rmse": ..., "ccc": ..., "pcc": ..., "sagr": ..., "n": ...}}``."""
    from ..metrics import ccc, pcc, rmse, sagr

    scores = {}
    with one_thread():
        for target, net in nets.items():
            truth = np.asarray(validation[target], dtype=np.float64)
            prediction = np.asarray(net.predict(validation.images), dtype=np.float64)
            prediction = prediction.reshape(len(truth), -1)[:, 0]
            scores[target] = {
                "rmse": float(rmse(truth, prediction)),
                "ccc": float(ccc(truth, prediction)),
                "pcc": float(pcc(truth, prediction)),
                "sagr": float(sagr(truth, prediction)),
                "n": int(len(truth)),
            }
    return scores


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


def _training_key(config):
    """Key of the general nets' settings and training data: real data train on the
    paper's 60% (a model trained on the whole list is another model)."""
    key = config.key(_PRETRAIN_FIELDS)
    if config.dataset == "synthetic":
        return key
    return joblib.hash((key, "affectnet", TRAIN_FRACTION, SPLIT_STREAM))[:16]


def general_models(config, wild, out, data_home, progress, log, n_jobs=None, validate=False):
    """The twin general nets: from ``out/model``, the shared cache, or trained here
    (in parallel when ``n_jobs`` allows).

    Real data train on the paper's 60% of the wild set (:func:`wild_split`). With
    ``validate``, the nets' scores on the validation set are in the model folder's
    metadata (``validation``; computed now for a cached model trained without them).
    """
    from ..datasets import get_data_home

    key = _training_key(config)
    model_dir = out / "model"
    shared = get_data_home(data_home) / "models" / key
    for source in (model_dir, shared):
        manifest = source / "model.json"
        if manifest.is_file():
            try:
                metadata = json.loads(manifest.read_text())["metadata"]
                recorded = metadata.get("pretrain_key")
            except (json.JSONDecodeError, KeyError, AttributeError):
                metadata, recorded = {}, None
            if recorded == key:
                nets, _ = load_pretrained(source, device=config.device)
                if validate and "validation" not in metadata:
                    metadata["validation"] = _validation(config, nets, wild, log)
                    save_pretrained(
                        nets, model_dir, image_size=config.image_size, metadata=metadata
                    )
                elif source != model_dir:
                    _copy_folder(source, model_dir)
                log(f"general model: reused {source}")
                return nets
    rows, _ = wild_split(config, wild, validation=False)
    images = wild.images if rows is None else wild.images[rows]
    # The twin nets train side by side, one thread each (the same arithmetic whatever
    # n_jobs is, see sklearn_fer._threads): small convolutions gain little from a second
    # thread, and a second process doubles the throughput on two cores.
    trained = joblib.Parallel(n_jobs=min(len(TARGETS), n_jobs or 1))(
        joblib.delayed(_pretrain_on_one_thread)(
            config,
            index,
            images,
            wild[target] if rows is None else np.asarray(wild[target])[rows],
            out / "checkpoints" / target,
            progress,
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
    if validate:
        metadata["validation"] = _validation(config, nets, wild, log)
    save_pretrained(nets, model_dir, image_size=config.image_size, metadata=metadata)
    save_pretrained(nets, shared, image_size=config.image_size, metadata=metadata)
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    return nets


def _validation(config, nets, wild, log):
    """The model folder's ``validation`` metadata: the split and each net's scores."""
    rows, validation = wild_split(config, wild)
    scores = validation_scores(nets, validation)
    log(
        "general model on its validation set: "
        + "; ".join(f"{t} RMSE {s['rmse']:.3f}, CCC {s['ccc']:.3f}" for t, s in scores.items())
    )
    return {
        "description": validation.description,
        "n_train": len(wild.images) if rows is None else len(rows),
        "train_fraction": 1.0 if rows is None else TRAIN_FRACTION,
        "scores": scores,
    }
