"""SampledRegressor: fit on the fraction of the training rows a sampler picks."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._validation import NumberInterval
from ._base import _indexable, _n_samples


class SampledRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Fit an estimator on the fraction of the training rows that a sampler picks.

    ``fit(X, y)`` asks ``sampler`` for ``ceil(fraction * n)`` rows, giving it the
    estimator in its pre-trained state (a clone after ``initialize()`` when it has one, as
    :class:`~sklearn_fer.DenseHeadRegressor` does: never fitted on this data), then fits a
    clone of the estimator on those rows only. ``fraction=0`` fits on nothing and predicts
    with the pre-trained state: the paper's *Transfer 0%*. This makes the labelled
    fraction and the sampler grid-searchable, as in the paper's Fig. 6.

    Parameters
    ----------
    estimator : regressor
        What to fit on the picked rows.
    sampler : GreedySampler, MCDropoutSampler, RandomSampler or any object with
        ``select(X, n, estimator=...)``
        Which rows to pick. A sampler whose ``needs_estimator`` attribute is False is
        called with ``estimator=None`` (no pre-trained copy is made for it).
    fraction : float, default=1.0
        Share of the training rows to label, in [0, 1].

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone (initialised only, for ``fraction=0``).
    selected_indices_ : ndarray of int
        Rows of ``X`` it was fitted on, in the order the sampler picked them.
    n_features_in_ : int
        Width of ``X`` when the estimator records it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_fer.active import GreedySampler, RandomSampler, SampledRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = X @ [1.0, 2.0, -1.0]
    >>> model = SampledRegressor(LinearRegression(), RandomSampler(random_state=0),
    ...                          fraction=0.25).fit(X, y)
    >>> len(model.selected_indices_)
    15
    >>> grid = GridSearchCV(model, {"fraction": [0.1, 0.5],
    ...                             "sampler": [RandomSampler(random_state=0),
    ...                                         GreedySampler("x")]}, cv=3).fit(X, y)
    >>> sorted(grid.best_params_)
    ['fraction', 'sampler']
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "sampler": [HasMethods(["select"])],  # select(X, n, estimator=...)
        "fraction": [NumberInterval(Real, 0, 1, closed="both")],
    }

    def __init__(self, estimator, sampler, *, fraction=1.0):
        self.estimator = estimator
        self.sampler = sampler
        self.fraction = fraction

    @_fit_context(prefer_skip_nested_validation=False)  # a meta-estimator
    def fit(self, X, y, **fit_params):
        """Pick ``ceil(fraction * n)`` rows with the sampler and fit a clone on them.

        Parameters
        ----------
        X : array-like
            Training inputs (anything the estimator takes and scikit-learn can index).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        if y is None:
            raise ValueError("SampledRegressor requires y to be passed, but the target y is None.")
        X, y = _indexable(X), _indexable(y)
        n = _n_samples(X)
        if n == 0:
            raise ValueError("X is empty: at least one sample is required.")
        if _num_samples(y) != n:
            raise ValueError(f"X and y have inconsistent lengths: {n} and {_num_samples(y)}.")
        targets = np.asarray(y)
        if targets.dtype.kind in "fc" and not np.isfinite(targets).all():
            # Checked on every row: otherwise a NaN passes or fails by which rows are chosen.
            raise ValueError("y contains NaN or infinity.")
        # ceil, forgiving float noise: 0.7 * 10 is 7.000000000000001 and must give 7.
        n_select = math.ceil(self.fraction * n * (1 - 1e-12))
        if n_select == 0:
            if not hasattr(self.estimator, "initialize"):
                raise ValueError(
                    "fraction=0 fits on no data, so the estimator must provide a "
                    f"pre-trained state through initialize(); {type(self.estimator).__name__} "
                    "has none."
                )
            self.estimator_ = clone(self.estimator).initialize()
            self.selected_indices_ = np.empty(0, dtype=np.int64)
        else:
            if n_select == n:
                indices = np.arange(n)  # everything is picked; the order does not matter
            else:
                reference = None
                if getattr(self.sampler, "needs_estimator", True):
                    reference = clone(self.estimator)
                    if hasattr(reference, "initialize"):
                        reference = reference.initialize()
                indices = np.asarray(self.sampler.select(X, n_select, estimator=reference))
            self.selected_indices_ = indices.astype(np.int64)
            self.estimator_ = clone(self.estimator).fit(
                _safe_indexing(X, indices), _safe_indexing(y, indices), **fit_params
            )
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict(self, X):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : array-like
            Inputs.

        Returns
        -------
        y_pred : ndarray
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            inner = self.estimator.__sklearn_tags__()
        except AttributeError:
            return tags
        tags.input_tags = inner.input_tags
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.regressor_tags = inner.regressor_tags
        return tags
