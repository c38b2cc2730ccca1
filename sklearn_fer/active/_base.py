"""The query-strategy contract, and the checks of a pool every strategy shares.

A strategy is a scikit-learn object (``get_params``, ``clone``) and a modAL query
strategy at once: ``strategy(learner, X_pool, n_instances)`` returns the positions to
label, modAL 0.4.1's convention, by calling its own ``select``.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator
from sklearn.utils import check_array
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import _num_samples

from .._validation import NumberInterval, check_param, is_dataset


def _n_samples(X):
    if is_dataset(X):
        return len(X)
    return _num_samples(X)


def _check_n_instances(n_instances, n_pool, caller_name):
    if n_pool == 0:
        raise ValueError("X_pool is empty: there is nothing to select from.")
    # The pool size is the upper bound: modAL asks for more than is left near the end.
    # A pool of one is the interval [1, 1], which scikit-learn's Interval cannot hold
    # (it needs left < right): any count >= 1 first (booleans refused), then exactly 1.
    if n_pool == 1:
        constraint = NumberInterval(Integral, 1, None, closed="left")
        check_param(n_instances, "n_instances", [constraint], caller_name)
        if n_instances != 1:
            raise InvalidParameterError(
                f"The 'n_instances' parameter of {caller_name} must be 1 (the pool holds one "
                f"row). Got {n_instances!r} instead."
            )
        return n_instances
    constraint = NumberInterval(Integral, 1, int(n_pool), closed="both")
    return check_param(n_instances, "n_instances", [constraint], caller_name)


def _check_pool(X, name="X_pool"):
    """Numeric and finite (datasets are checked on access); no copy when already so."""
    if is_dataset(X):
        return X
    return check_array(X, accept_sparse=True, allow_nd=True, input_name=name)


def _as_matrix(X, name="X_pool"):
    """Rows as flat float vectors (images flattened, sparse rows densified)."""
    if is_dataset(X):
        X = np.asarray(X)
    X = _check_pool(X, name)
    if issparse(X):
        X = X.toarray()
    X = np.asarray(X).reshape(X.shape[0], -1)
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def _indexable(data):
    """Make rows selectable by an index array without copying what already is."""
    if issparse(data):
        return data if data.format in ("csr", "csc") else data.tocsr()
    if is_dataset(data) or hasattr(data, "__getitem__"):
        return data
    return np.asarray(data)


def _learner_parts(learner_or_estimator):
    """(estimator, labelled rows or None) from a modAL learner or a bare estimator."""
    if hasattr(learner_or_estimator, "estimator") and hasattr(learner_or_estimator, "X_training"):
        return learner_or_estimator.estimator, learner_or_estimator.X_training
    return learner_or_estimator, None


class _QueryStrategy(BaseEstimator):
    """A scikit-learn-style object that is also a modAL query strategy.

    A strategy learns nothing: its parameters (``_parameter_constraints``) are checked
    at each :meth:`select`, as an estimator's are at ``fit``.
    """

    def _check_select(self, n_instances, X_pool):
        """Check the parameters and ``n_instances`` (1 to the pool's size); return it."""
        self._validate_params()
        name = f"{type(self).__name__}.select"
        return _check_n_instances(n_instances, _n_samples(X_pool), name)

    def __call__(self, learner, X_pool, n_instances=1, **kwargs):
        """Indices of the pool rows to label next (modAL 0.4.1's query strategy call).

        Parameters
        ----------
        learner : modAL learner or estimator
            A modAL ``ActiveLearner`` (its ``estimator`` and labelled ``X_training`` are
            used) or an estimator.
        X_pool : array-like
            The unlabelled pool.
        n_instances : int, default=1
            How many rows to pick.
        **kwargs
            Ignored (modAL passes query arguments through).

        Returns
        -------
        indices : ndarray of int
            Positions in ``X_pool``, in the order the strategy picked them.
        """
        estimator, labeled = _learner_parts(learner)
        return self.select(X_pool, n_instances, estimator=estimator, X_labeled=labeled)

    def select(self, X_pool, n_instances, *, estimator=None, X_labeled=None):  # pragma: no cover
        raise NotImplementedError
