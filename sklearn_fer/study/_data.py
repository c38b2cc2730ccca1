"""The study's data: synthetic wild and lab faces, or AffectNet and AMIGOS."""

from __future__ import annotations

import numpy as np


def load_data(config, affectnet_root, amigos_root, log):
    from ..datasets import load_affectnet, load_amigos, make_faces

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
