"""The studies' general models: the wild split, and a cache of finished models shared
across output folders (the resumable training itself is :mod:`sklearn_fer._general_nets`'s)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import joblib
import numpy as np

from .. import __version__
from .._atomic import folder_written_whole
from .._general_nets import (
    PAPER_VALIDATION_RMSE,
    TARGETS,
    epochs_phrase,
    fit_resumably,
    flat_settings,
    pretrain_key,
    validation_scores,
)
from .._random import derive_seed
from .._threads import one_thread
from ..persistence import load_pretrained, save_pretrained

__all__ = [  # what the studies and their reports take from here
    "PAPER_VALIDATION_RMSE",
    "SPLIT_STREAM",
    "SYNTHETIC_VALIDATION_SEED_OFFSET",
    "TRAIN_FRACTION",
    "general_models",
    "split_by_image",
    "validation_scores",
    "wild_split",
]


#: Rescigno et al. (2020, Section 3.2): "AffectNet images have been split into training
#: (60%) and validation (40%) sets".
TRAIN_FRACTION = 0.6

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
        wild_subjects = config.pretraining.wild_subjects
        people = max(1, round(wild_subjects * (1 - TRAIN_FRACTION) / TRAIN_FRACTION))
        faces = make_faces(
            people,
            config.pretraining.wild_images_per_subject,
            domain="wild",
            image_size=config.image_size,
            random_state=config.seed + SYNTHETIC_VALIDATION_SEED_OFFSET,
        )
        description = (
            f"{len(faces.images)} synthetic wild faces of {people} people no general net "
            f"saw (a fresh draw: 40 people for every 60 of the training set's "
            f"{wild_subjects}; training kept every wild image)"
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


def _pretrain_on_one_thread(config, target_index, images, y, folder, progress):
    start = time.perf_counter()
    with one_thread():
        net = fit_resumably(config, target_index, images, y, folder, progress)
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
    key = pretrain_key(config)
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
        epochs = epochs_phrase(config.pretraining.epochs)
        log(f"general model ({target}): {epochs} in {seconds:.0f} s")
    metadata = {
        "pretrain_key": key,
        "config": flat_settings(config),
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
