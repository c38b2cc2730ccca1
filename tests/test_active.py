import numpy as np
import pytest
import torch
from modAL.disagreement import max_std_sampling
from modAL.models import ActiveLearner
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold
from skorch import NeuralNetRegressor

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.active import (
    GreedySampler,
    MCDropoutRegressor,
    MCDropoutSampler,
    RandomSampler,
    SampledRegressor,
    mc_dropout_predictions,
)

# -- the paper's pseudocode, transcribed line by line (Tables 2 and 3) -------------------
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


# -- Monte-Carlo dropout ------------------------------------------------------------------


@pytest.fixture(scope="module")
def features(tiny_pretrained, images):
    return FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)


def _module_state(module):
    return [(m.training, getattr(m, "p", None)) for m in module.modules()]


def test_mcdue_with_p_zero_gives_zero_spread(tiny_pretrained, features):
    head = DenseHeadRegressor(tiny_pretrained).initialize()
    std = MCDropoutSampler(n_iter=5, p=0.0).uncertainty(features, estimator=head)
    np.testing.assert_array_equal(std, 0.0)


def test_mcdue_scores_are_the_std_of_the_passes(tiny_pretrained, features):
    head = DenseHeadRegressor(tiny_pretrained).initialize()
    sampler = MCDropoutSampler(n_iter=30, random_state=0)
    passes = mc_dropout_predictions(head, features, n_iter=30, random_state=0)
    assert passes.shape == (30, len(features), 1)
    std = sampler.uncertainty(features, estimator=head)
    np.testing.assert_allclose(std, passes.std(axis=0)[:, 0], rtol=1e-6)
    picks = sampler.select(features, 4, estimator=head)
    assert picks.tolist() == np.argsort(-std, kind="stable")[:4].tolist()
    assert std.max() > 0


def test_mcdue_is_reproducible_and_leaves_the_module_as_found(tiny_pretrained, features):
    head = DenseHeadRegressor(tiny_pretrained).initialize()
    head.module_.train()  # an unusual mode, to see it restored
    before = _module_state(head.module_)
    first = MCDropoutSampler(n_iter=10, random_state=3).select(features, 5, estimator=head)
    second = MCDropoutSampler(n_iter=10, random_state=3).select(features, 5, estimator=head)
    assert first.tolist() == second.tolist()
    assert _module_state(head.module_) == before
    rates = [m.p for m in head.module_.modules() if isinstance(m, torch.nn.Dropout)]
    assert rates == [0.5, 0.5]


def test_mcdue_uses_the_pretrained_state_of_an_unfitted_head(tiny_pretrained, features):
    unfitted = DenseHeadRegressor(tiny_pretrained)
    initialised = DenseHeadRegressor(tiny_pretrained).initialize()
    sampler = MCDropoutSampler(n_iter=8, random_state=0)
    np.testing.assert_array_equal(
        sampler.uncertainty(features, estimator=unfitted),
        sampler.uncertainty(features, estimator=initialised),
    )
    assert not unfitted.initialized_


def test_mcdue_on_images_through_the_whole_alexnet(tiny_pretrained, images):
    std = MCDropoutSampler(n_iter=4, random_state=0).uncertainty(images, estimator=tiny_pretrained)
    assert std.shape == (len(images),) and np.all(std > 0)


def test_two_output_spread_is_averaged_over_outputs():
    net = NeuralNetRegressor(
        torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(3, 2)),
        train_split=None,
        verbose=0,
    ).initialize()
    X = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    passes = mc_dropout_predictions(net, X, n_iter=7, random_state=1)
    std = MCDropoutSampler(n_iter=7, random_state=1).uncertainty(X, estimator=net)
    np.testing.assert_allclose(std, passes.std(axis=0).mean(axis=1), rtol=1e-6)


def test_batching_of_passes_does_not_change_the_spread_distribution(tiny_pretrained, features):
    head = DenseHeadRegressor(tiny_pretrained).initialize()
    one_by_one = mc_dropout_predictions(head, features, n_iter=6, batch_size=1, random_state=0)
    stacked = mc_dropout_predictions(head, features, n_iter=6, batch_size=1000, random_state=0)
    assert one_by_one.shape == stacked.shape == (6, len(features), 1)
    # Different batching draws different masks, but the same pre-trained means.
    np.testing.assert_allclose(one_by_one.mean(), stacked.mean(), atol=0.2)


# -- random sampling ----------------------------------------------------------------------


def test_random_sampler_is_reproducible_and_without_replacement():
    X = np.zeros((50, 2))
    first = RandomSampler(random_state=0).select(X, 20)
    assert first.tolist() == RandomSampler(random_state=0).select(X, 20).tolist()
    assert len(set(first.tolist())) == 20
    assert first.tolist() != RandomSampler(random_state=1).select(X, 20).tolist()
    # Larger selections extend smaller ones (nested learning curves).
    assert RandomSampler(random_state=0).select(X, 30).tolist()[:20] == first.tolist()


# -- scikit-learn and modAL protocols -----------------------------------------------------


@pytest.mark.parametrize(
    "sampler",
    [
        GreedySampler("xy"),
        MCDropoutSampler(n_iter=7, p=0.25, random_state=2),
        RandomSampler(random_state=4),
    ],
    ids=type,
)
def test_samplers_are_scikit_learn_objects(sampler):
    copy = clone(sampler)
    assert copy.get_params() == sampler.get_params()
    assert repr(copy) == repr(sampler)
    assert clone(sampler).set_params(random_state=9).random_state == 9


@pytest.mark.parametrize(
    "strategy",
    [
        GreedySampler("x"),
        GreedySampler("y"),
        GreedySampler("xy"),
        MCDropoutSampler(n_iter=5, random_state=0),
        RandomSampler(random_state=0),
    ],
    ids=lambda s: repr(s),
)
def test_modal_query_teach_loop(strategy, tiny_pretrained, features, targets):
    learner = ActiveLearner(
        estimator=DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
        query_strategy=strategy,
    )
    pool = np.arange(len(features))
    labelled = []
    for _ in range(3):
        query, rows = learner.query(features[pool], n_instances=2)
        assert len(query) == 2 and len(set(query.tolist())) == 2
        np.testing.assert_array_equal(rows, features[pool][query])
        learner.teach(features[pool][query], targets[pool][query])
        labelled.extend(pool[query].tolist())
        pool = np.delete(pool, query)
    assert len(set(labelled)) == 6
    assert learner.X_training.shape == (6, features.shape[1])


def test_greedy_query_of_a_learner_uses_its_labelled_rows(tiny_pretrained, features, targets):
    learner = ActiveLearner(
        estimator=DenseHeadRegressor(tiny_pretrained, max_epochs=1),
        query_strategy=GreedySampler("x"),
        X_training=features[:3],
        y_training=targets[:3],
    )
    query, _ = learner.query(features[3:], n_instances=4)
    expected = GreedySampler("x").select(features[3:], 4, X_labeled=features[:3])
    assert query.tolist() == expected.tolist()


def test_mc_dropout_regressor_feeds_modal_max_std_sampling(tiny_pretrained, features, targets):
    model = MCDropoutRegressor(
        DenseHeadRegressor(tiny_pretrained, max_epochs=1), n_iter=6, random_state=0
    )
    learner = ActiveLearner(estimator=model, query_strategy=max_std_sampling)
    query, _ = learner.query(features, n_instances=3)
    mean, std = model.predict(features, return_std=True)
    assert mean.shape == std.shape == (len(features),)
    assert set(query.tolist()) == set(np.argsort(-std, kind="stable")[:3].tolist())
    learner.teach(features[query], targets[query])
    assert learner.estimator.estimator_.initialized_


# -- SampledRegressor ---------------------------------------------------------------------


def test_sampled_regressor_fits_on_the_picked_rows_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, -2.0, 0.5]
    model = SampledRegressor(LinearRegression(), GreedySampler("x"), fraction=0.2).fit(X, y)
    expected = GreedySampler("x").select(X, 8)
    np.testing.assert_array_equal(model.selected_indices_, expected)
    reference = LinearRegression().fit(X[expected], y[expected])
    np.testing.assert_allclose(model.estimator_.coef_, reference.coef_)
    assert model.n_features_in_ == 3


@pytest.mark.parametrize("fraction, expected", [(0.05, 2), (0.1, 4), (0.7, 28), (1.0, 40)])
def test_sampled_regressor_takes_the_ceiling_of_the_fraction(fraction, expected):
    X = np.random.default_rng(0).normal(size=(40, 2))
    model = SampledRegressor(
        LinearRegression(), RandomSampler(random_state=0), fraction=fraction
    ).fit(X, X[:, 0])
    assert len(model.selected_indices_) == expected


def test_fraction_zero_is_transfer_0(tiny_pretrained, images, features, targets):
    model = SampledRegressor(
        DenseHeadRegressor(tiny_pretrained), GreedySampler("y"), fraction=0.0
    ).fit(features, targets)
    assert len(model.selected_indices_) == 0
    np.testing.assert_allclose(model.predict(features), tiny_pretrained.predict(images), atol=1e-4)


def test_samplers_get_the_pretrained_state_not_a_fit_on_this_data(
    tiny_pretrained, features, targets
):
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=1)
    model = SampledRegressor(head, GreedySampler("y"), fraction=0.5).fit(features, targets)
    pretrained_outputs = DenseHeadRegressor(tiny_pretrained).initialize()
    expected = GreedySampler("y").select(features, 6, estimator=pretrained_outputs)
    np.testing.assert_array_equal(model.selected_indices_, expected)


def test_grid_search_over_fraction_and_sampler(tiny_pretrained, features, targets):
    model = SampledRegressor(
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
        RandomSampler(random_state=0),
    )
    grid = GridSearchCV(
        model,
        {
            "fraction": [0.0, 0.5, 1.0],
            "sampler": [
                RandomSampler(random_state=0),
                GreedySampler("x"),
                GreedySampler("xy"),
                MCDropoutSampler(n_iter=4, random_state=0),
            ],
        },
        cv=KFold(2),
        scoring="neg_root_mean_squared_error",
    ).fit(features, targets)
    assert len(grid.cv_results_["params"]) == 12
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("n_instances", [0, -1, 11, 2.0, True])
@pytest.mark.parametrize(
    "sampler", [GreedySampler("x"), RandomSampler(0), MCDropoutSampler(n_iter=2)], ids=type
)
def test_bad_n_instances(sampler, n_instances, tiny_pretrained):
    X = np.zeros((10, 9216), np.float32)
    with pytest.raises(ValueError, match=r"n_instances must be an int between 1 and the pool"):
        sampler.select(X, n_instances, estimator=DenseHeadRegressor(tiny_pretrained))


@pytest.mark.parametrize(
    "sampler", [GreedySampler("x"), RandomSampler(0), MCDropoutSampler(n_iter=2)], ids=type
)
def test_empty_pool(sampler):
    with pytest.raises(ValueError, match="X_pool is empty"):
        sampler.select(np.zeros((0, 4)), 1)


@pytest.mark.parametrize("space", ["x", "y", "xy"])
def test_nan_features(space):
    X = np.zeros((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GreedySampler(space).select(X, 2, estimator=FixedFunction([1.0, 0.0, 0.0]))


def test_unknown_space():
    with pytest.raises(ValueError, match="space must be one of"):
        GreedySampler("z").select(np.zeros((3, 2)), 1)


@pytest.mark.parametrize("fraction", [-0.1, 1.5, np.nan, "half", None])
def test_fraction_outside_0_1(fraction):
    model = SampledRegressor(LinearRegression(), RandomSampler(0), fraction=fraction)
    with pytest.raises(ValueError, match="fraction must be a number in"):
        model.fit(np.zeros((4, 2)), np.zeros(4))


def test_fraction_zero_needs_a_pretrained_state():
    model = SampledRegressor(LinearRegression(), RandomSampler(0), fraction=0.0)
    with pytest.raises(ValueError, match="pre-trained state"):
        model.fit(np.zeros((4, 2)), np.zeros(4))


def test_mcdue_on_a_net_without_dropout():
    net = NeuralNetRegressor(torch.nn.Linear(3, 1), train_split=None, verbose=0).initialize()
    with pytest.raises(ValueError, match="needs dropout layers"):
        MCDropoutSampler(n_iter=2).select(np.zeros((4, 3), np.float32), 1, estimator=net)


@pytest.mark.parametrize("kwargs, match", [({"n_iter": 0}, "n_iter"), ({"p": 1.0}, "p must")])
def test_mcdue_bad_parameters(tiny_pretrained, features, kwargs, match):
    with pytest.raises(ValueError, match=match):
        MCDropoutSampler(**kwargs).select(
            features, 1, estimator=DenseHeadRegressor(tiny_pretrained)
        )


@pytest.mark.parametrize("space", ["y", "xy"])
def test_gsy_without_a_usable_regression_function(space):
    X = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ValueError, match="needs a usable regression function"):
        GreedySampler(space).select(X, 2, estimator=LinearRegression())
    with pytest.raises(ValueError, match="needs a regression function"):
        GreedySampler(space).select(X, 2, estimator=None)
