"""GreedySampler: GSx, reduced GSy and reduced iGS (Rescigno et al. 2020, Tables 2-3)."""

from __future__ import annotations

from numbers import Real

from sklearn.utils._param_validation import StrOptions

from .._validation import RANDOM_STATE, NumberInterval
from ._base import _as_matrix, _check_pool, _n_samples, _QueryStrategy
from ._greedy_selection import _greedy_selection
from ._regression_function import _outputs

_SPACES = ("x", "y", "xy")


class GreedySampler(_QueryStrategy):
    """Greedy sampling for regression: GSx, reduced GSy and reduced iGS.

    Tables 2-3 of Rescigno et al. (2020), after Wu, Lin & Huang (2019). Starting from the
    pool element closest to the centroid (of the pool for GSx, of the outputs of the
    regression function for GSy and iGS), each step picks the element whose minimum, over
    the selected set, of the distance is largest:

    * ``space="x"`` (GSx, passive): Euclidean distance between inputs;
    * ``space="y"`` (reduced GSy): distance between outputs ``f(x)`` of the pre-trained
      regression function;
    * ``space="xy"`` (reduced iGS): the product of both distances.

    The paper's prose and pseudocode disagree on iGS: Section 3.3 reads "the best
    candidate would be the one that has the same labeled element very close in both
    spaces" (a minimum), while Table 3 takes ``argmax`` over candidates of ``min(Dx * Dy)``
    like GSx and GSy. This sampler follows Table 3 (and Wu, Lin & Huang 2019): the
    candidate whose smallest product of distances to the selected set is largest.

    "Reduced" (the paper's term): ``f`` is evaluated once, on the whole pool, and the model
    is not updated between picks. Rows a modAL learner already holds (``X_training``) are
    the selected set from the start, with ``f`` evaluated on them too. Ties go to the
    lowest index.

    ``f`` is the estimator's ``predict`` when it is fitted, else that of a clone after
    ``initialize()``: for :class:`~sklearn_fer.DenseHeadRegressor` the pre-trained net.

    Cost: distances between inputs come from float32 dot products (float64
    accumulation); whenever that arithmetic could not tell the best candidates apart,
    they are compared again in float64 from the original rows, so near-ties are decided
    as exact arithmetic would and both routes below pick the same rows. While the N x N
    matrices fit ``max_gram_mib`` and the selection is at least a thirty-second of the
    pool, one matrix product computes every dot product up front (O(N^2 d), near the
    machine's peak) and each pick costs O(N); otherwise each pick streams over the pool
    with one matrix-vector product (O(N K d) time, O(N) extra memory).

    Parameters
    ----------
    space : {"x", "y", "xy"}, default="x"
        Where distances are measured.
    max_gram_mib : float, default=256
        Most memory, in MiB, that GSx and iGS may hold in N x N matrices (the Gram product
        and the float64 distances made from it: 12 bytes a pair for float32 features,
        N = 4729 at 256 MiB). 0 always streams over the pool.
    random_state : int, RandomState instance or None, default=None
        Unused: greedy sampling is deterministic. Accepted (and checked as a seed) so that
        every sampler takes the same arguments (in a grid over samplers, for instance).

    See Also
    --------
    MCDropoutSampler : uncertainty-based sampling.
    RandomSampler : the random baseline.
    SampledRegressor : fit on the rows a sampler picks.

    References
    ----------
    Wu, Lin & Huang (2019). Active learning for regression using greedy sampling.
    Information Sciences 474.

    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.active import GreedySampler
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> GreedySampler(space="x").select(X, 3)
    array([2, 3, 0])
    """

    _parameter_constraints: dict = {
        "space": [StrOptions(set(_SPACES))],
        "max_gram_mib": [NumberInterval(Real, 0, None, closed="left")],
        "random_state": RANDOM_STATE,  # unused, but a bad seed is still an error
    }

    def __init__(self, space="x", *, max_gram_mib=256, random_state=None):
        self.space = space
        self.max_gram_mib = max_gram_mib
        self.random_state = random_state

    @property
    def needs_estimator(self):
        """Whether :meth:`select` uses the estimator (GSy and iGS do, GSx does not)."""
        return self.space != "x"

    def select(self, X_pool, n_instances, *, estimator=None, X_labeled=None):
        """Indices of ``n_instances`` pool rows, in the order greedy sampling picks them.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, ...)
            Pool rows (images are compared as flat pixel vectors).
        n_instances : int
            How many to pick, between 1 and ``n_pool``.
        estimator : estimator, optional
            Regression function for ``space="y"`` and ``"xy"``.
        X_labeled : array-like, optional
            Rows already labelled.

        Returns
        -------
        indices : ndarray of int
        """
        n_instances = self._check_select(n_instances, X_pool)
        has_labeled = X_labeled is not None and _n_samples(X_labeled) > 0
        features = labeled_features = outputs = labeled_outputs = None
        if self.space in ("x", "xy"):
            features = _as_matrix(X_pool)
            if has_labeled:
                labeled_features = _as_matrix(X_labeled, "X_labeled")
                if labeled_features.shape[1] != features.shape[1]:
                    raise ValueError(
                        f"X_labeled rows have {labeled_features.shape[1]} values but X_pool "
                        f"rows have {features.shape[1]}."
                    )
        else:
            _check_pool(X_pool)
        if self.space in ("y", "xy"):
            purpose = {"y": "GSy", "xy": "iGS"}[self.space]
            outputs = _outputs(estimator, X_pool, purpose)
            if has_labeled:
                labeled_outputs = _outputs(estimator, X_labeled, purpose)
        return _greedy_selection(
            n_instances,
            space=self.space,
            features=features,
            outputs=outputs,
            labeled_features=labeled_features,
            labeled_outputs=labeled_outputs,
            max_gram_bytes=self.max_gram_mib * 2**20,
        )


# -- Monte-Carlo dropout ----------------------------------------------------------------
