"""The general nets' pre-training, resumable: a layer below ``study/`` and ``workflow/``.

:class:`PretrainConfig` holds the settings of the twin general nets (valence, arousal)
that every study configuration containing one shares; :func:`pretrain_key` is the hash of
those settings and of the configuration's ``dataset``, ``seed``, ``device`` and
``image_size`` (equal keys, equal nets); :func:`fit_resumably` trains one net, saving a
checkpoint after every epoch and resuming from the last one. The studies
(``study/_pretraining.py``: a shared cache of finished models) and ``sklearn-fer
pretrain`` (``workflow/_pretrain.py``: a model folder of its own) build on it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from pathlib import Path

from skorch.callbacks import Callback

from ._atomic import folder_written_whole, old_folder
from ._random import derive_seed
from ._threads import one_thread

#: The twin nets' targets, in their order.
TARGETS = ("valence", "arousal")

#: The general nets' validation RMSE Rescigno et al. (2020) report (Section 3.2); they
#: report no CCC.
PAPER_VALIDATION_RMSE = {"valence": 0.279, "arousal": 0.242}

#: The settings of a study configuration, besides its ``pretraining``, that decide the
#: general nets.
SHARED_SETTINGS = ("dataset", "seed", "device", "image_size")


def epochs_phrase(n):
    """'1 epoch', '6 epochs': the count with its noun, as the logs and reports write it.

    Examples
    --------
    >>> epochs_phrase(1), epochs_phrase(6)
    ('1 epoch', '6 epochs')
    """
    return f"{n} epoch" if n == 1 else f"{n} epochs"


@dataclasses.dataclass(frozen=True)
class PretrainConfig:
    """The settings of the twin general nets' pre-training "in the wild".

    A study configuration contains one as its ``pretraining`` field, beside its own
    ``dataset``, ``seed``, ``device`` and ``image_size``. The defaults are the Rescigno
    study's ``quick`` profile's.

    Parameters
    ----------
    wild_subjects, wild_images_per_subject : int, default=500, 4
        Size of the synthetic wild set.
    hidden_units : int, default=512
        Width of AlexNet's two hidden dense layers.
    optimizer : {"adam", "sgd-nesterov"}, default="adam"
        FusedAdam or NesterovSGD.
    lr, batch_size : float, int, default=1e-4, 16
        Learning rate and images per step.
    epochs : int, default=12
        Passes over the wild set (12: on the AU-drawn faces, 6 epochs left the arousal
        net at its plateau, training loss = the labels' variance, 1/3; it leaves it at
        epoch 8, valence at epoch 4).

    Examples
    --------
    >>> from sklearn_fer.study import PretrainConfig
    >>> settings = PretrainConfig(epochs=3).settings()
    >>> settings["pretrain_epochs"], settings["wild_subjects"]
    (3, 500)
    """

    wild_subjects: int = 500
    wild_images_per_subject: int = 4
    hidden_units: int = 512
    optimizer: str = "adam"
    lr: float = 1e-4
    batch_size: int = 16
    epochs: int = 12

    #: The settings' names in a study's flat settings (``config.json``, the reports'
    #: tables, the model folders' metadata), by field.
    FLAT_NAMES = {
        "wild_subjects": "wild_subjects",
        "wild_images_per_subject": "wild_images_per_subject",
        "hidden_units": "pretrain_hidden_units",
        "optimizer": "pretrain_optimizer",
        "lr": "pretrain_lr",
        "batch_size": "pretrain_batch_size",
        "epochs": "pretrain_epochs",
    }

    def settings(self):
        """The settings by their flat names (``pretrain_epochs``, ``wild_subjects``...)."""
        return {self.FLAT_NAMES[f.name]: getattr(self, f.name) for f in dataclasses.fields(self)}


def flat_settings(config):
    """A configuration dataclass's settings as one flat dict, its ``pretraining``'s in
    its place by their flat names (``config.json``, the reports' tables, model metadata),
    as :func:`dataclasses.asdict` gives them otherwise.

    Examples
    --------
    >>> from sklearn_fer.study import make_zhou_shi_config
    >>> names = list(flat_settings(make_zhou_shi_config("smoke")))
    >>> names[3:7]
    ['device', 'image_size', 'wild_subjects', 'wild_images_per_subject']
    """
    flat = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if isinstance(value, PretrainConfig):
            flat.update(value.settings())
        elif dataclasses.is_dataclass(value):
            flat[field.name] = dataclasses.asdict(value)
        else:
            flat[field.name] = copy.deepcopy(value)
    return flat


def pretrain_settings(config):
    """The flat settings that decide a configuration's general nets: its ``dataset``,
    ``seed``, ``device``, ``image_size`` and its ``pretraining``'s."""
    shared = {name: getattr(config, name) for name in SHARED_SETTINGS}
    return {**shared, **config.pretraining.settings()}


def pretrain_key(config):
    """Hash of :func:`pretrain_settings`: equal keys, equal general nets.

    Examples
    --------
    >>> from sklearn_fer.study import make_config, make_zhou_shi_config
    >>> len(pretrain_key(make_config("smoke")))
    16
    >>> pretrain_key(make_config("smoke")) == pretrain_key(make_config("smoke", seed=1))
    False
    """
    text = json.dumps(pretrain_settings(config), sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def optimizer(name):
    """The optimiser class of a configuration's name for it."""
    from .optim import FusedAdam, NesterovSGD

    return {"adam": FusedAdam, "sgd-nesterov": NesterovSGD}[name]


def general_net(config, target_index):
    """The general AlexNet of one target (``TARGETS[target_index]``), unfitted, seeded
    from ``config.seed``."""
    from .regressors import AlexNetRegressor

    settings = config.pretraining
    return AlexNetRegressor(
        module__hidden_units=settings.hidden_units,
        optimizer=optimizer(settings.optimizer),
        lr=settings.lr,
        batch_size=settings.batch_size,
        max_epochs=settings.epochs,
        device=config.device,
        random_state=derive_seed(config.seed, 11, target_index) % (2**31),
    )


class EpochCheckpoint(Callback):
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


def fit_resumably(config, target_index, images, y, folder, progress, callbacks=()):
    """Fit one general net, resuming from its last epoch checkpoint in ``folder``.

    Parameters
    ----------
    config : study configuration
        Anything with ``pretraining`` (a :class:`PretrainConfig`), ``seed`` and
        ``device``.
    target_index : int
        Which of :data:`TARGETS`.
    images, y : array-like
        The training images and that target's labels.
    folder : path-like
        The checkpoint folder (written after every epoch, read back on a resume).
    progress : bool
        A bar over epochs.
    callbacks : sequence of (str, skorch Callback), default=()
        More callbacks (``sklearn-fer pretrain``'s bar over batches).

    Returns
    -------
    AlexNetRegressor
        Fitted, without the checkpoint callbacks.
    """
    net = general_net(config, target_index)
    epochs = config.pretraining.epochs
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=f"pre-training ({TARGETS[target_index]})", unit="epoch")
    net.set_params(callbacks=[("checkpoint", EpochCheckpoint(folder, bar)), *callbacks])
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
            remaining = epochs - done
            if remaining > 0:
                net.set_params(max_epochs=remaining)
                net.partial_fit(images, y)
                net.set_params(max_epochs=epochs)
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


def validation_scores(nets, validation):
    """RMSE, CCC, PCC and SAGR of each general net on the validation set, as a dict
    ``{target: {"rmse": ..., "ccc": ..., "pcc": ..., "sagr": ..., "n": ...}}``."""
    import numpy as np

    from .metrics import ccc, pcc, rmse, sagr

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
