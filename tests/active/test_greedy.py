"""GreedySampler (GSx, GSy, iGS) against a literal transcription of Tables 2-3."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from sklearn_fer.active import GreedySampler

# The paper's pseudocode, transcribed line by line (Tables 2 and 3).
# Kept deliberately naive: lists U and L, nested loops, Euclidean distances. The only
# departures: Table 2's GSy writes "Dy[m] = distance(...)" where "D[m]" is meant (the min
# is then taken over D), and an already-labelled set, when given, is L's initial content
# (then no centroid step is taken and K elements are added).


def distance(a, b):
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))


def centroid(points):
    return np.mean(np.asarray(points, float), axis=0)


def literal_gsx(U_rows, K, labeled=()):
    U = list(range(len(U_rows)))  # pool elements, by position
    L = [("labeled", row) for row in labeled]
    picked = []
    if not L:
        c = centroid(U_rows)
        x0 = min(U, key=lambda n: distance(U_rows[n], c))  # first of equals: lowest index
        U.remove(x0)
        L.append(("pool", U_rows[x0]))
        picked.append(x0)
    while len(picked) < K:
        Dx = []
        for n in U:
            D = []
            for _, row in L:
                D.append(distance(U_rows[n], row))
            Dx.append(min(D))
        xk = U[int(np.argmax(Dx))]
        U.remove(xk)
        L.append(("pool", U_rows[xk]))
        picked.append(xk)
    return picked


def literal_gsy(U_rows, K, f, labeled=()):
    U = list(range(len(U_rows)))
    L = [f(row) for row in labeled]
    picked = []
    if not L:
        c = centroid([f(U_rows[n]) for n in U])
        x0 = min(U, key=lambda n: distance(f(U_rows[n]), c))
        U.remove(x0)
        L.append(f(U_rows[x0]))
        picked.append(x0)
    while len(picked) < K:
        Dy = []
        for n in U:
            D = []
            for output in L:
                D.append(distance(f(U_rows[n]), output))  # Table 2: "Dy[m]", read "D[m]"
            Dy.append(min(D))
        xk = U[int(np.argmax(Dy))]
        U.remove(xk)
        L.append(f(U_rows[xk]))
        picked.append(xk)
    return picked


def literal_igs(U_rows, K, f, labeled=()):
    U = list(range(len(U_rows)))
    L = list(labeled)
    picked = []
    if not L:
        c = centroid([f(U_rows[n]) for n in U])
        x0 = min(U, key=lambda n: distance(f(U_rows[n]), c))
        U.remove(x0)
        L.append(U_rows[x0])
        picked.append(x0)
    while len(picked) < K:
        D = []
        for n in U:
            Dx, Dy = [], []
            for row in L:
                Dx.append(distance(U_rows[n], row))
                Dy.append(distance(f(U_rows[n]), f(row)))
            D.append(min(np.array(Dx) * np.array(Dy)))
        xk = U[int(np.argmax(D))]
        U.remove(xk)
        L.append(U_rows[xk])
        picked.append(xk)
    return picked


class FixedFunction(RegressorMixin, BaseEstimator):
    """A fitted 'regression function' f for the output-space samplers."""

    def __init__(self, weights=None):
        self.weights = weights
        self.weights_ = np.asarray(weights, float)

    def fit(self, X, y):
        return self

    def predict(self, X):
        X = np.asarray(X, float)
        return np.tanh(X @ self.weights_)

    def __call__(self, row):
        return self.predict(np.asarray(row)[None])[0]


@pytest.fixture(params=[0, 1, 2], ids=lambda seed: f"seed{seed}")
def pool(request):
    rng = np.random.default_rng(request.param)
    X = rng.normal(size=(40, 6))
    f = FixedFunction(rng.normal(size=6) / 2)
    labeled = rng.normal(size=(5, 6))
    return X, f, labeled


@pytest.mark.parametrize("K", [1, 7, 40])
def test_gsx_equals_the_pseudocode(pool, K):
    X, _, _ = pool
    assert GreedySampler("x").select(X, K).tolist() == literal_gsx(X, K)


@pytest.mark.parametrize("K", [1, 7, 40])
def test_gsy_equals_the_pseudocode(pool, K):
    X, f, _ = pool
    assert GreedySampler("y").select(X, K, estimator=f).tolist() == literal_gsy(X, K, f)


@pytest.mark.parametrize("K", [1, 7, 40])
def test_igs_equals_the_pseudocode(pool, K):
    X, f, _ = pool
    assert GreedySampler("xy").select(X, K, estimator=f).tolist() == literal_igs(X, K, f)


@pytest.mark.parametrize("space", ["x", "y", "xy"])
def test_already_labelled_rows_start_the_selected_set(pool, space):
    X, f, labeled = pool
    reference = {
        "x": lambda: literal_gsx(X, 10, labeled),
        "y": lambda: literal_gsy(X, 10, f, labeled),
        "xy": lambda: literal_igs(X, 10, f, labeled),
    }[space]()
    got = GreedySampler(space).select(X, 10, estimator=f, X_labeled=labeled)
    assert got.tolist() == reference
    cold = GreedySampler(space).select(X, 10, estimator=f)
    assert got.tolist() != cold.tolist()


def test_ties_go_to_the_lowest_index():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(30, 2)).astype(float)  # many duplicates and equal distances
    assert GreedySampler("x").select(X, 30).tolist() == literal_gsx(X, 30)
    f = FixedFunction([0.3, -0.2])
    assert GreedySampler("y").select(X, 12, estimator=f).tolist() == literal_gsy(X, 12, f)


def test_float32_conv_like_features_match_float64_arithmetic():
    # High-dimensional non-negative features, where float32 dot products lose most: the
    # selection equals the pseudocode run in float64.
    rng = np.random.default_rng(3)
    X = np.maximum(rng.normal(1.0, 2.0, size=(60, 2000)), 0).astype(np.float32)
    assert GreedySampler("x").select(X, 50).tolist() == literal_gsx(X, 50)


def _naive_float32_gsx(X, K):
    """GSx with float32 |a|^2 + |b|^2 - 2ab and no safeguard: what precision loss does."""
    norms = np.einsum("ij,ij->i", X, X)
    first = int(np.argmin(((X - X.mean(axis=0)) ** 2).sum(axis=1)))
    order, taken = [first], np.zeros(len(X), bool)
    taken[first] = True
    best = norms + norms[first] - 2 * (X @ X[first])
    while len(order) < K:
        k = int(np.argmax(np.where(taken, -np.inf, best)))
        order.append(k)
        taken[k] = True
        best = np.minimum(best, norms + norms[k] - 2 * (X @ X[k]))
    return order


def test_precision_loss_of_float32_is_caught_and_decided_in_float64():
    # Rows far from the origin: in float32, |a|^2 + |b|^2 - 2ab cancels catastrophically
    # and a naive implementation picks other rows; the sampler re-checks in float64.
    rng = np.random.default_rng(0)
    X = (1000 + rng.normal(size=(30, 500))).astype(np.float32)
    reference = literal_gsx(X, 15)
    assert _naive_float32_gsx(X, 15) != reference  # the data do defeat plain float32
    assert GreedySampler("x").select(X, 15).tolist() == reference


def test_greedy_sampler_flattens_images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(12, 8, 8, 3), dtype=np.uint8)
    flat = images.reshape(12, -1).astype(float)
    assert GreedySampler("x").select(images, 5).tolist() == literal_gsx(flat, 5)


@pytest.mark.parametrize("space", ["x", "y", "xy"])
def test_nan_features(space):
    X = np.zeros((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GreedySampler(space).select(X, 2, estimator=FixedFunction([1.0, 0.0, 0.0]))


def test_unknown_space():
    with pytest.raises(ValueError, match="space must be one of"):
        GreedySampler("z").select(np.zeros((3, 2)), 1)


@pytest.mark.parametrize("space", ["y", "xy"])
def test_gsy_without_a_usable_regression_function(space):
    X = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ValueError, match="needs a usable regression function"):
        GreedySampler(space).select(X, 2, estimator=LinearRegression())
    with pytest.raises(ValueError, match="needs a regression function"):
        GreedySampler(space).select(X, 2, estimator=None)
