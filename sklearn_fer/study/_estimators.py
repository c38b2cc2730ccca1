"""The estimators a Rescigno configuration describes besides the general nets
(:func:`sklearn_fer._general_nets.general_net`): the fine-tuned head, No Transfer's
from-scratch net and the samplers."""

from __future__ import annotations

from .._general_nets import optimizer
from ..evaluation import default_samplers
from ..regressors import AlexNetRegressor, DenseHeadRegressor


def head(config):
    """The template of the fine-tuned dense head (its ``pretrained`` is set per fold)."""
    return DenseHeadRegressor(
        None,
        optimizer=optimizer(config.head_optimizer),
        lr=config.head_lr,
        batch_size=config.head_batch_size,
        max_epochs=config.head_epochs,
        device=config.device,
    )


def no_transfer(config):
    """The template of No Transfer's AlexNet, trained from scratch on one subject."""
    return AlexNetRegressor(
        module__hidden_units=config.pretraining.hidden_units,
        optimizer=optimizer(config.no_transfer_optimizer),
        lr=config.no_transfer_lr,
        batch_size=config.pretraining.batch_size,
        max_epochs=config.no_transfer_epochs,
        device=config.device,
    )


def samplers(config):
    """The configuration's samplers by name, seeded from the study's seed."""
    available = default_samplers(n_iter=config.mc_iter, p=config.mc_p, random_state=config.seed)
    return {name: available[name] for name in config.samplers}
