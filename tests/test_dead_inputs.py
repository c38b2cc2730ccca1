"""Heads trained without the features that are zero on every training row
(sklearn_fer._dead_inputs): the same fit as on every column, up to float rounding."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer._dead_inputs import MIN_DEAD_FRACTION, dead_input_plan
from sklearn_fer.classifiers import DenseHeadClassifier

from ._helpers import tiny_regressor


@pytest.fixture(scope="module", params=["scattered", "channels"])
def sparse_features(request, tiny_pretrained, images):
    """The tiny net's conv features with about two columns in three dead on every row:
    scattered single columns (copied by index), or whole channels of 36 columns, as ReLU
    kills them (copied run by run)."""
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    column = np.arange(features.shape[1])
    if request.param == "scattered":
        features[:, column % 3 != 0] = 0
    else:
        features[:, (column // 36) % 3 != 0] = 0
    return features


def _fit(head, X, y, *, prune):
    head = clone(head)
    head._prune_dead_inputs = prune
    return head.fit(X, y)


def _first_weight(head):
    return head.module_[1].weight.detach().clone()


def test_pruned_fit_equals_the_fit_on_every_column(tiny_pretrained, sparse_features, targets):
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=4, lr=0.01, random_state=3)
    head.set_params(optimizer=torch.optim.Adam, batch_size=5)
    pruned = _fit(head, sparse_features, targets, prune=True)
    full = _fit(head, sparse_features, targets, prune=False)
    assert dead_input_plan(clone(head).initialize(), sparse_features) is not None
    np.testing.assert_allclose(
        pruned.predict(sparse_features), full.predict(sparse_features), atol=1e-5
    )
    # The live columns moved as the full fit moved them; the dead ones kept the
    # pre-trained weights exactly, as in the full fit.
    dead = (sparse_features == 0).all(axis=0)
    source = tiny_pretrained.module_.classifier[1].weight.detach()
    torch.testing.assert_close(_first_weight(pruned), _first_weight(full), atol=1e-5, rtol=0)
    assert torch.equal(_first_weight(pruned)[:, dead], source[:, dead])
    assert not torch.allclose(_first_weight(pruned)[:, ~dead], source[:, ~dead])
    assert type(pruned.module_[1]) is torch.nn.Linear  # the full layer is back


def test_the_optimiser_state_comes_back_at_full_width(tiny_pretrained, sparse_features, targets):
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=2, lr=0.01, random_state=0)
    head.set_params(optimizer=torch.optim.Adam)
    pruned = _fit(head, sparse_features, targets, prune=True)
    full = _fit(head, sparse_features, targets, prune=False)
    weight = pruned.module_[1].weight
    state = pruned.optimizer_.state[weight]
    assert state["exp_avg"].shape == weight.shape
    dead = torch.from_numpy((sparse_features == 0).all(axis=0))
    assert torch.count_nonzero(state["exp_avg_sq"][:, dead]) == 0
    # Training on, both continue from the same state (partial_fit does not prune a
    # net whose optimiser already holds state).
    assert dead_input_plan(pruned, sparse_features) is None
    pruned.partial_fit(sparse_features, targets)
    full.partial_fit(sparse_features, targets)
    np.testing.assert_allclose(
        pruned.predict(sparse_features), full.predict(sparse_features), atol=1e-5
    )


@pytest.mark.parametrize(
    "params",
    [
        dict(optimizer=torch.optim.AdamW),  # decoupled weight decay moves every weight
        dict(optimizer=torch.optim.SGD, optimizer__weight_decay=0.1),
        dict(optimizer=torch.optim.RMSprop),
        dict(callbacks=[]),  # not a user callback: still pruned
    ],
    ids=["adamw", "sgd-weight-decay", "rmsprop", "no-callbacks"],
)
def test_pruning_only_where_a_zero_gradient_moves_nothing(tiny_pretrained, sparse_features, params):
    head = DenseHeadRegressor(tiny_pretrained, **params).initialize()
    plan = dead_input_plan(head, sparse_features)
    assert (plan is not None) == ("callbacks" in params)


def test_weight_decay_would_move_the_dead_columns(tiny_pretrained, sparse_features, targets):
    # Why AdamW is excluded: its dead-column weights do change, so pruning would be wrong.
    head = DenseHeadRegressor(tiny_pretrained, optimizer=torch.optim.AdamW, max_epochs=2)
    fitted = _fit(head, sparse_features, targets, prune=False)
    dead = (sparse_features == 0).all(axis=0)
    source = tiny_pretrained.module_.classifier[1].weight.detach()
    assert not torch.equal(_first_weight(fitted)[:, dead], source[:, dead])


def test_user_callbacks_and_few_dead_columns_train_on_every_column(
    tiny_pretrained, sparse_features
):
    from skorch.callbacks import EpochTimer

    head = DenseHeadRegressor(tiny_pretrained, callbacks=[("timer", EpochTimer())])
    assert dead_input_plan(head.initialize(), sparse_features) is None
    dense = np.ones_like(sparse_features)
    n_dead = int(MIN_DEAD_FRACTION * dense.shape[1]) - 1
    dense[:, :n_dead] = 0
    assert dead_input_plan(DenseHeadRegressor(tiny_pretrained).initialize(), dense) is None
    dense[:, : n_dead + 2] = 0
    assert dead_input_plan(DenseHeadRegressor(tiny_pretrained).initialize(), dense) is not None


def test_a_pruned_fit_leaves_the_global_generator_alone(tiny_pretrained, sparse_features, targets):
    state = torch.get_rng_state()
    _fit(
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
        sparse_features,
        targets,
        prune=True,
    )
    assert torch.equal(torch.get_rng_state(), state)


def test_the_classifier_head_prunes_alike(images):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=len(images))
    general = tiny_regressor(module__n_outputs=3).initialize()
    features = FrozenConvFeaturizer(general).fit_transform(images)
    features[:, features.shape[1] // 4 :] = 0
    head = DenseHeadClassifier(general, classes=[0, 1, 2], max_epochs=3, lr=0.01, random_state=0)
    pruned = _fit(head, features, labels, prune=True)
    full = _fit(head, features, labels, prune=False)
    assert dead_input_plan(clone(head).initialize(), features) is not None
    np.testing.assert_allclose(
        pruned.predict_proba(features), full.predict_proba(features), atol=1e-5
    )


def test_both_copy_routes_are_taken(sparse_features):
    from sklearn_fer._dead_inputs import _MAX_RUNS, _Columns

    live = np.flatnonzero((sparse_features != 0).any(axis=0))
    columns = _Columns(live, "cpu")
    runs = np.count_nonzero(np.diff(live) != 1) + 1
    assert (columns.runs is None) == (runs > _MAX_RUNS)
    full = torch.arange(3 * sparse_features.shape[1], dtype=torch.float32).reshape(3, -1)
    reduced = columns.gather(full)
    torch.testing.assert_close(reduced, full[:, live], rtol=0, atol=0)
    back = columns.scatter(reduced, torch.zeros_like(full))
    torch.testing.assert_close(back[:, live], full[:, live], rtol=0, atol=0)
    assert torch.count_nonzero(back) == torch.count_nonzero(full[:, live])
