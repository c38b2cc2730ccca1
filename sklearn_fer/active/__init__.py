"""Pool-based sampling: which frames of a person to label (Rescigno et al. 2020, Section 3.4).

Query strategies that are scikit-learn-style objects (``get_params``, ``set_params``,
``clone``) and modAL query strategies at once (``strategy(learner, X_pool, n_instances)``
returns the indices to label, modAL 0.4.1's convention):

* :class:`GreedySampler`: greedy sampling in the input space (GSx), the output space of a
  regression function (reduced GSy) or both (reduced iGS), Tables 2-3 of the paper, after
  Wu, Lin & Huang (2019);
* :class:`MCDropoutSampler`: Monte-Carlo dropout uncertainty (MCDUE), Table 4, after
  Tsymbalov, Panov & Shapeev (2018);
* :class:`RandomSampler`: the random baseline.

:class:`SampledRegressor` fits an estimator on the fraction of the training rows a sampler
picks, which makes the fraction of labelled data a grid-searchable parameter, and
:class:`MCDropoutRegressor` exposes the mean and spread of the dropout passes through
``predict(X, return_std=True)`` for modAL's ``max_std_sampling``.

Each strategy lives in its own private module (``_greedy.py``, ``_mc_dropout.py``,
``_random_sampler.py``) on the contract of ``_base.py``; a new strategy subclasses
``_QueryStrategy`` and implements ``select``.
"""

from ._greedy import GreedySampler
from ._mc_dropout import MCDropoutSampler, mc_dropout_predictions
from ._mc_dropout_regressor import MCDropoutRegressor
from ._random_sampler import RandomSampler
from ._sampled import SampledRegressor

__all__ = [
    "GreedySampler",
    "MCDropoutRegressor",
    "MCDropoutSampler",
    "RandomSampler",
    "SampledRegressor",
    "mc_dropout_predictions",
]
