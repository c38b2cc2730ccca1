"""The engine behind :class:`GreedySampler`: greedy max-min selection, fast and exact.

Distances come from float32 dot products (the pool's own precision) with an error
bound; candidates the bound cannot separate are compared again in float64 from the
original rows, so every pick is the one exact arithmetic would make (ties to the lowest
index). Two routes give the dot products, with the same picks:

* the **Gram route**: one N x N matrix product up front (a matrix multiply runs near the
  machine's peak), then O(N) work per pick; used while the N x N matrix fits a memory
  budget and the selection is long enough to repay it;
* the **streaming route**: one matrix-vector product over the pool per pick, O(N) extra
  memory, for pools whose N x N matrix does not fit.
"""

from __future__ import annotations

import math

import numpy as np


class _SquaredDistances:
    """Squared Euclidean distances between pool rows, fast and with an error bound.

    Dot products in the pool's own precision (float32 for conv features), accumulated in
    float64 as |a|^2 + |b|^2 - 2ab: from the N x N Gram matrix when ``gram`` is True,
    else one matrix-vector product per point on the pool itself (no copy, O(N) extra
    memory). :meth:`exact` recomputes distances in float64 from the rows when the error
    bound cannot separate two candidates.
    """

    def __init__(self, Z, *, gram=False):
        if Z.dtype not in (np.float32, np.float64):
            Z = Z.astype(np.float64)
        self.Z = Z
        self.norms = np.einsum("ij,ij->i", Z, Z, dtype=np.float64)
        unit = float(np.finfo(Z.dtype).eps) / 2
        root_d = math.sqrt(Z.shape[1])
        # Rounding of a dot product relative to |a| |b|. Matrix-vector products (BLAS's
        # blocked sums) stayed under 8 u at d = 9216 and 3 u at d = 16 on random and
        # ReLU-like data, far below the worst case d u that would send nearly every pick
        # to the float64 re-check; this bound keeps a margin of 6x to 14x over those.
        self.tau = unit * (16 + root_d)
        # Matrix-matrix products accumulate differently: up to 19 u at d = 256 on data
        # with a large common offset (OpenBLAS and torch, d from 2 to 9216 measured),
        # hence a wider bound, with a margin of at least 2.5x over those measurements.
        self.tau_gemm = unit * (16 + 2 * root_d)
        self.unit64 = float(np.finfo(np.float64).eps)
        self.gram = self._pairwise(Z) if gram else None

    def _pairwise(self, Z):
        """Every approximate squared distance, float64 ``(N, N)``, from one Gram product."""
        distances = (Z @ Z.T).astype(np.float64)  # the float32 product is freed at once
        distances *= -2.0
        distances += self.norms[:, None]
        distances += self.norms[None, :]
        return np.maximum(distances, 0.0, out=distances)

    def _bound(self, norms_a, norms_b, tau=None):
        tau = self.tau if tau is None else tau
        return tau * np.sqrt(norms_a * norms_b) + 4 * self.unit64 * (norms_a + norms_b)

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
        return distances, self._bound(self.norms[:, None], norms[None, :], self.tau_gemm)

    def to_row(self, i):
        """Approximate squared distances of all rows to pool row ``i``, from the Gram route."""
        return self.gram[i], self._bound(self.norms, self.norms[i], self.tau_gemm)

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

    ``best[i]`` approximates the minimum, over the selected set, of the criterion between
    pool row ``i`` and a selected row (squared distance for GSx/GSy, product of squared
    distances for iGS: squares leave the arg-max-min unchanged), within ``error[i]`` (0
    once it is exact); ``arg[i]`` is the selected row it was measured to, and
    ``floor[i]`` a lower bound of the criterion to every other selected row. A pick
    compares exact values only among the rows whose bounds overlap the leader's: one
    float64 criterion (to ``arg[i]``) when ``best[i] + error[i] <= floor[i]`` proves that
    ``arg[i]`` attains the minimum, the whole selected set otherwise.
    """

    def __init__(self, space, features, outputs, labeled_features, labeled_outputs, *, gram=False):
        self.space = space
        self.use_x, self.use_y = space in ("x", "xy"), space in ("y", "xy")
        self.features, self.outputs = features, outputs
        self.distances = _SquaredDistances(features, gram=gram) if self.use_x else None
        n = len(features if self.use_x else outputs)
        self.best = np.full(n, np.inf)
        self.error = np.zeros(n)
        self.floor = np.full(n, np.inf)
        self.arg = np.full(n, -1, dtype=np.int64)
        self._better = np.empty(n, dtype=bool)
        self.order = []
        self.labeled_features = labeled_features
        self.labeled_outputs = labeled_outputs
        labeled = labeled_features if self.use_x else labeled_outputs
        self.n_labeled = 0 if labeled is None else len(labeled)

    # selected rows, labelled ones first
    def _selected(self, labeled, pool, positions):
        positions = np.asarray(positions, dtype=np.int64)
        pooled = positions >= self.n_labeled
        if pooled.all():  # one gather, no list of rows
            return pool[np.asarray(self.order, dtype=np.int64)[positions - self.n_labeled]]
        rows = [
            labeled[p] if p < self.n_labeled else pool[self.order[p - self.n_labeled]]
            for p in positions
        ]
        return np.asarray(rows)

    def _merge(self, values, errors, position):
        # Picked rows hold -inf in ``best``: never "better", they stay out of every race.
        better = np.less(values, self.best, out=self._better)
        # Whichever of the tracked row and the new one is not tracked gives its lower bound.
        np.minimum(
            self.floor, np.where(better, self.best - self.error, values - errors), out=self.floor
        )
        np.copyto(self.best, values, where=better)
        np.copyto(self.error, errors, where=better)
        np.copyto(self.arg, position, where=better)

    def add(self, x_point, y_point, position, norm=None, index=None):
        """Fold the criterion to a newly selected row (pool row ``index``, if it is one)."""
        if self.space == "y":
            self._merge(_squared_to(self.outputs, y_point), 0.0, position)
            return
        if index is not None and self.distances.gram is not None:
            dx, ex = self.distances.to_row(index)
        else:
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
        y_rows = (
            self._selected(self.labeled_outputs, self.outputs, positions) if self.use_y else None
        )
        if self.space == "y":
            return _squared_to(y_rows, self.outputs[i])
        values = self.distances.exact(
            i, self._selected(self.labeled_features, self.features, positions)
        )
        if self.space == "xy":
            values = values * _squared_to(y_rows, self.outputs[i])
        return values

    def _exact_pair(self, i, position):
        """Criterion, in float64, between pool row ``i`` and one selected row."""
        pooled = position >= self.n_labeled
        j = self.order[position - self.n_labeled] if pooled else position
        value = 1.0
        if self.use_x:
            other = self.features[j] if pooled else self.labeled_features[j]
            diff = np.subtract(self.features[i], other, dtype=np.float64)
            value = float(np.dot(diff, diff))
        if self.use_y:
            other = self.outputs[j] if pooled else self.labeled_outputs[j]
            diff = np.subtract(self.outputs[i], other, dtype=np.float64)
            value *= float(np.dot(diff, diff))
        return value

    def settle(self, i):
        """Make ``best[i]`` exact; return it."""
        if self.error[i] == 0.0:
            return self.best[i]
        if self.best[i] + self.error[i] <= self.floor[i]:
            # The minimum is certainly attained at arg[i]: one exact criterion.
            self.best[i] = self._exact_pair(i, int(self.arg[i]))
        else:
            positions, floor = self._contenders(i)
            values = self._exact(i, positions)
            order = np.argsort(values, kind="stable")
            self.best[i], self.arg[i] = values[order[0]], positions[order[0]]
            self.floor[i] = min(values[order[1]] if len(order) > 1 else np.inf, floor)
        self.error[i] = 0.0
        return self.best[i]

    def _contenders(self, i):
        """Selected positions that may attain row ``i``'s minimum, and a lower bound of the rest.

        Labelled rows always contend; a picked pool row contends unless its approximate
        criterion's lower bound exceeds the smallest upper bound.
        """
        labelled = np.arange(self.n_labeled)
        if not self.use_x or not self.order:
            return np.arange(self.n_labeled + len(self.order)), np.inf
        picked = np.asarray(self.order, dtype=np.int64)
        if self.distances.gram is not None:
            values, errors = self.distances.to_row(i)
        else:
            values, errors = self.distances.to_point(self.features[i], self.distances.norms[i])
        values, errors = values[picked], errors[picked]
        if self.use_y:
            dy = _squared_to(self.outputs[picked], self.outputs[i])
            values, errors = values * dy, errors * dy
        lower = values - errors
        keep = lower <= np.min(values + errors)
        rest = lower[~keep]
        positions = np.concatenate([labelled, self.n_labeled + np.flatnonzero(keep)])
        return positions, float(rest.min()) if len(rest) else np.inf

    def next_pick(self):
        top = int(np.argmax(self.best))  # picked rows hold -inf
        if self.space == "y":
            return top  # exact arithmetic throughout; argmax: ties -> lowest index
        upper = self.best + self.error
        rivals = np.flatnonzero(upper >= self.best[top] - self.error[top])
        if len(rivals) == 1:
            return top
        # Exact values, most promising first; a rival whose upper bound falls below the
        # best exact value so far cannot win (at equality it may, by a lower index).
        value = self.settle(top)
        for i in rivals[np.argsort(-upper[rivals], kind="stable")]:
            if i == top or upper[i] < value:
                continue
            exact = self.settle(i)
            if exact > value or (exact == value and i < top):
                value, top = exact, int(i)
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
            index=index,
        )
        self.best[index] = -np.inf


#: Default memory budget of the Gram route, in bytes (12 bytes a pair for float32
#: features: N = 4729 at 256 MiB).
GRAM_BUDGET = 256 * 2**20

#: The Gram route pays for itself once a selection has at least this share of the pool:
#: at N=800, d=9216 the product costs about as much as 26 matrix-vector products on these
#: machines (benchmarks/bench_sampling.py), a thirtieth of the pool; for pools that fit in
#: cache, matrix-vector products are cheaper and the two routes cost about the same there.
GRAM_MIN_SHARE = 1 / 32


def use_gram_route(n_pool, n_select, itemsize, max_bytes=GRAM_BUDGET):
    """Whether the Gram route is chosen: it fits ``max_bytes`` and would be repaid.

    The route holds the N x N Gram product (``itemsize`` bytes a pair) while it turns it
    into float64 distances (8 bytes a pair), then only the distances.
    """
    fits = n_pool * n_pool * (itemsize + 8) <= max_bytes
    return fits and n_select >= GRAM_MIN_SHARE * n_pool


def _greedy_selection(
    n_select,
    *,
    space,
    features=None,
    outputs=None,
    labeled_features=None,
    labeled_outputs=None,
    max_gram_bytes=GRAM_BUDGET,
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
    max_gram_bytes : int, default=GRAM_BUDGET
        Largest N x N Gram matrix the feature distances may use (see
        :func:`use_gram_route`); 0 always streams over the pool.

    Returns
    -------
    indices : ndarray of int
    """
    gram = features is not None and use_gram_route(
        len(features), n_select, 4 if features.dtype == np.float32 else 8, max_gram_bytes
    )
    state = _Greedy(space, features, outputs, labeled_features, labeled_outputs, gram=gram)
    if state.n_labeled:
        state.add_labeled()
    else:
        state.pick(state.first_pick())
    while len(state.order) < n_select:
        state.pick(state.next_pick())
    return np.asarray(state.order, dtype=np.int64)
