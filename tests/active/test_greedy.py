"""GreedySampler (GSx, GSy, iGS) against a literal transcription of Tables 2-3."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from sklearn_fer.active import GreedySampler
from sklearn_fer.active import _greedy_selection as greedy_selection

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


@pytest.fixture(params=["gram", "streaming"])
def route(request, monkeypatch):
    """Force one of the two ways feature distances are computed; both must pick alike."""
    calls = []

    def forced(*args, **kwargs):
        calls.append(args)
        return request.param == "gram"

    monkeypatch.setattr(greedy_selection, "use_gram_route", forced)
    yield request.param
    # Every selection in a test using this fixture measured feature distances.
    assert calls, "the route was never chosen: the test did not exercise it"


@pytest.mark.parametrize("K", [1, 7, 40])
def test_gsx_equals_the_pseudocode(pool, K, route):
    X, _, _ = pool
    assert GreedySampler("x").select(X, K).tolist() == literal_gsx(X, K)


@pytest.mark.parametrize("K", [1, 7, 40])
def test_gsy_equals_the_pseudocode(pool, K):
    X, f, _ = pool
    assert GreedySampler("y").select(X, K, estimator=f).tolist() == literal_gsy(X, K, f)


@pytest.mark.parametrize("K", [1, 7, 40])
def test_igs_equals_the_pseudocode(pool, K, route):
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


@pytest.mark.parametrize("space", ["x", "xy"])
def test_labelled_rows_and_ties_on_both_routes(pool, space, route):
    X, f, labeled = pool
    literal = literal_gsx if space == "x" else lambda *a: literal_igs(a[0], a[1], f, *a[2:])
    got = GreedySampler(space).select(X, 10, estimator=f, X_labeled=labeled)
    assert got.tolist() == literal(X, 10, labeled)
    ties = np.random.default_rng(0).integers(0, 3, size=(30, 2)).astype(float)
    assert GreedySampler("x").select(ties, 30).tolist() == literal_gsx(ties, 30)


def test_gram_route_is_chosen_by_memory_and_selection_length():
    mib = 2**20
    # The route holds 12 bytes a pair for float32 features (the product, then float64
    # distances). 800 x 800 is 7.3 MiB: chosen for a long selection, not for a short one.
    assert greedy_selection.use_gram_route(800, 720, 4, 256 * mib)
    assert not greedy_selection.use_gram_route(800, 20, 4, 256 * mib)
    # 9000 x 9000 is 927 MiB: over the default budget, under a larger one.
    assert not greedy_selection.use_gram_route(9000, 9000, 4, 256 * mib)
    assert greedy_selection.use_gram_route(9000, 9000, 4, 930 * mib)
    # float64 features need 16 bytes a pair: 5000 x 5000 is 286 MiB in float32, 381 in float64.
    assert greedy_selection.use_gram_route(5000, 5000, 4, 300 * mib)
    assert not greedy_selection.use_gram_route(5000, 5000, 8, 300 * mib)


@pytest.mark.parametrize("max_gram_mib, uses_gram", [(256, True), (0, False), (2.0, False)])
def test_max_gram_mib_bounds_the_matrix_held(monkeypatch, max_gram_mib, uses_gram):
    held = []
    original = greedy_selection._SquaredDistances.__init__

    def spy(self, Z, *, gram=False):
        original(self, Z, gram=gram)
        held.append(None if self.gram is None else self.gram.nbytes)

    monkeypatch.setattr(greedy_selection._SquaredDistances, "__init__", spy)
    X = np.random.default_rng(0).normal(size=(1000, 8)).astype(np.float32)  # route: 11 MiB
    picks = GreedySampler("x", max_gram_mib=max_gram_mib).select(X, 200)
    assert (held[0] is not None) == uses_gram
    if uses_gram:
        assert held[0] <= max_gram_mib * 2**20
    assert picks.tolist() == GreedySampler("x", max_gram_mib=0).select(X, 200).tolist()


@pytest.mark.parametrize(
    "value, error, match",
    [
        (-1, ValueError, r"'max_gram_mib' parameter of GreedySampler must be .*Got -1 instead"),
        (True, TypeError, r"'max_gram_mib' .* \(not a bool\) in the range .*Got True instead"),
        (np.inf, ValueError, r"'max_gram_mib' .* in the range \[0.0, inf\)\. Got inf instead"),
        ("big", TypeError, r"'max_gram_mib' .* Got 'big' instead"),
    ],
)
def test_bad_max_gram_mib(value, error, match):
    with pytest.raises(error, match=match):
        GreedySampler("x", max_gram_mib=value).select(np.zeros((4, 2)), 2)


def test_ties_go_to_the_lowest_index():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(30, 2)).astype(float)  # many duplicates and equal distances
    assert GreedySampler("x").select(X, 30).tolist() == literal_gsx(X, 30)
    f = FixedFunction([0.3, -0.2])
    assert GreedySampler("y").select(X, 12, estimator=f).tolist() == literal_gsy(X, 12, f)


def test_float32_conv_like_features_match_float64_arithmetic(route):
    # High-dimensional non-negative features, where float32 dot products lose most: the
    # selection equals the pseudocode run in float64.
    rng = np.random.default_rng(3)
    X = np.maximum(rng.normal(1.0, 2.0, size=(60, 2000)), 0).astype(np.float32)
    assert GreedySampler("x").select(X, 50).tolist() == literal_gsx(X, 50)


def test_igs_on_conv_like_features_matches_float64_arithmetic(route):
    # The product criterion multiplies the float32 error by output distances of any size:
    # near-ties must still be decided as the float64 pseudocode decides them.
    rng = np.random.default_rng(4)
    X = np.maximum(rng.normal(0.5, 1.0, size=(60, 2000)), 0).astype(np.float32)
    f = FixedFunction(rng.normal(size=2000) / 50)
    assert GreedySampler("xy").select(X, 55, estimator=f).tolist() == literal_igs(X, 55, f)


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


def test_precision_loss_of_float32_is_caught_and_decided_in_float64(route):
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
    with pytest.raises(ValueError, match=r"'space' parameter .* must be a str among .*'z'"):
        GreedySampler("z").select(np.zeros((3, 2)), 1)


@pytest.mark.parametrize("space", ["y", "xy"])
def test_gsy_without_a_usable_regression_function(space):
    X = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ValueError, match="needs a usable regression function"):
        GreedySampler(space).select(X, 2, estimator=LinearRegression())
    with pytest.raises(ValueError, match="needs a regression function"):
        GreedySampler(space).select(X, 2, estimator=None)
