"""Runs of the paper's two protocols on small data, shared by the evaluation tests."""

from sklearn_fer import DenseHeadRegressor
from sklearn_fer.active import GreedySampler, MCDropoutSampler, RandomSampler
from sklearn_fer.evaluation import evaluate_transfer, sampling_curve

from .._helpers import tiny_regressor

HEAD = DenseHeadRegressor(None, max_epochs=2, lr=0.01)


def run_transfer(twins, lab, **kwargs):
    params = dict(
        subjects=lab.subject, cv=3, head=HEAD, no_transfer=tiny_regressor(), random_state=0
    )
    params.update(kwargs)
    return evaluate_transfer(twins, lab.images, lab.target, **params)


def run_curve(twins, lab, **kwargs):
    params = dict(
        subjects=lab.subject,
        cv=3,
        head=HEAD,
        fractions=[0.2, 0.5, 1.0],
        samplers={
            "random": RandomSampler(),
            "gsx": GreedySampler("x"),
            "mcdue": MCDropoutSampler(n_iter=3),
        },
        random_state=0,
    )
    params.update(kwargs)
    return sampling_curve(twins, lab.images, lab.target, **params)
