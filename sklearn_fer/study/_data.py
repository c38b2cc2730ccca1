"""The study's data: synthetic wild and lab faces, or AffectNet and AMIGOS."""

from __future__ import annotations

import numpy as np


def load_data(config, affectnet_root, amigos_root, log):
    from ..datasets import load_affectnet, load_amigos, make_faces

    if config.dataset == "synthetic":
        wild_subjects = config.pretraining.wild_subjects
        wild = make_faces(
            wild_subjects,
            config.pretraining.wild_images_per_subject,
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
            f"synthetic data: {len(wild.images)} wild images of {wild_subjects} "
            f"people; {len(lab.images)} lab frames of {config.lab_subjects} people"
        )
        return wild, lab
    wild = load_affectnet(
        affectnet_root, subset="training", image_size=config.image_size, lazy=True
    )
    participants = amigos_participants(config, amigos_root)
    lab = load_amigos(
        amigos_root,
        participants=participants,
        image_size=config.image_size,
        verbose=True,
    )
    people, frames = np.unique(lab.subject, return_counts=True)
    log(
        f"AffectNet: {len(wild.images)} faces ({len(wild.dropped)} rows dropped); AMIGOS: "
        f"{len(lab.images)} frames of {len(people)} participants "
        f"({len(lab.dropped)} frames dropped); participants used: "
        f"{', '.join(str(p) for p in people)}; frames per participant: "
        f"{', '.join(f'{p}: {n}' for p, n in zip(people, frames))} (the paper: about 1000)"
    )
    return wild, lab


def amigos_participants(config, amigos_root):
    """The AMIGOS participants a study uses: ``config.participants`` when given, else the
    ``config.lab_subjects`` lowest participant numbers with frontal videos of experiment 1.

    The paper uses 10 participants of experiment 1 without naming them (Section 3.1); the
    lowest numbers are a choice anyone with the data can repeat. The paper profile's
    ``lab_subjects`` is 10.
    """
    from ..datasets._amigos import AMIGOS_VIDEO_PATTERN, _find_videos
    from ..datasets._paths import check_root

    if config.participants:
        return list(config.participants)
    found = sorted(
        {p for p, _, _ in _find_videos(check_root(amigos_root, "AMIGOS"), AMIGOS_VIDEO_PATTERN)}
    )
    return found[: config.lab_subjects] or None
