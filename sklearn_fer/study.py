"""The whole study of Rescigno et al. (2020), end to end, resumable: ``sklearn-fer reproduce``.

:func:`reproduce` pre-trains the general model (or reuses a cached one for the same
configuration), runs the transfer study and the sampling curves, and writes into one
folder ``results.csv``, ``report.md``, ``transfer.png``, ``sampling.png`` and the general
model's weights (``model/``). Every finished piece of work is saved atomically as it
completes (pre-training checkpoints each epoch; each subject, target and fold of each
study is one file under ``cache/``), so an interrupted run loses nothing already done and
the same command resumes it.

Profiles (:data:`PROFILES`): ``smoke`` (tiny, for tests), ``quick`` (the README's main job:
at most 10 minutes on 2 CPU cores, departing from the paper where a CPU budget demands it;
``report.md`` lists every such setting and why) and ``paper`` (the paper's settings).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from skorch.callbacks import Callback

from . import __version__
from ._random import derive_seed
from .evaluation import (
    CONDITIONS,
    DEFAULT_FRACTIONS,
    compare_samplers,
    default_samplers,
    elbow_fractions,
    evaluate_transfer,
    sampling_curve,
    summarize,
)
from .optim import FusedAdam, NesterovSGD
from .persistence import load_pretrained, save_pretrained
from .regressors import AlexNetRegressor, DenseHeadRegressor

__all__ = [
    "PAPER",
    "PROFILES",
    "StudyConfig",
    "StudyError",
    "deviations",
    "estimate_seconds",
    "make_config",
    "reproduce",
]

TARGETS = ("valence", "arousal")
SAMPLER_NAMES = ("random", "gsx", "gsy", "igs", "mcdue")


class StudyError(ValueError):
    """A study cannot start as asked (bad settings, missing data, foreign ``out`` folder).

    Examples
    --------
    >>> try:
    ...     make_config("huge")
    ... except StudyError as error:
    ...     print(error)
    profile must be one of ['paper', 'quick', 'smoke'], got 'huge'.
    """


@dataclasses.dataclass(frozen=True)
class StudyConfig:
    """Everything that decides a study's results (``n_jobs`` and paths aside).

    The defaults are the ``quick`` profile's; :data:`PAPER` holds the paper's settings.

    Parameters
    ----------
    profile : str
        Name of the profile the settings come from.
    dataset : {"synthetic", "amigos"}, default="synthetic"
        Synthetic faces, or AffectNet (pre-training) and AMIGOS (personal data).
    seed : int, default=0
        Every random choice of the study derives from it.
    device : str, default="cpu"
        Torch device.
    image_size : int, default=64
        Side of the face images.
    wild_subjects, wild_images_per_subject : int, default=500, 4
        Size of the synthetic wild set (pre-training).
    pretrain_hidden_units : int, default=512
        Width of AlexNet's two hidden dense layers.
    pretrain_optimizer : {"adam", "sgd-nesterov"}, default="adam"
        Optimiser of pre-training (FusedAdam or NesterovSGD).
    pretrain_lr, pretrain_batch_size, pretrain_epochs : float, int, int
        Pre-training settings (1e-4, 16, 6).
    lab_subjects, lab_frames_per_subject : int, default=5, 60
        Size of the synthetic lab set (personal data).
    participants : tuple of int, default=()
        AMIGOS participants (empty: all found).
    folds : int, default=5
        Cross-validation folds per subject.
    group_folds : bool, default=False
        Keep each video segment within one fold.
    head_optimizer, head_lr, head_batch_size, head_epochs : str, float, int, int
        Fine-tuning settings of the dense head ("adam", 3e-4, 32, 10).
    no_transfer_optimizer, no_transfer_lr, no_transfer_epochs : str, float, int
        Settings of AlexNet trained from scratch on one subject ("adam", 1e-4, 6).
    fractions : tuple of float, default=DEFAULT_FRACTIONS
        Labelled fractions of the sampling curves.
    samplers : tuple of str, default=("random", "gsx", "gsy", "igs", "mcdue")
        Samplers of the sampling curves.
    mc_iter, mc_p : int, float, default=50, 0.5
        MCDUE's passes and dropout probability.

    Examples
    --------
    >>> config = StudyConfig(profile="mine", folds=3)
    >>> config.folds, len(config.key())
    (3, 16)
    """

    profile: str
    dataset: str = "synthetic"
    seed: int = 0
    device: str = "cpu"
    image_size: int = 64
    # the general model, pre-trained "in the wild"
    wild_subjects: int = 500
    wild_images_per_subject: int = 4
    pretrain_hidden_units: int = 512
    pretrain_optimizer: str = "adam"
    pretrain_lr: float = 1e-4
    pretrain_batch_size: int = 16
    pretrain_epochs: int = 6
    # personal data, "in the lab"
    lab_subjects: int = 5
    lab_frames_per_subject: int = 60
    participants: tuple = ()
    folds: int = 5
    group_folds: bool = False
    # fine-tuning of the dense head
    head_optimizer: str = "adam"
    head_lr: float = 3e-4
    head_batch_size: int = 32
    head_epochs: int = 10
    # No Transfer: the whole AlexNet trained on one subject's fold
    no_transfer_optimizer: str = "adam"
    no_transfer_lr: float = 1e-4
    no_transfer_epochs: int = 6
    # sampling
    fractions: tuple = DEFAULT_FRACTIONS
    samplers: tuple = SAMPLER_NAMES
    mc_iter: int = 50
    mc_p: float = 0.5

    def key(self, fields=None):
        """Hash of the settings (all, or the named ones): equal keys, equal results."""
        values = dataclasses.asdict(self)
        if fields is not None:
            values = {name: values[name] for name in fields}
        text = json.dumps(values, sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


#: The paper's settings (Sections 3.1-3.4 and 4), as far as it states them.
PAPER = StudyConfig(
    profile="paper",
    image_size=227,
    wild_subjects=10_000,
    wild_images_per_subject=2,
    pretrain_hidden_units=4096,
    pretrain_optimizer="sgd-nesterov",
    pretrain_lr=1e-3,
    pretrain_batch_size=16,
    pretrain_epochs=50,
    lab_subjects=10,
    lab_frames_per_subject=1000,
    folds=5,
    head_optimizer="sgd-nesterov",
    head_lr=1e-3,
    head_batch_size=16,
    head_epochs=50,
    no_transfer_optimizer="sgd-nesterov",
    no_transfer_lr=1e-3,
    no_transfer_epochs=50,
    mc_iter=50,
    mc_p=0.5,
)

PROFILES = {
    "smoke": dataclasses.replace(
        PAPER,
        profile="smoke",
        image_size=64,
        wild_subjects=40,
        wild_images_per_subject=2,
        pretrain_hidden_units=32,
        pretrain_optimizer="adam",
        pretrain_lr=1e-3,
        pretrain_epochs=1,
        lab_subjects=2,
        lab_frames_per_subject=15,
        folds=3,
        head_optimizer="adam",
        head_lr=1e-3,
        head_epochs=2,
        no_transfer_optimizer="adam",
        no_transfer_lr=1e-3,
        no_transfer_epochs=1,
        fractions=(0.2, 0.6),
        mc_iter=3,
    ),
    "quick": StudyConfig(profile="quick"),
    "paper": PAPER,
}

# Why a profile departs from the paper, per setting.
_REASONS = {
    "dataset": "AffectNet and AMIGOS are licensed and cannot be downloaded here; "
    "make_faces' synthetic wild and lab domains stand in for them",
    "image_size": "64 px keeps AlexNet's conv stack cheap on a CPU (any size from 63 px "
    "works); the paper does not state its input size, 227 px is AlexNet's",
    "wild_subjects": "a CPU budget: a few thousand synthetic wild images instead of "
    "AffectNet's ~170k training images",
    "wild_images_per_subject": "a CPU budget",
    "pretrain_hidden_units": "4096-unit dense layers make each step several times slower; "
    "narrower dense layers keep AlexNet's shape at a CPU budget",
    "pretrain_optimizer": "the paper's SGD at lr 0.001 learnt nothing in a few epochs in a "
    "trial here (validation RMSE stayed at the label's std); Adam learns in a few epochs",
    "pretrain_lr": "goes with the optimiser (Adam)",
    "pretrain_epochs": "a CPU budget (the quick profile must finish in 10 minutes on 2 cores)",
    "lab_subjects": "a CPU budget",
    "lab_frames_per_subject": "a CPU budget (AMIGOS gives about 1000 frames per subject)",
    "folds": "a CPU budget",
    "head_optimizer": "as for pre-training: SGD at lr 0.001 moves too little in a few epochs",
    "head_lr": "goes with the optimiser",
    "head_epochs": "a CPU budget",
    "no_transfer_optimizer": "as for pre-training",
    "no_transfer_lr": "goes with the optimiser",
    "no_transfer_epochs": "a CPU budget",
    "fractions": "a CPU budget",
    "mc_iter": "a CPU budget",
    "mc_p": "a CPU budget",
    "pretrain_batch_size": "a CPU budget",
    "head_batch_size": "a CPU budget",
}

# Settings the paper does not state; what is used, and on what grounds.
_PAPER_GAPS = {
    "image_size": "AlexNet's usual input size; the paper only says faces were resized",
    "head_optimizer": "the paper lists no fine-tuning settings; those of pre-training",
    "head_epochs": "the paper lists no fine-tuning settings; those of pre-training",
    "no_transfer_optimizer": "the paper lists no settings for No Transfer; those of pre-training",
    "fractions": "the paper's Fig. 6 spans 5% to 90% without listing its steps",
    "wild_subjects": "with --dataset synthetic: a size for the synthetic stand-in",
}

_COMPARED = [
    field.name
    for field in dataclasses.fields(StudyConfig)
    if field.name not in ("profile", "seed", "device", "participants", "group_folds", "samplers")
]


def deviations(config):
    """Settings of ``config`` that differ from the paper's, with the reason for each.

    Parameters
    ----------
    config : StudyConfig

    Returns
    -------
    list of (setting, paper's value, this study's value, reason)

    Examples
    --------
    >>> [row[0] for row in deviations(PROFILES["paper"])]
    ['dataset']
    """
    rows = []
    if config.dataset == "synthetic":
        rows.append(
            ("dataset", "AffectNet + AMIGOS", "synthetic (make_faces)", _REASONS["dataset"])
        )
    for name in _COMPARED:
        if name == "dataset":
            continue
        ours, theirs = getattr(config, name), getattr(PAPER, name)
        if config.dataset == "amigos" and name in (
            "wild_subjects",
            "wild_images_per_subject",
            "lab_subjects",
            "lab_frames_per_subject",
        ):
            continue
        if ours != theirs:
            rows.append((name, theirs, ours, _REASONS.get(name, "set on the command line")))
    return rows


def make_config(
    profile="quick",
    *,
    dataset="synthetic",
    seed=0,
    device="cpu",
    participants=None,
    group_folds=False,
):
    """A :class:`StudyConfig` from a profile and the command line's choices.

    Parameters
    ----------
    profile : {"smoke", "quick", "paper"}, default="quick"
    dataset : {"synthetic", "amigos"}, default="synthetic"
    seed : int, default=0
    device : str, default="cpu"
    participants : sequence of int or None, default=None
        AMIGOS participants (None: all found).
    group_folds : bool, default=False
        Keep each video segment within one fold.

    Returns
    -------
    StudyConfig

    Examples
    --------
    >>> make_config("smoke").pretrain_epochs
    1
    """
    if profile not in PROFILES:
        raise StudyError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}.")
    if dataset not in ("synthetic", "amigos"):
        raise StudyError(f"dataset must be 'synthetic' or 'amigos', got {dataset!r}.")
    if not isinstance(seed, int) or seed < 0:
        raise StudyError(f"seed must be a non-negative int, got {seed!r}.")
    return dataclasses.replace(
        PROFILES[profile],
        dataset=dataset,
        seed=int(seed),
        device=str(device),
        participants=tuple(sorted(int(p) for p in participants or ())),
        group_folds=bool(group_folds),
    )


# -- estimators of a configuration ------------------------------------------------------


def _optimizer(name):
    return {"adam": FusedAdam, "sgd-nesterov": NesterovSGD}[name]


def _general_model(config, target_index):
    return AlexNetRegressor(
        module__hidden_units=config.pretrain_hidden_units,
        optimizer=_optimizer(config.pretrain_optimizer),
        lr=config.pretrain_lr,
        batch_size=config.pretrain_batch_size,
        max_epochs=config.pretrain_epochs,
        device=config.device,
        random_state=derive_seed(config.seed, 11, target_index) % (2**31),
    )


def _head(config):
    return DenseHeadRegressor(
        None,
        optimizer=_optimizer(config.head_optimizer),
        lr=config.head_lr,
        batch_size=config.head_batch_size,
        max_epochs=config.head_epochs,
        device=config.device,
    )


def _no_transfer(config):
    return AlexNetRegressor(
        module__hidden_units=config.pretrain_hidden_units,
        optimizer=_optimizer(config.no_transfer_optimizer),
        lr=config.no_transfer_lr,
        batch_size=config.pretrain_batch_size,
        max_epochs=config.no_transfer_epochs,
        device=config.device,
    )


def _samplers(config):
    available = default_samplers(n_iter=config.mc_iter, p=config.mc_p, random_state=config.seed)
    return {name: available[name] for name in config.samplers}


# -- data -------------------------------------------------------------------------------


def _load_data(config, affectnet_root, amigos_root, log):
    from .datasets import load_affectnet, load_amigos, make_faces

    if config.dataset == "synthetic":
        wild = make_faces(
            config.wild_subjects,
            config.wild_images_per_subject,
            domain="wild",
            image_size=config.image_size,
            random_state=config.seed,
        )
        lab = make_faces(
            config.lab_subjects,
            config.lab_frames_per_subject,
            domain="lab",
            image_size=config.image_size,
            random_state=config.seed + 1,
        )
        log(
            f"synthetic data: {len(wild.images)} wild images of {config.wild_subjects} "
            f"people; {len(lab.images)} lab frames of {config.lab_subjects} people"
        )
        return wild, lab
    wild = load_affectnet(
        affectnet_root, subset="training", image_size=config.image_size, lazy=True
    )
    lab = load_amigos(
        amigos_root,
        participants=config.participants or None,
        image_size=config.image_size,
        verbose=True,
    )
    log(
        f"AffectNet: {len(wild.images)} faces ({len(wild.dropped)} rows dropped); AMIGOS: "
        f"{len(lab.images)} frames of {len(np.unique(lab.subject))} participants "
        f"({len(lab.dropped)} frames dropped)"
    )
    return wild, lab


# -- pre-training, resumable ------------------------------------------------------------


class _EpochCheckpoint(Callback):
    """After each epoch, save weights, optimiser state and history, atomically.

    Files go to a staging folder that then replaces the checkpoint folder, so a crash
    leaves either the previous epoch's checkpoint or this one, never a mix.
    """

    def __init__(self, folder, bar=None):
        self.folder = folder
        self.bar = bar

    def on_epoch_end(self, net, **kwargs):
        folder = Path(self.folder)
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        net.save_params(
            f_params=str(staging / "params.pt"),
            f_optimizer=str(staging / "optimizer.pt"),
            f_history=str(staging / "history.json"),
        )
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{net.history[-1, 'train_loss']:.4f}")


def _checkpoint_folder(folder):
    folder = Path(folder)
    if (folder / "params.pt").exists():
        return folder
    old = folder.with_name(folder.name + ".old")  # interrupted between the two renames
    return old if (old / "params.pt").exists() else None


def _pretrain(config, target_index, images, y, folder, progress):
    """Fit one general net, resuming from its last epoch checkpoint if there is one."""
    net = _general_model(config, target_index)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=config.pretrain_epochs,
            desc=f"pre-training ({TARGETS[target_index]})",
            unit="epoch",
        )
    net.set_params(callbacks=[("checkpoint", _EpochCheckpoint(folder, bar))])
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
    net.set_params(callbacks=None)
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


def _general_models(config, wild, out, data_home, progress, log):
    """The twin general nets: from ``out/model``, the shared cache, or trained here."""
    from .datasets import get_data_home

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
                    shutil.copytree(source, model_dir, dirs_exist_ok=True)
                log(f"general model: reused {source}")
                return nets
    nets = {}
    for index, target in enumerate(TARGETS):
        checkpoint = out / "checkpoints" / target
        start = time.perf_counter()
        nets[target] = _pretrain(config, index, wild.images, wild[target], checkpoint, progress)
        log(
            f"general model ({target}): {config.pretrain_epochs} epochs in "
            f"{time.perf_counter() - start:.0f} s"
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


# -- run-time estimate ------------------------------------------------------------------


def _seconds_per_sample(fit, samples):
    fit()  # warm-up
    start = time.perf_counter()
    fit()
    return (time.perf_counter() - start) / samples


def estimate_seconds(config, *, n_train_per_fold=None):
    """Rough wall time of a study on ``config.device``, from a few timed training steps.

    Times one epoch of AlexNet training and of dense-head fine-tuning on a handful of
    samples at the configured size, then multiplies by the work the study plans.

    Parameters
    ----------
    config : StudyConfig
    n_train_per_fold : int or None
        Training frames per fold (default: from the configured frames per subject).

    Returns
    -------
    dict
        Seconds for ``pretraining``, ``no_transfer``, ``fine_tuning`` and ``total``.

    Examples
    --------
    >>> estimate = estimate_seconds(make_config("smoke"))
    >>> sorted(estimate), estimate["total"] > 0
    (['fine_tuning', 'no_transfer', 'pretraining', 'total'], True)
    """
    rng = np.random.default_rng(0)
    size = config.image_size
    images = rng.integers(0, 256, size=(32, size, size, 3), dtype=np.uint8)
    y = rng.uniform(-1, 1, 32).astype(np.float32)
    net = _general_model(config, 0).set_params(max_epochs=1)
    per_image = _seconds_per_sample(lambda: net.fit(images, y), len(images))
    features = rng.random((64, 256 * 36), dtype=np.float32)
    head = _head(config).set_params(pretrained=net, max_epochs=1)
    per_feature = _seconds_per_sample(lambda: head.fit(features, y.repeat(2)), len(features))
    n_targets = len(TARGETS)
    n_wild = config.wild_subjects * config.wild_images_per_subject
    if n_train_per_fold is None:
        n_train_per_fold = config.lab_frames_per_subject * (config.folds - 1) / config.folds
    fits = config.lab_subjects * config.folds * n_targets
    pretraining = n_targets * n_wild * config.pretrain_epochs * per_image
    no_transfer = fits * n_train_per_fold * config.no_transfer_epochs * per_image
    share = 1 + len(config.samplers) * sum(config.fractions)  # Transfer 100% + curves
    fine_tuning = fits * share * n_train_per_fold * config.head_epochs * per_feature
    total = pretraining + no_transfer + fine_tuning
    return {
        "pretraining": pretraining,
        "no_transfer": no_transfer,
        "fine_tuning": fine_tuning,
        "total": total,
    }


def _format_seconds(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# -- outputs ----------------------------------------------------------------------------


def _atomic_write(path, write):
    path = Path(path)
    temporary = path.with_name(f".tmp-{path.name}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def _check_out(out, config):
    out = Path(os.fspath(out))
    out.mkdir(parents=True, exist_ok=True)
    recorded = out / "config.json"
    settings = dataclasses.asdict(config)
    if recorded.exists():
        try:
            previous = json.loads(recorded.read_text())
        except json.JSONDecodeError:
            previous = None
        if previous != json.loads(json.dumps(settings, default=list)):
            raise StudyError(
                f"{str(out)!r} holds results of another configuration (see its config.json); "
                "choose another --out or delete that folder. Nothing was overwritten."
            )
    else:
        foreign = [p.name for p in out.iterdir() if not p.name.startswith(".")]
        if foreign:
            raise StudyError(
                f"{str(out)!r} is not empty and holds no study configuration "
                f"({', '.join(sorted(foreign)[:5])}); choose an empty or new folder."
            )
        _atomic_write(
            recorded, lambda p: p.write_text(json.dumps(settings, indent=2, default=list))
        )
    return out


def _markdown_table(frame, floats="{:.3f}"):
    columns = list(frame.columns)
    lines = [
        "| " + " | ".join(str(c) for c in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            if isinstance(value, float):
                cells.append("" if np.isnan(value) else floats.format(value))
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _report(config, results, timings, out):
    synthetic = config.dataset == "synthetic"
    transfer = results[results["study"] == "transfer"]
    sampling = results[results["study"] == "sampling"]
    summary_t = summarize(transfer)
    lines = [f"# sklearn-fer study report ({config.profile} profile)", ""]
    if synthetic:
        lines += [
            "**These results come from synthetic data.** The faces were drawn by "
            "`sklearn_fer.datasets.make_faces` (cartoon faces whose expressions encode "
            "valence and arousal, with person-specific expressiveness by design); they say "
            "how the method behaves on that generator, not on real people. The paper's data "
            "(AffectNet, AMIGOS) are licensed and were not used.",
            "",
        ]
    folds = (
        "folds keep video segments whole"
        if config.group_folds
        else "frame-level folds, as in the paper"
    )
    lines += [
        "Protocol of Rescigno, Spezialetti & Rossi (2020), *Personalized models for facial "
        "emotion recognition through transfer learning*, Section 4: per subject, "
        f"{config.folds}-fold cross-validation on the subject's frames ({folds}); "
        "results are means (± standard deviation) across subjects of each subject's mean "
        "over folds. Valence and arousal have separate (twin) nets, as in the paper.",
        "",
        "## Configuration",
        "",
        _markdown_table(
            pd.DataFrame(
                [(k, str(v)) for k, v in dataclasses.asdict(config).items()],
                columns=["setting", "value"],
            )
        ),
        "",
        "### Settings that differ from the paper's",
        "",
    ]
    rows = deviations(config)
    if rows:
        lines.append(
            _markdown_table(
                pd.DataFrame(
                    [(a, str(b), str(c), d) for a, b, c, d in rows],
                    columns=["setting", "paper", "this study", "why"],
                )
            )
        )
    else:
        lines.append("None.")
    gaps = [(k, v) for k, v in _PAPER_GAPS.items() if getattr(config, k) == getattr(PAPER, k)]
    if gaps:
        lines += [
            "",
            "Settings the paper does not state, taken as follows: "
            + "; ".join(f"`{k}`: {v}" for k, v in gaps)
            + ".",
        ]

    lines += [
        "",
        "## Transfer conditions (the paper's Fig. 5)",
        "",
        "![transfer](transfer.png)",
        "",
    ]
    table = summary_t[
        [
            "target",
            "condition",
            "n_subjects",
            "rmse_mean",
            "rmse_std",
            "ccc_mean",
            "pcc_mean",
            "sagr_mean",
        ]
    ].copy()
    table["target"] = pd.Categorical(
        table["target"], [t for t in TARGETS if t in set(table["target"])]
    )
    table["condition"] = pd.Categorical(table["condition"], list(CONDITIONS))
    table = table.sort_values(["target", "condition"])
    table["n_subjects"] = table["n_subjects"].astype(int)
    lines.append(_markdown_table(table))
    lines += ["", "What the generator's design implies, checked on these numbers:", ""]
    for target in TARGETS:
        means = summary_t[summary_t["target"] == target].set_index("condition")["rmse_mean"]
        if {"transfer_100", "no_transfer", "transfer_0"} <= set(means.index):
            below_nt = means["transfer_100"] < means["no_transfer"]
            below_t0 = means["transfer_100"] < means["transfer_0"]
            lines.append(
                f"- {target}: Transfer 100% RMSE {means['transfer_100']:.3f}; No Transfer "
                f"{means['no_transfer']:.3f} ({'higher' if below_nt else 'NOT higher'}); "
                f"Transfer 0% {means['transfer_0']:.3f} "
                f"({'higher' if below_t0 else 'NOT higher'})."
            )
    if len(sampling):
        summary_s = summarize(sampling, metrics=["rmse"])
        lines += [
            "",
            "## Sampling curves (the paper's Fig. 6)",
            "",
            "![sampling](sampling.png)",
            "",
            "Mean RMSE across subjects by labelled fraction of the training fold:",
            "",
        ]
        for target in TARGETS:
            block = (
                summary_s[summary_s["target"] == target]
                .pivot_table(index="fraction", columns="sampler", values="rmse_mean")
                .reset_index()
            )
            lines += [f"**{target}**", "", _markdown_table(block), ""]
            first, last = block.iloc[0, 1:].mean(), block.iloc[-1, 1:].mean()
            lines.append(
                f"Across samplers, RMSE goes from {first:.3f} at {block['fraction'].iloc[0]:.0%}"
                f" to {last:.3f} at {block['fraction'].iloc[-1]:.0%}"
                f" ({'falling' if last < first else 'NOT falling'} as the fraction grows)."
            )
            lines.append("")
        tests = compare_samplers(results)
        lines += [
            "### Each sampler against random (paired Wilcoxon signed-rank test across "
            "subjects, two-sided)",
            "",
            "The paper reports no significant difference without a test. "
            f"With {results['subject'].nunique()} subjects the smallest attainable "
            "p-value is limited; the median difference is the sampler's RMSE minus "
            "random's (negative: the sampler is better).",
            "",
        ]
        lines.append(_markdown_table(tests) if len(tests) else "Not enough subjects.")
        elbows = elbow_fractions(results)
        lines += [
            "",
            "### Elbow fractions",
            "",
            "The fraction where each mean curve bends most: the point farthest below "
            "the chord joining the curve's first and last points, both axes rescaled "
            "to [0, 1] (the 'kneedle' rule). NaN: no bend.",
            "",
            _markdown_table(elbows),
        ]
    lines += [
        "",
        "## Timing",
        "",
        _markdown_table(
            pd.DataFrame(
                [(k, _format_seconds(v)) for k, v in timings.items()],
                columns=["stage", "wall time"],
            )
        ),
        "",
        f"sklearn-fer {__version__}, torch {torch.__version__}, device {config.device}.",
    ]
    text = "\n".join(lines) + "\n"
    _atomic_write(out / "report.md", lambda p: p.write_text(text, encoding="utf-8"))


def _figures(results, out, synthetic):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .plotting import plot_sampling, plot_transfer

    suffix = " (synthetic data)" if synthetic else ""
    figure = plot_transfer(results, title=f"Transfer conditions{suffix}")
    _atomic_write(out / "transfer.png", lambda p: figure.savefig(p, dpi=120, format="png"))
    plt.close(figure)
    if (results["study"] == "sampling").any():
        figure = plot_sampling(results, title=f"Labelled fraction and RMSE{suffix}")
        _atomic_write(out / "sampling.png", lambda p: figure.savefig(p, dpi=120, format="png"))
        plt.close(figure)


# -- the whole study --------------------------------------------------------------------


def reproduce(
    config,
    out,
    *,
    affectnet_root=None,
    amigos_root=None,
    n_jobs=None,
    progress=True,
    data_home=None,
    log=print,
):
    """Run (or resume) the study of ``config`` and write its outputs into ``out``.

    Parameters
    ----------
    config : StudyConfig
        From :func:`make_config`.
    out : path-like
        Output folder: new or empty, or holding an earlier run of the same configuration
        (which is resumed; finished work is not recomputed).
    affectnet_root, amigos_root : path-like or None
        Data folders, for ``config.dataset == "amigos"``.
    n_jobs : int or None, default=None
        Parallel jobs over subjects and folds (results do not depend on it).
    progress : bool, default=True
        Progress bars with ETA.
    data_home : path-like or None, default=None
        Where general models are cached across output folders (default:
        :func:`~sklearn_fer.datasets.get_data_home`).
    log : callable, default=print
        Receives one-line progress messages.

    Returns
    -------
    dict of str to pathlib.Path
        ``results``, ``report``, ``transfer``, ``sampling`` and ``model``.

    Raises
    ------
    StudyError
        Bad settings, missing data folders, an unavailable device, or an ``out`` folder
        holding another configuration (nothing is overwritten then).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> paths = reproduce(make_config("smoke"), folder + "/out", progress=False,
    ...                   data_home=folder + "/cache", log=lambda message: None)
    >>> sorted(paths)
    ['model', 'report', 'results', 'sampling', 'transfer']
    >>> "synthetic data" in paths["report"].read_text()
    True
    """
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise StudyError(f"device {config.device!r} was asked for but CUDA is not available.")
    if config.dataset == "amigos":
        for name, root in (("--affectnet-root", affectnet_root), ("--amigos-root", amigos_root)):
            if root is None or not Path(root).is_dir():
                raise StudyError(
                    f"--dataset amigos needs {name} pointing to an existing folder, got {root!r}."
                )
    out = _check_out(out, config)
    timings = {}
    start = time.perf_counter()
    wild, lab = _load_data(config, affectnet_root, amigos_root, log)
    timings["data"] = time.perf_counter() - start

    stage = time.perf_counter()
    nets = _general_models(config, wild, out, data_home, progress, log)
    timings["general model"] = time.perf_counter() - stage
    del wild

    common = dict(
        subjects=lab.subject,
        groups=lab.segment if config.group_folds else None,
        target_names=list(TARGETS),
        cv=config.folds,
        head=_head(config),
        n_jobs=n_jobs,
        random_state=config.seed,
        cache_dir=out / "cache",
        progress=progress,
    )
    stage = time.perf_counter()
    transfer = evaluate_transfer(
        nets, lab.images, lab.target, no_transfer=_no_transfer(config), **common
    )
    timings["transfer study"] = time.perf_counter() - stage
    stage = time.perf_counter()
    sampling = sampling_curve(
        nets,
        lab.images,
        lab.target,
        samplers=_samplers(config),
        fractions=config.fractions,
        **common,
    )
    timings["sampling study"] = time.perf_counter() - stage

    results = pd.concat([transfer, sampling], ignore_index=True)
    _atomic_write(out / "results.csv", lambda p: results.to_csv(p, index=False))
    _figures(results, out, config.dataset == "synthetic")
    timings["total"] = time.perf_counter() - start
    _report(config, results, timings, out)
    return {
        "results": out / "results.csv",
        "report": out / "report.md",
        "transfer": out / "transfer.png",
        "sampling": out / "sampling.png",
        "model": out / "model",
    }
