"""Monte-Carlo dropout: the passes themselves and MCDUE (Rescigno et al. 2020, Table 4)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import validate_params

from .._random import draw_seed, torch_rng
from .._validation import RANDOM_STATE, NumberInterval, is_dataset, positive_int
from ..nets._backbone import DROPOUT_TYPES as _DROPOUT_TYPES
from ._base import _check_pool, _QueryStrategy
from ._regression_function import _torch_module


def _pass_nonlinearity(estimator):
    """What turns a pass's raw outputs into predictions: a classifier's softmax, say."""
    get = getattr(estimator, "_get_predict_nonlinearity", None)
    return get() if callable(get) else (lambda out: out)


#: The settings of the passes, shared by the function, the sampler and the regressor.
_PASS_CONSTRAINTS = {
    "n_iter": [positive_int()],
    "p": [NumberInterval(Real, 0, 1, closed="left")],
    "batch_size": [positive_int()],
    "random_state": RANDOM_STATE,
}


@validate_params(
    {"estimator": "no_validation", "X": "no_validation", **_PASS_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def mc_dropout_predictions(estimator, X, *, n_iter=50, p=0.5, batch_size=1024, random_state=None):
    """Outputs of ``n_iter`` forward passes with dropout switched on (MCDUE's passes).

    Only the dropout layers are put in training mode, with probability ``p``; everything
    else (batch norm, for instance) stays in evaluation mode. The passes run under
    ``torch.no_grad`` in batches of ``batch_size`` rows, several passes per batch when the
    pool is small, so the dense layers work as large matrix products. The module is left
    exactly as found: modes and dropout probabilities are restored. A classifier's passes
    go through its prediction nonlinearity (the softmax of a cross-entropy net), so each
    pass gives class probabilities; a regressor's pass its raw outputs.

    Parameters
    ----------
    estimator : skorch net
        Fitted (or initialised) net with dropout layers; an unfitted
        :class:`~sklearn_fer.DenseHeadRegressor` is used in its pre-trained state.
    X : array-like or torch Dataset
        Inputs the net takes (conv features for the head, images for AlexNetRegressor).
    n_iter : int, default=50
        Number of stochastic passes (the paper's T).
    p : float, default=0.5
        Dropout probability during the passes (the paper's pi).
    batch_size : int, default=1024
        Rows (sample x pass) per forward call.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks.

    Returns
    -------
    outputs : ndarray of shape (n_iter, n_samples, n_outputs), float32
        Predictions of each pass (class probabilities for a classifier).

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetRegressor
    >>> net = NeuralNetRegressor(
    ...     torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(4, 1)),
    ...     train_split=None, verbose=0).initialize()
    >>> X = np.ones((3, 4), dtype=np.float32)
    >>> passes = mc_dropout_predictions(net, X, n_iter=10, random_state=0)
    >>> passes.shape, bool(passes.std(axis=0).max() > 0)
    ((10, 3, 1), True)
    """
    estimator, module = _torch_module(estimator, "MCDUE")
    dropouts = [m for m in module.modules() if isinstance(m, _DROPOUT_TYPES)]
    if not dropouts:
        raise ValueError(
            f"MCDUE needs dropout layers, but {type(module).__name__} has none: use a "
            "backbone whose head has dropout (AlexNet, Xception(dropout>0), "
            "MiniXception(dropout>0); see sklearn_fer.nets.head_has_dropout)."
        )
    if hasattr(estimator, "_check_X"):
        X = estimator._check_X(X, reset=False)
    if is_dataset(X):
        X = np.stack([np.asarray(item[0] if isinstance(item, tuple) else item) for item in X])
    X = np.asarray(X)
    if X.dtype == np.float64:
        X = X.astype(np.float32)  # torch weights are float32
    n = len(X)
    if n == 0:
        raise ValueError("X is empty: there is nothing to score.")
    device = next(module.parameters()).device
    nonlinearity = _pass_nonlinearity(estimator)
    modes = {m: m.training for m in module.modules()}
    rates = {m: m.p for m in dropouts}
    outputs = None
    try:
        module.eval()
        for m in dropouts:
            m.train()
            m.p = float(p)
        per_batch = max(1, batch_size // n)  # passes stacked into one forward call
        rows_per_call = min(n, batch_size)
        with torch.no_grad(), torch_rng(draw_seed(random_state), device):
            for start in range(0, n, rows_per_call):
                block = torch.as_tensor(X[start : start + rows_per_call]).to(device)
                done = 0
                while done < n_iter:
                    passes = min(per_batch, n_iter - done)
                    stacked = block.repeat((passes,) + (1,) * (block.dim() - 1))
                    out = nonlinearity(module(stacked)).float()
                    out = out.reshape(passes, len(block), -1).cpu().numpy()
                    if outputs is None:
                        outputs = np.empty((n_iter, n, out.shape[-1]), dtype=np.float32)
                    outputs[done : done + passes, start : start + len(block)] = out
                    done += passes
    finally:
        for m, training in modes.items():
            m.train(training)
        for m, rate in rates.items():
            m.p = rate
    return outputs


class MCDropoutSampler(_QueryStrategy):
    """Monte-Carlo dropout uncertainty estimation (MCDUE): label the most uncertain rows.

    Table 4 of Rescigno et al. (2020), after Tsymbalov, Panov & Shapeev (2018): ``n_iter``
    forward passes of the net with dropout switched on at probability ``p``; a row's
    uncertainty is the standard deviation of its predictions across the passes (averaged
    over outputs for several targets, over class probabilities for a classifier); the
    ``n_instances`` largest are picked (ties to the lowest index). Works with
    :class:`~sklearn_fer.DenseHeadRegressor` and :class:`~sklearn_fer.DenseHeadClassifier`
    on conv features (unfitted: their pre-trained state) and with the whole-network
    estimators on images, for any backbone whose head has dropout.

    Parameters
    ----------
    n_iter : int, default=50
        Stochastic passes (the paper's T = 50).
    p : float, default=0.5
        Dropout probability during the passes (the paper's pi = 0.5).
    batch_size : int, default=1024
        Rows (sample x pass) per forward call.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks.

    See Also
    --------
    mc_dropout_predictions : the passes themselves.
    MCDropoutRegressor : their mean and spread through ``predict(X, return_std=True)``.

    References
    ----------
    Tsymbalov, Panov & Shapeev (2018). Dropout-based active learning for regression. AIST.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetRegressor
    >>> from sklearn_fer.active import MCDropoutSampler
    >>> net = NeuralNetRegressor(
    ...     torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(4, 1)),
    ...     train_split=None, verbose=0).initialize()
    >>> X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    >>> MCDropoutSampler(n_iter=20, random_state=0).select(X, 3, estimator=net).shape
    (3,)
    """

    _parameter_constraints: dict = dict(_PASS_CONSTRAINTS)

    def __init__(self, n_iter=50, p=0.5, *, batch_size=1024, random_state=None):
        self.n_iter = n_iter
        self.p = p
        self.batch_size = batch_size
        self.random_state = random_state

    def uncertainty(self, X_pool, *, estimator):
        """Standard deviation of each row's predictions across the dropout passes.

        Parameters
        ----------
        X_pool : array-like
            Inputs of the net.
        estimator : skorch net
            The net (see the class docstring).

        Returns
        -------
        std : ndarray of shape (n_pool,)
        """
        outputs = mc_dropout_predictions(
            estimator,
            X_pool,
            n_iter=self.n_iter,
            p=self.p,
            batch_size=self.batch_size,
            random_state=self.random_state,
        )
        return outputs.astype(np.float64).std(axis=0).mean(axis=1)

    def select(self, X_pool, n_instances, *, estimator=None, X_labeled=None):
        """Indices of the ``n_instances`` most uncertain pool rows, most uncertain first.

        Parameters
        ----------
        X_pool : array-like
            Pool rows.
        n_instances : int
            How many to pick.
        estimator : skorch net
            The net whose dropout gives the uncertainty.
        X_labeled : ignored
            MCDUE scores rows independently.

        Returns
        -------
        indices : ndarray of int
        """
        n_instances = self._check_select(n_instances, X_pool)
        _check_pool(X_pool)
        std = self.uncertainty(X_pool, estimator=estimator)
        return np.argsort(-std, kind="stable")[:n_instances]
