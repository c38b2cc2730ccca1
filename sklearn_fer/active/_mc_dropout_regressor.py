"""MCDropoutRegressor: dropout passes as ``predict(X, return_std=True)`` for modAL."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods

from ._mc_dropout import _PASS_CONSTRAINTS, mc_dropout_predictions
from ._regression_function import _pretrained_or_fitted


class MCDropoutRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Mean and spread of Monte-Carlo dropout passes, as ``predict(X, return_std=True)``.

    Wraps a skorch net so that uncertainty-based strategies written for Gaussian-process
    style regressors, such as modAL's ``max_std_sampling``, work with dropout nets. Before
    ``fit`` (a cold modAL learner), an estimator with ``initialize()`` predicts in its
    pre-trained state.

    Parameters
    ----------
    estimator : skorch net
        The net, for instance ``DenseHeadRegressor(pretrained)``.
    n_iter : int, default=50
        Stochastic passes.
    p : float, default=0.5
        Dropout probability during the passes.
    batch_size : int, default=1024
        Rows (sample x pass) per forward call.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks.

    Attributes
    ----------
    estimator_ : skorch net
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetRegressor
    >>> from sklearn_fer.active import MCDropoutRegressor
    >>> net = NeuralNetRegressor(
    ...     torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(4, 1)),
    ...     max_epochs=2, train_split=None, verbose=0)
    >>> X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    >>> model = MCDropoutRegressor(net, n_iter=10, random_state=0)
    >>> model = model.fit(X, X[:, :1])
    >>> mean, std = model.predict(X, return_std=True)
    >>> mean.shape, std.shape
    ((10,), (10,))
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        **_PASS_CONSTRAINTS,
    }

    def __init__(self, estimator, *, n_iter=50, p=0.5, batch_size=1024, random_state=None):
        self.estimator = estimator
        self.n_iter = n_iter
        self.p = p
        self.batch_size = batch_size
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)  # a meta-estimator
    def fit(self, X, y, **fit_params):
        """Fit a clone of the estimator.

        Parameters
        ----------
        X : array-like
            Inputs.
        y : array-like
            Targets.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        return self

    def predict(self, X, return_std=False):
        """Mean (and standard deviation) of the predictions across the dropout passes.

        Parameters
        ----------
        X : array-like
            Inputs.
        return_std : bool, default=False
            Also return the standard deviation (averaged over outputs).

        Returns
        -------
        mean : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        std : ndarray of shape (n_samples,)
            Only when ``return_std`` is True.
        """
        self._validate_params()  # predict works unfitted (the pre-trained net's passes)
        estimator = getattr(self, "estimator_", None)
        if estimator is None:
            estimator = _pretrained_or_fitted(self.estimator, "MCDropoutRegressor")
        outputs = mc_dropout_predictions(
            estimator,
            X,
            n_iter=self.n_iter,
            p=self.p,
            batch_size=self.batch_size,
            random_state=self.random_state,
        ).astype(np.float64)
        mean = outputs.mean(axis=0)
        if mean.shape[1] == 1 and getattr(estimator, "y_ndim_", 1) == 1:
            mean = mean[:, 0]
        if not return_std:
            return mean
        return mean, outputs.std(axis=0).mean(axis=1)
