"""The estimators a configuration describes: the general model, the fine-tuned head, No
Transfer's from-scratch net and the samplers."""

from __future__ import annotations

from .._random import derive_seed
from ..evaluation import default_samplers
from ..optim import FusedAdam, NesterovSGD
from ..regressors import AlexNetRegressor, DenseHeadRegressor


def optimizer(name):
    """The optimiser class of a configuration's name for it."""
    return {"adam": FusedAdam, "sgd-nesterov": NesterovSGD}[name]


def general_model(config, target_index):
    """The general AlexNet of one target, seeded from the study's seed."""
    return AlexNetRegressor(
        module__hidden_units=config.pretrain_hidden_units,
        optimizer=optimizer(config.pretrain_optimizer),
        lr=config.pretrain_lr,
        batch_size=config.pretrain_batch_size,
        max_epochs=config.pretrain_epochs,
        device=config.device,
        random_state=derive_seed(config.seed, 11, target_index) % (2**31),
    )


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
        module__hidden_units=config.pretrain_hidden_units,
        optimizer=optimizer(config.no_transfer_optimizer),
        lr=config.no_transfer_lr,
        batch_size=config.pretrain_batch_size,
        max_epochs=config.no_transfer_epochs,
        device=config.device,
    )


def samplers(config):
    """The configuration's samplers by name, seeded from the study's seed."""
    available = default_samplers(n_iter=config.mc_iter, p=config.mc_p, random_state=config.seed)
    return {name: available[name] for name in config.samplers}
