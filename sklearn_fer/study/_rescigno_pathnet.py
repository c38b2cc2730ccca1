"""PathNet personalisation in the Rescigno study (issue 13): the general paths, the
held-out wild set, and the runs of "PathNet transfer", its sampling curves, forgetting
and the valence -> arousal transfer.

Everything here is added beside the paper's protocols, never into them: the existing
conditions' units, seeds and caches are untouched, so their numbers do not change.
"""

from __future__ import annotations

import time
from pathlib import Path

import joblib
import pandas as pd

from .._general_nets import TARGETS
from .._random import derive_seed
from .._threads import one_thread
from ..evaluation import (
    default_samplers,
    evaluate_pathnet_transfer,
    evaluate_transfer,
    pathnet_sampling_curve,
)
from ..featurizers import FrozenConvFeaturizer
from ..pathnet import PathNetRegressor

#: The cross-domain transfer run per subject: the source task's general models, the
#: target task's frames.
CROSS = ("valence", "arousal")


def pathnet_template(config, *, head="copy", random_state=None):
    """A PathNetRegressor with the configuration's evolution budget."""
    return PathNetRegressor(
        head=head,
        population=config.pathnet_population,
        n_generations=config.pathnet_generations,
        steps_per_path=config.pathnet_steps,
        max_epochs=config.pathnet_epochs,
        device=config.device,
        random_state=random_state,
    )


def held_out_wild(config, affectnet_root):
    """Wild images no general model saw: fresh synthetic people, or AffectNet's
    validation split."""
    from ..datasets import load_affectnet, make_faces

    if config.dataset == "synthetic":
        return make_faces(
            config.pathnet_holdout_subjects,
            config.pretraining.wild_images_per_subject,
            domain="wild",
            image_size=config.image_size,
            random_state=config.seed + 2,  # wild: seed, lab: seed + 1
        )
    return load_affectnet(
        affectnet_root, subset="validation", image_size=config.image_size, lazy=True
    )


def _general_pathnet(config, index, net, images, y):
    start = time.perf_counter()
    with one_thread():  # the same arithmetic whatever n_jobs is (sklearn_fer._threads)
        features = FrozenConvFeaturizer(net, batch_size=64).fit().transform(images)
        model = pathnet_template(
            config, head="new", random_state=derive_seed(config.seed, 13, index) % (2**31)
        ).fit(features, y)
    return model, time.perf_counter() - start


def general_pathnets(config, nets, wild, log, n_jobs=None):
    """Per target, the general PathNet evolved on the wild set's frozen conv features
    under that target's general AlexNet (the twins fit side by side)."""
    fitted = joblib.Parallel(n_jobs=min(len(TARGETS), n_jobs or 1))(
        joblib.delayed(_general_pathnet)(config, index, nets[target], wild.images, wild[target])
        for index, target in enumerate(TARGETS)
    )
    general = {}
    for target, (model, seconds) in zip(TARGETS, fitted):
        general[target] = model
        log(f"general PathNet ({target}): evolved and trained in {seconds:.1f} s")
    return general


def _cross_domain(config, nets, general, lab, common):
    """Valence -> arousal: the valence models personalised on each subject's arousal."""
    source, target = CROSS
    cross = dict(common, target_names=[target])
    if cross["cache_dir"] is not None:  # a folder of its own: the same protocols run again
        cross["cache_dir"] = Path(cross["cache_dir"]) / "cross_domain"
    y = lab[target]
    fine_tuned = evaluate_transfer(
        {target: nets[source]}, lab.images, y, conditions=("transfer_100",), **cross
    )
    fine_tuned["study"] = "cross_domain"
    cross.pop("head")
    pathnet = evaluate_pathnet_transfer(
        {target: nets[source]},
        {target: general[source]},
        lab.images,
        y,
        pathnet=pathnet_template(config, head="new"),
        study="cross_domain",
        **cross,
    )
    return [fine_tuned, pathnet]


def pathnet_results(config, nets, general, lab, holdout, common, stage):
    """All PathNet rows of the study: transfer and forgetting, sampling, cross-domain."""
    frames = []
    with stage("PathNet transfer"):
        frames.append(
            evaluate_pathnet_transfer(
                nets,
                general,
                lab.images,
                lab.target,
                pathnet=pathnet_template(config),
                wild=(holdout.images, holdout.target),
                **common,
            )
        )
    if config.pathnet_samplers:
        available = default_samplers(random_state=config.seed)
        # in the fine-tuned curves' order: with the default samplers (random and GSx lead
        # them) the seeds, so the random picks, are the fine-tuned curves'
        names = [n for n in config.samplers if n in config.pathnet_samplers]
        names += [n for n in config.pathnet_samplers if n not in names]
        with stage("PathNet sampling"):
            sampling = dict(common)
            sampling.pop("head")
            frames.append(
                pathnet_sampling_curve(
                    nets,
                    general,
                    lab.images,
                    lab.target,
                    samplers={name: available[name] for name in names},
                    fractions=config.fractions,
                    pathnet=pathnet_template(config),
                    **sampling,
                )
            )
    with stage("cross-domain transfer"):
        frames += _cross_domain(config, nets, general, lab, common)
    return pd.concat(frames, ignore_index=True)
