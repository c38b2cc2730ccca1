"""RandomSampler: the paper's baseline."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from .._validation import RANDOM_STATE
from ._base import _check_pool, _n_samples, _QueryStrategy


class RandomSampler(_QueryStrategy):
    """Uniform random sampling without replacement: the paper's baseline.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        Seed; an int gives the same selection for the same pool size every time.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.active import RandomSampler
    >>> picks = RandomSampler(random_state=0).select(np.zeros((10, 2)), 4)
    >>> len(picks), len(set(picks.tolist()))
    (4, 4)
    """

    #: :meth:`select` ignores the estimator.
    needs_estimator = False

    _parameter_constraints: dict = {"random_state": RANDOM_STATE}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def select(self, X_pool, n_instances, *, estimator=None, X_labeled=None):
        """Indices of ``n_instances`` pool rows drawn uniformly without replacement.

        Parameters
        ----------
        X_pool : array-like
            Pool rows.
        n_instances : int
            How many to pick.
        estimator, X_labeled : ignored

        Returns
        -------
        indices : ndarray of int
        """
        n_pool = _n_samples(X_pool)
        n_instances = self._check_select(n_instances, X_pool)
        _check_pool(X_pool)
        rng = check_random_state(self.random_state)
        return rng.choice(n_pool, size=n_instances, replace=False).astype(np.int64)


# -- meta-estimators --------------------------------------------------------------------
