"""The settings of the Zhou & Shi study: :class:`ZhouShiConfig` and its profiles."""

from __future__ import annotations

import dataclasses

from .._general_nets import PretrainConfig
from ._study import StudyError

_PERTURBATIONS = ("occlusion", "noise", "blur", "pose", "lighting")


@dataclasses.dataclass(frozen=True)
class ZhouShiConfig:
    """Everything that decides the results of the Zhou & Shi study (paths and jobs aside).

    The defaults are the ``quick`` profile's. The pre-training settings are a
    :class:`PretrainConfig`, as in :class:`StudyConfig`, so
    the general nets are cached under the same key and shared with the Rescigno study
    when they are equal.

    Parameters
    ----------
    profile : str
        Name of the profile the settings come from.
    dataset : {"synthetic"}, default="synthetic"
        Synthetic faces only: the study needs ground-truth action units.
    seed : int, default=0
        Every random choice of the study derives from it.
    device : str, default="cpu"
        Torch device.
    image_size : int, default=64
        Side of the face images.
    pretraining : PretrainConfig
        The twin nets' pre-training: 150 synthetic wild people of 4 images, 64 dense
        units, Adam at 1e-4 (the Rescigno quick profile's rate: at 1e-3 a trial run left
        184 of conv2's 192 maps dead), batches of 16, 3 epochs.
    lab_subjects, lab_frames_per_subject : int, default=8, 40
        Size of the synthetic lab set: the subjects of the paired tests and the images
        whose maps are measured.
    folds : int, default=2
        Cross-validation folds per subject.
    layer : str, default="conv5"
        The layer whose maps the robustness study selects.
    ks : tuple of int, default=(8, 16, 32)
        Numbers of maps kept.
    perturbations : tuple of str, default=all five
        The shifts of :func:`~sklearn_fer.datasets.perturb_faces` tested.
    strengths : tuple of float, default=(0.25, 0.5, 1.0)
        Their strengths.
    ridge_alphas : tuple of float, default=(1e-6, 1e-5, ..., 1e3)
        The ridge head's candidate regularisations, one chosen per fold by
        leave-one-out cross-validation on the training fold (``RidgeCV``); the range
        is wide because pooled ReLU responses can be tiny.
    threshold : float, default=0.2
        An AU is present where its intensity is above this.
    n_permutations : int, default=1000
        Permutations of the selectivity test.

    Examples
    --------
    >>> from sklearn_fer.study import ZhouShiConfig
    >>> config = ZhouShiConfig(profile="mine", ks=(4,))
    >>> config.layer, config.pretraining.epochs
    ('conv5', 3)
    """

    profile: str
    dataset: str = "synthetic"
    seed: int = 0
    device: str = "cpu"
    image_size: int = 64
    pretraining: PretrainConfig = PretrainConfig(wild_subjects=150, hidden_units=64, epochs=3)
    lab_subjects: int = 8
    lab_frames_per_subject: int = 40
    folds: int = 2
    layer: str = "conv5"
    ks: tuple = (8, 16, 32)
    perturbations: tuple = _PERTURBATIONS
    strengths: tuple = (0.25, 0.5, 1.0)
    ridge_alphas: tuple = tuple(10.0**e for e in range(-6, 4))
    threshold: float = 0.2
    n_permutations: int = 1000


ZHOU_SHI_PROFILES = {
    "smoke": ZhouShiConfig(
        profile="smoke",
        pretraining=PretrainConfig(
            wild_subjects=30, wild_images_per_subject=2, hidden_units=16, epochs=1
        ),
        lab_subjects=3,
        lab_frames_per_subject=12,
        ks=(8,),
        perturbations=("occlusion", "noise"),
        strengths=(1.0,),
        n_permutations=400,
    ),
    "quick": ZhouShiConfig(profile="quick"),
}


def make_zhou_shi_config(profile="quick", *, seed=0, device="cpu"):
    """A :class:`ZhouShiConfig` from a profile and the command line's choices.

    The study runs on synthetic faces only: it needs ground-truth action units, which
    AMIGOS does not have, and its lab set has no video segments to keep whole.

    Parameters
    ----------
    profile : {"smoke", "quick"}, default="quick"
        There is no ``paper`` profile: the paper's data and ImageNet weights are out of
        reach, and a larger synthetic run is not the paper's.
    seed : int, default=0
    device : str, default="cpu"

    Returns
    -------
    ZhouShiConfig

    Examples
    --------
    >>> from sklearn_fer.study import make_zhou_shi_config
    >>> make_zhou_shi_config("smoke", seed=3).seed
    3
    """
    if profile not in ZHOU_SHI_PROFILES:
        raise StudyError(
            f"profile must be one of {sorted(ZHOU_SHI_PROFILES)} for the zhou-shi study, got "
            f"{profile!r} (it has no paper profile: the paper's data and ImageNet weights "
            "cannot be used here)."
        )
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise StudyError(f"seed must be a non-negative int, got {seed!r}.")
    return dataclasses.replace(ZHOU_SHI_PROFILES[profile], seed=int(seed), device=str(device))
