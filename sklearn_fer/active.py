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
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import _safe_indexing, check_array, check_random_state
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._random import draw_seed, torch_rng
from ._validation import is_dataset

__all__ = [
    "GreedySampler",
    "MCDropoutRegressor",
    "MCDropoutSampler",
    "RandomSampler",
    "SampledRegressor",
    "mc_dropout_predictions",
]

_SPACES = ("x", "y", "xy")
_U32 = float(np.finfo(np.float32).eps) / 2
_DROPOUT_TYPES = (
    torch.nn.Dropout,
    torch.nn.Dropout1d,
    torch.nn.Dropout2d,
    torch.nn.Dropout3d,
    torch.nn.AlphaDropout,
    torch.nn.FeatureAlphaDropout,
)


# -- inputs -----------------------------------------------------------------------------


def _n_samples(X):
    if is_dataset(X):
        return len(X)
    return _num_samples(X)


def _check_n_instances(n_instances, n_pool):
    if n_pool == 0:
        raise ValueError("X_pool is empty: there is nothing to select from.")
    if (
        not isinstance(n_instances, numbers.Integral)
        or isinstance(n_instances, bool)
        or not 1 <= n_instances <= n_pool
    ):
        raise ValueError(
            f"n_instances must be an int between 1 and the pool size ({n_pool}), got "
            f"{n_instances!r}."
        )
    return int(n_instances)


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


def _is_fitted(estimator):
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _pretrained_or_fitted(estimator, purpose):
    """The estimator itself when fitted, else a clone in its pre-trained state."""
    if estimator is None:
        raise ValueError(
            f"{purpose} needs a regression function: call the strategy with an estimator or "
            "a modAL learner, not None."
        )
    if _is_fitted(estimator):
        return estimator
    if hasattr(estimator, "initialize"):
        # DenseHeadRegressor.initialize() gives the pre-trained net (Transfer 0%).
        return clone(estimator).initialize()
    raise ValueError(
        f"{purpose} needs a usable regression function, but this "
        f"{type(estimator).__name__} is not fitted and has no initialize() that would give "
        "it a pre-trained state; fit it first or use DenseHeadRegressor."
    )


def _outputs(estimator, X, purpose):
    prediction = np.asarray(_pretrained_or_fitted(estimator, purpose).predict(X))
    prediction = prediction.reshape(len(prediction), -1).astype(np.float64)
    if not np.isfinite(prediction).all():
        raise ValueError(f"{purpose}: the regression function returned NaN or infinity.")
    return prediction


# -- greedy sampling --------------------------------------------------------------------


class _SquaredDistances:
    """Squared Euclidean distances from pool rows to a point, fast and with an error bound.

    One matrix-vector product per point, in the pool's own precision (float32 for conv
    features), on the pool itself (no copy: O(N) extra memory, never an N x N matrix),
    accumulated in float64 as |a|^2 + |b|^2 - 2ab. :meth:`exact` recomputes distances in
    float64 from the rows when the error bound cannot separate two candidates.
    """

    def __init__(self, Z):
        if Z.dtype not in (np.float32, np.float64):
            Z = Z.astype(np.float64)
        self.Z = Z
        self.norms = np.einsum("ij,ij->i", Z, Z, dtype=np.float64)
        unit = float(np.finfo(Z.dtype).eps) / 2
        # Rounding of a dot product relative to |a| |b|: BLAS's blocked sums stayed under
        # 8 u at d = 9216 and 3 u at d = 16 on random and ReLU-like data, far below the
        # worst case d u that would send nearly every pick to the float64 re-check; this
        # bound keeps a margin of 6x to 14x over those measurements.
        self.tau = unit * (16 + math.sqrt(Z.shape[1]))
        self.unit64 = float(np.finfo(np.float64).eps)

    def _bound(self, norms_a, norms_b):
        return self.tau * np.sqrt(norms_a * norms_b) + 4 * self.unit64 * (norms_a + norms_b)

    def to_point(self, z, norm=None):
        """Approximate squared distances of all rows to ``z``, and their error bound."""
        z = np.asarray(z, dtype=self.Z.dtype)
        if norm is None:
            z64 = z.astype(np.float64)
            norm = float(np.dot(z64, z64))
        distances = (self.Z @ z).astype(np.float64)
        distances *= -2.0
        distances += self.norms
        distances += norm
        np.maximum(distances, 0.0, out=distances)
        return distances, self._bound(self.norms, norm)

    def to_block(self, points):
        """Approximate squared distances of all rows to each of ``points``, with bounds."""
        block = np.asarray(points, dtype=self.Z.dtype)
        norms = np.einsum("ij,ij->i", block, block, dtype=np.float64)
        dots = (self.Z @ block.T).astype(np.float64)
        distances = np.maximum(self.norms[:, None] + norms[None, :] - 2.0 * dots, 0.0)
        return distances, self._bound(self.norms[:, None], norms[None, :])

    def exact_to_centre(self, centre, rows, chunk=1024):
        """Squared distances, in float64, of the given rows to ``centre``."""
        out = np.empty(len(rows))
        for start in range(0, len(rows), chunk):
            picked = self.Z[rows[start : start + chunk]]
            diff = np.asarray(picked, dtype=np.float64) - centre
            out[start : start + chunk] = np.einsum("ij,ij->i", diff, diff)
        return out

    def exact(self, i, points, chunk=128):
        """Squared distances, in float64, of row ``i`` to ``points``."""
        row = np.asarray(self.Z[i], dtype=np.float64)
        out = np.empty(len(points))
        for start in range(0, len(points), chunk):
            diff = np.asarray(points[start : start + chunk], dtype=np.float64) - row
            out[start : start + chunk] = np.einsum("ij,ij->i", diff, diff)
        return out


def _squared_to(values, point):
    diff = values - point
    return np.einsum("ij,ij->i", diff, diff)


class _Greedy:
    """State of one greedy selection: a min-criterion vector over the pool, kept fast.

    ``best[i]`` is the minimum, over the selected set, of the criterion between pool row
    ``i`` and a selected row (squared distance for GSx/GSy, product of squared distances
    for iGS: squares leave the arg-max-min unchanged), ``arg[i]`` the selected row that
    attains it and ``second[i]`` the runner-up. The feature part is approximate (see
    ``_SquaredDistances``) with error at most ``bound[i]``. When the approximation cannot
    separate the leading candidates, their criterion is recomputed in float64: from the
    single row ``arg[i]`` when ``second`` is clear of ``best`` by the error bound, from the
    whole selected set otherwise.
    """

    def __init__(self, space, features, outputs, labeled_features, labeled_outputs):
        self.space = space
        self.use_x, self.use_y = space in ("x", "xy"), space in ("y", "xy")
        self.features, self.outputs = features, outputs
        self.distances = _SquaredDistances(features) if self.use_x else None
        n = len(features if self.use_x else outputs)
        self.best = np.full(n, np.inf)
        self.second = np.full(n, np.inf)
        self.arg = np.full(n, -1, dtype=np.int64)
        self.bound = np.zeros(n)
        self.order = []
        self.labeled_features = labeled_features
        self.labeled_outputs = labeled_outputs
        labeled = labeled_features if self.use_x else labeled_outputs
        self.n_labeled = 0 if labeled is None else len(labeled)

    # selected rows, labelled ones first
    def _selected_x(self, positions):
        rows = [
            self.labeled_features[p]
            if p < self.n_labeled
            else self.features[self.order[p - self.n_labeled]]
            for p in positions
        ]
        return np.asarray(rows)

    def _selected_y(self, positions):
        rows = [
            self.labeled_outputs[p]
            if p < self.n_labeled
            else self.outputs[self.order[p - self.n_labeled]]
            for p in positions
        ]
        return np.asarray(rows)

    def _merge(self, values, errors, position):
        # Picked rows hold -inf in ``best`` and stay out of every race.
        better = values < self.best
        np.minimum(self.second, values, out=self.second)
        self.second[better] = self.best[better]
        np.minimum(self.best, values, out=self.best)
        self.arg[better] = position
        np.maximum(self.bound, errors, out=self.bound)

    def add(self, x_point, y_point, position, norm=None):
        """Fold the criterion to a newly selected row into the state."""
        if self.space == "y":
            self._merge(_squared_to(self.outputs, y_point), 0.0, position)
            return
        dx, ex = self.distances.to_point(x_point, norm)
        if self.space == "x":
            self._merge(dx, ex, position)
        else:
            dy = _squared_to(self.outputs, y_point)
            self._merge(dx * dy, ex * dy, position)

    def add_labeled(self):
        if self.space == "x":
            # One matrix product per block of labelled rows.
            chunk = 256
            for start in range(0, self.n_labeled, chunk):
                block = self.labeled_features[start : start + chunk]
                values, errors = self.distances.to_block(block)
                for j in range(values.shape[1]):
                    self._merge(values[:, j], errors[:, j], start + j)
            return
        for k in range(self.n_labeled):
            x_point = None if self.labeled_features is None else self.labeled_features[k]
            self.add(x_point, self.labeled_outputs[k], k)

    def _exact(self, i, positions):
        """Criterion, in float64, between pool row ``i`` and the selected ``positions``."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.space == "y":
            return _squared_to(self._selected_y(positions), self.outputs[i])
        values = self.distances.exact(i, self._selected_x(positions))
        if self.space == "xy":
            values = values * _squared_to(self._selected_y(positions), self.outputs[i])
        return values

    def settle(self, i):
        """Make ``best[i]`` exact; return it."""
        n_selected = self.n_labeled + len(self.order)
        if self.second[i] - self.best[i] > 2 * self.bound[i]:
            # The minimum is certainly attained at arg[i]: one exact criterion.
            self.best[i] = self._exact(i, [self.arg[i]])[0]
        else:
            values = self._exact(i, np.arange(n_selected))
            order = np.argsort(values, kind="stable")
            self.best[i], self.arg[i] = values[order[0]], order[0]
            self.second[i] = values[order[1]] if len(order) > 1 else np.inf
        return self.best[i]

    def next_pick(self):
        top = int(np.argmax(self.best))  # picked rows hold -inf
        if self.space == "y":
            return top  # exact arithmetic throughout; argmax: ties -> lowest index
        rivals = np.flatnonzero(self.best + self.bound >= self.best[top] - self.bound[top])
        if len(rivals) > 1:
            exact = np.array([self.settle(i) for i in rivals])
            top = int(rivals[np.argmax(exact)])  # rivals ascending: ties -> lowest index
        return top

    def first_pick(self):
        """The row closest to the centroid: of the pool (GSx) or of the outputs."""
        if self.space != "x":
            return int(np.argmin(_squared_to(self.outputs, self.outputs.mean(axis=0))))
        centre = self.features.mean(axis=0, dtype=np.float64)
        approx, errors = self.distances.to_point(centre)
        low = approx - errors
        rivals = np.flatnonzero(low <= (approx + errors)[np.argmin(approx)])
        exact = self.distances.exact_to_centre(centre, rows=rivals)
        return int(rivals[np.argmin(exact)])

    def pick(self, index):
        self.order.append(index)
        position = self.n_labeled + len(self.order) - 1
        self.add(
            self.features[index] if self.use_x else None,
            self.outputs[index] if self.use_y else None,
            position,
            norm=self.distances.norms[index] if self.use_x else None,
        )
        self.best[index] = -np.inf


def _greedy_selection(
    n_select, *, space, features=None, outputs=None, labeled_features=None, labeled_outputs=None
):
    """Indices of the pool rows greedy sampling picks, in the order it picks them.

    Parameters
    ----------
    n_select : int
        Number of rows to pick.
    space : {"x", "y", "xy"}
        GSx (features), reduced GSy (outputs) or reduced iGS (product of both distances).
    features : ndarray of shape (n_pool, d), optional
        Pool rows (needed for "x" and "xy").
    outputs : ndarray of shape (n_pool, q), optional
        Outputs of the regression function on the pool (needed for "y" and "xy").
    labeled_features, labeled_outputs : ndarray, optional
        Rows already labelled (and their outputs): the selected set starts with them and no
        centroid step is taken.

    Returns
    -------
    indices : ndarray of int
    """
    state = _Greedy(space, features, outputs, labeled_features, labeled_outputs)
    if state.n_labeled:
        state.add_labeled()
    else:
        state.pick(state.first_pick())
    while len(state.order) < n_select:
        state.pick(state.next_pick())
    return np.asarray(state.order, dtype=np.int64)


class _QueryStrategy(BaseEstimator):
    """A scikit-learn-style object that is also a modAL query strategy."""

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

    "Reduced" (the paper's term): ``f`` is evaluated once, on the whole pool, and the model
    is not updated between picks. Rows a modAL learner already holds (``X_training``) are
    the selected set from the start, with ``f`` evaluated on them too. Ties go to the
    lowest index.

    ``f`` is the estimator's ``predict`` when it is fitted, else that of a clone after
    ``initialize()``: for :class:`~sklearn_fer.DenseHeadRegressor` the pre-trained net.

    Cost: O(N K d) time, one float32 matrix-vector product per pick on a centred copy of
    the pool with float64 accumulation; whenever that arithmetic could not tell the best
    two candidates apart, they are compared again in float64 from the original rows, so
    near-ties are decided as exact arithmetic would. Never an N x N matrix.

    Parameters
    ----------
    space : {"x", "y", "xy"}, default="x"
        Where distances are measured.
    random_state : None
        Unused: greedy sampling is deterministic. Accepted so that every sampler takes the
        same arguments (in a grid over samplers, for instance).

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

    def __init__(self, space="x", *, random_state=None):
        self.space = space
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
        if self.space not in _SPACES:
            raise ValueError(f"space must be one of {_SPACES}, got {self.space!r}.")
        n_instances = _check_n_instances(n_instances, _n_samples(X_pool))
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
        )


# -- Monte-Carlo dropout ----------------------------------------------------------------


def _torch_module(estimator, purpose):
    estimator = _pretrained_or_fitted(estimator, purpose)
    module = getattr(estimator, "module_", None)
    if not isinstance(module, torch.nn.Module):
        raise ValueError(
            f"{purpose} needs a torch network: {type(estimator).__name__} has no fitted "
            "module_ (use AlexNetRegressor or DenseHeadRegressor)."
        )
    return estimator, module


def mc_dropout_predictions(estimator, X, *, n_iter=50, p=0.5, batch_size=1024, random_state=None):
    """Outputs of ``n_iter`` forward passes with dropout switched on (MCDUE's passes).

    Only the dropout layers are put in training mode, with probability ``p``; everything
    else (batch norm, for instance) stays in evaluation mode. The passes run under
    ``torch.no_grad`` in batches of ``batch_size`` rows, several passes per batch when the
    pool is small, so the dense layers work as large matrix products. The module is left
    exactly as found: modes and dropout probabilities are restored.

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
    if not isinstance(n_iter, numbers.Integral) or isinstance(n_iter, bool) or n_iter < 1:
        raise ValueError(f"n_iter must be an int >= 1, got {n_iter!r}.")
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= p < 1.0:
        raise ValueError(f"p must be a dropout probability in [0, 1), got {p!r}.")
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    estimator, module = _torch_module(estimator, "MCDUE")
    dropouts = [m for m in module.modules() if isinstance(m, _DROPOUT_TYPES)]
    if not dropouts:
        raise ValueError(f"MCDUE needs dropout layers, but {type(module).__name__} has none.")
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
                    out = module(stacked).float().reshape(passes, len(block), -1).cpu().numpy()
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
    over outputs for several targets); the ``n_instances`` largest are picked (ties to the
    lowest index). Works with :class:`~sklearn_fer.DenseHeadRegressor` on conv features
    (unfitted: its pre-trained state) and with :class:`~sklearn_fer.AlexNetRegressor` on
    images.

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
        n_instances = _check_n_instances(n_instances, _n_samples(X_pool))
        _check_pool(X_pool)
        std = self.uncertainty(X_pool, estimator=estimator)
        return np.argsort(-std, kind="stable")[:n_instances]


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
        n_instances = _check_n_instances(n_instances, n_pool)
        _check_pool(X_pool)
        rng = check_random_state(self.random_state)
        return rng.choice(n_pool, size=n_instances, replace=False).astype(np.int64)


# -- meta-estimators --------------------------------------------------------------------


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

    def __init__(self, estimator, sampler, *, fraction=1.0):
        self.estimator = estimator
        self.sampler = sampler
        self.fraction = fraction

    def _check_fraction(self):
        fraction = self.fraction
        if (
            not isinstance(fraction, numbers.Real)
            or isinstance(fraction, bool)
            or not 0.0 <= fraction <= 1.0
        ):
            raise ValueError(f"fraction must be a number in [0, 1], got {fraction!r}.")
        return float(fraction)

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
        fraction = self._check_fraction()
        if not hasattr(self.sampler, "select"):
            raise TypeError(
                f"sampler must have a select(X, n, estimator=...) method, got "
                f"{type(self.sampler).__name__}."
            )
        if y is None:
            raise ValueError("SampledRegressor requires y to be passed, but the target y is None.")
        X, y = _indexable(X), _indexable(y)
        n = _n_samples(X)
        if n == 0:
            raise ValueError("X is empty: at least one sample is required.")
        if _num_samples(y) != n:
            raise ValueError(f"X and y have inconsistent lengths: {n} and {_num_samples(y)}.")
        # ceil, forgiving float noise: 0.7 * 10 is 7.000000000000001 and must give 7.
        n_select = math.ceil(fraction * n * (1 - 1e-12))
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

    def __init__(self, estimator, *, n_iter=50, p=0.5, batch_size=1024, random_state=None):
        self.estimator = estimator
        self.n_iter = n_iter
        self.p = p
        self.batch_size = batch_size
        self.random_state = random_state

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
