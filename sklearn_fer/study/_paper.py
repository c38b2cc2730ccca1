"""Where a configuration departs from the paper's settings, and why (the report's
"Settings that differ from the paper's, or that it does not state" table)."""

from __future__ import annotations

from .._general_nets import flat_settings
from ._config import PAPER

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

#: What the paper's column says of a setting the paper does not give.
NOT_STATED = "not stated"

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
