"""The settings of the Rescigno study: :class:`StudyConfig`, the paper's values and the
profiles (``smoke``, ``quick``, ``paper``), and :func:`make_config`."""

from __future__ import annotations

import dataclasses

from .._general_nets import PretrainConfig
from ..evaluation import DEFAULT_FRACTIONS
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
