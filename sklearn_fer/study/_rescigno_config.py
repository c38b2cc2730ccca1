"""The settings of the Rescigno study: :class:`StudyConfig`, the paper's values, the
profiles (``smoke``, ``quick``, ``paper``) and :func:`make_config`; where a configuration
departs from the paper's settings, and why (:func:`deviations`: the report's "Settings
that differ from the paper's, or that it does not state" table)."""

from __future__ import annotations

import dataclasses

from .._general_nets import PretrainConfig, flat_settings
from ..evaluation import DEFAULT_FRACTIONS
from ._report import NOT_STATED
from ._study import StudyError

SAMPLER_NAMES = ("random", "gsx", "gsy", "igs", "mcdue")


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
    pretraining : PretrainConfig, default=PretrainConfig()
        The general nets' pre-training: the synthetic wild set's size (500 people, 4
        images each), AlexNet's dense width (512), the optimiser, learning rate, batch
        size and epochs (Adam, 1e-4, 16, 12).
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
    pathnet : bool, default=True
        Add PathNet personalisation (issue 13): the condition "PathNet transfer", its
        sampling curves, forgetting on held-out wild data and the cross-domain transfer.
    pathnet_samplers : tuple of str, default=("random", "gsx")
        Samplers of PathNet's sampling curves (those needing no estimator).
    pathnet_population, pathnet_generations, pathnet_steps, pathnet_epochs : int
        Paths, tournaments, steps per path and final epochs of every PathNet fit
        (8, 8, 4, 20: :class:`~sklearn_fer.pathnet.PathNetRegressor`'s defaults).
    pathnet_holdout_subjects : int, default=100
        People of the held-out wild set on which forgetting is measured (synthetic data;
        AffectNet's validation split otherwise).

    Examples
    --------
    >>> config = StudyConfig(profile="mine", folds=3)
    >>> config.folds, config.pretraining.epochs
    (3, 12)
    """

    profile: str
    dataset: str = "synthetic"
    seed: int = 0
    device: str = "cpu"
    image_size: int = 64
    # the general model, pre-trained "in the wild"
    pretraining: PretrainConfig = PretrainConfig()
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
    # PathNet personalisation (issue 13)
    pathnet: bool = True
    pathnet_samplers: tuple = ("random", "gsx")
    pathnet_population: int = 8
    pathnet_generations: int = 8
    pathnet_steps: int = 4
    pathnet_epochs: int = 20
    pathnet_holdout_subjects: int = 100


#: The paper's settings (Sections 3.1-3.4 and 4), as far as it states them.
PAPER = StudyConfig(
    profile="paper",
    image_size=227,
    pretraining=PretrainConfig(
        wild_subjects=10_000,
        wild_images_per_subject=2,
        hidden_units=4096,
        optimizer="sgd-nesterov",
        lr=1e-3,
        batch_size=16,
        epochs=50,
    ),
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
        pretraining=dataclasses.replace(
            PAPER.pretraining,
            wild_subjects=40,
            wild_images_per_subject=2,
            hidden_units=32,
            optimizer="adam",
            lr=1e-3,
            epochs=1,
        ),
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
        pathnet_population=4,
        pathnet_generations=2,
        pathnet_steps=2,
        pathnet_epochs=2,
        pathnet_holdout_subjects=10,
    ),
    "quick": StudyConfig(profile="quick"),
    "paper": PAPER,
}


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
    >>> make_config("smoke").pretraining.epochs
    1
    """
    if profile not in PROFILES:
        raise StudyError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}.")
    if dataset not in ("synthetic", "amigos"):
        raise StudyError(f"dataset must be 'synthetic' or 'amigos', got {dataset!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise StudyError(f"seed must be a non-negative int, got {seed!r}.")
    return dataclasses.replace(
        PROFILES[profile],
        dataset=dataset,
        seed=int(seed),
        device=str(device),
        participants=tuple(sorted(int(p) for p in participants or ())),
        group_folds=bool(group_folds),
    )


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
    "pretrain_epochs": "a CPU budget; 12 are the fewest here after which both nets have "
    "left the plateau where they predict the mean (arousal leaves it at epoch 8)",
    "lab_subjects": "a CPU budget",
    "lab_frames_per_subject": "a CPU budget (the paper says about 1000 frames per subject)",
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
    "pathnet_population": "not in Rescigno et al.; PathNet's evolution (issue 13) at a CPU budget",
    "pathnet_generations": "as pathnet_population",
    "pathnet_steps": "as pathnet_population",
    "pathnet_epochs": "as pathnet_population",
    "pathnet_holdout_subjects": "not in Rescigno et al.; the held-out wild set of the "
    "forgetting measure, at a CPU budget",
}

# Settings the paper does not state: what the paper profile takes, and on what grounds.
# Each shows as "not stated" in every profile's table, beside the profile's own choice.
PAPER_GAPS = {
    "image_size": "227 px, AlexNet's usual input size; the paper only says faces were resized",
    "wild_subjects": "with --dataset synthetic, the size of the synthetic stand-in for "
    "AffectNet (10,000 people); the paper gives no image count",
    "wild_images_per_subject": "with --dataset synthetic: 2 images per synthetic person",
    "head_optimizer": "the paper lists no fine-tuning settings; the paper profile takes "
    "those of pre-training (SGD with Nesterov momentum)",
    "head_lr": "the paper lists no fine-tuning settings; pre-training's 0.001",
    "head_batch_size": "the paper lists no fine-tuning settings; pre-training's 16",
    "head_epochs": "the paper lists no fine-tuning settings; pre-training's 50",
    "no_transfer_optimizer": "the paper lists no settings for No Transfer; pre-training's",
    "no_transfer_lr": "the paper lists no settings for No Transfer; pre-training's 0.001",
    "no_transfer_epochs": "the paper lists no settings for No Transfer; pre-training's 50",
    "fractions": "the paper's Fig. 6 spans 5% to 90% without listing its steps",
    "pathnet_population": "not in Rescigno et al.: PathNet (Fernando et al. 2017), issue 13; "
    "PathNetRegressor's defaults",
    "pathnet_generations": "as pathnet_population",
    "pathnet_steps": "as pathnet_population",
    "pathnet_epochs": "as pathnet_population",
    "pathnet_holdout_subjects": "not in Rescigno et al.: the held-out wild set of the "
    "forgetting measure",
}

# How the paper words a value it states, where the configuration's value is a reading of it.
_STATED = {
    "pretrain_hidden_units": "4096 (AlexNet's)",
    "lab_frames_per_subject": "about 1000",
    "mc_iter": "T = 50",
    "mc_p": "π = 0.5",
}

#: The number of AMIGOS participants the paper uses (Section 3.1; it does not name them).
PAPER_PARTICIPANTS = 10

_COMPARED = [
    name
    for name in flat_settings(PAPER)
    if name not in ("profile", "seed", "device", "participants", "group_folds", "samplers")
]
_WILD_AND_LAB_SIZES = (
    "wild_subjects",
    "wild_images_per_subject",
    "lab_subjects",
    "lab_frames_per_subject",
)


def deviations(config):
    """Settings of ``config`` that differ from the paper's or that the paper does not
    state, with the reason for each.

    The paper's column holds only what the paper states: a setting it does not give
    reads ``"not stated"``, beside this configuration's choice and its reason, in every
    profile. With AMIGOS, a number of participants other than the paper's ten is a
    departure too.

    Parameters
    ----------
    config : StudyConfig

    Returns
    -------
    list of (setting, paper's value or "not stated", this study's value, reason)

    Examples
    --------
    >>> from sklearn_fer.study import PROFILES, deviations
    >>> rows = {row[0]: row for row in deviations(PROFILES["paper"])}
    >>> rows["head_lr"][1:3]
    ('not stated', 0.001)
    >>> "pretrain_lr" in rows  # stated, and the paper profile takes it
    False
    """
    rows = []
    ours_all, theirs_all = flat_settings(config), flat_settings(PAPER)
    if config.dataset == "synthetic":
        rows.append(
            ("dataset", "AffectNet + AMIGOS", "synthetic (make_faces)", _REASONS["dataset"])
        )
    for name in _COMPARED:
        if name == "dataset":
            continue
        if config.dataset != "synthetic" and name in _WILD_AND_LAB_SIZES:
            continue  # the real sets' sizes; the participants are compared below
        ours, theirs = ours_all[name], theirs_all[name]
        if name in PAPER_GAPS:
            why = PAPER_GAPS[name] if ours == theirs else _REASONS.get(name, "set here")
            rows.append((name, NOT_STATED, ours, why))
        elif ours != theirs:
            stated = _STATED.get(name, theirs)
            rows.append((name, stated, ours, _REASONS.get(name, "set on the command line")))
    if config.dataset != "synthetic":
        chosen = config.participants or ()
        count = len(chosen) if chosen else config.lab_subjects
        if count != PAPER_PARTICIPANTS:
            how = "--participants" if chosen else "the profile's lab_subjects"
            rows.append(
                (
                    "participants",
                    f"{PAPER_PARTICIPANTS} of experiment 1 (not named)",
                    ", ".join(str(p) for p in chosen) if chosen else f"{count} (lowest numbers)",
                    f"{how}: {count} participants, not the paper's {PAPER_PARTICIPANTS}",
                )
            )
    return rows


def paper_gaps(config):
    """Every setting the paper does not state and what the paper profile takes for it,
    in every profile (the note under the report's table)."""
    return list(PAPER_GAPS.items())
