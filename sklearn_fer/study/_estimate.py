"""A study's wall time, estimated from a few timed training steps before it starts."""

from __future__ import annotations

import time

import numpy as np

from .._general_nets import TARGETS, general_net
from ._estimators import head


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
    >>> from sklearn_fer.study import estimate_seconds, make_config
    >>> estimate = estimate_seconds(make_config("smoke"))
    >>> sorted(estimate), estimate["total"] > 0
    (['fine_tuning', 'no_transfer', 'pretraining', 'total'], True)
    """
    rng = np.random.default_rng(0)
    size = config.image_size
    images = rng.integers(0, 256, size=(32, size, size, 3), dtype=np.uint8)
    y = rng.uniform(-1, 1, 32).astype(np.float32)
    net = general_net(config, 0).set_params(max_epochs=1)
    per_image = _seconds_per_sample(lambda: net.fit(images, y), len(images))
    features = rng.random((64, 256 * 36), dtype=np.float32)
    net_head = head(config).set_params(pretrained=net, max_epochs=1)
    per_feature = _seconds_per_sample(lambda: net_head.fit(features, y.repeat(2)), len(features))
    n_targets = len(TARGETS)
    n_wild = config.pretraining.wild_subjects * config.pretraining.wild_images_per_subject
    if n_train_per_fold is None:
        n_train_per_fold = config.lab_frames_per_subject * (config.folds - 1) / config.folds
    fits = config.lab_subjects * config.folds * n_targets
    pretraining = n_targets * n_wild * config.pretraining.epochs * per_image
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
