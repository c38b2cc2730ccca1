"""The query-strategy contract: scikit-learn objects, modAL strategies, shared checks."""

import numpy as np
import pytest
from modAL.disagreement import max_std_sampling
from modAL.models import ActiveLearner
from sklearn.base import clone

from sklearn_fer import DenseHeadRegressor
from sklearn_fer.active import GreedySampler, MCDropoutRegressor, MCDropoutSampler, RandomSampler


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


@pytest.mark.parametrize(
    "n_instances, error, match",
    [
        (0, ValueError, r"'n_instances' .*\.select must be .* \[1, 10\]\. Got 0 instead"),
        (-1, ValueError, r"'n_instances' .* \[1, 10\]\. Got -1 instead"),
        (11, ValueError, r"'n_instances' .* \[1, 10\]\. Got 11 instead"),  # the pool's size
        (2.0, TypeError, r"'n_instances' .* an int .* Got 2.0 instead"),
        (True, TypeError, r"'n_instances' .* an int \(not a bool\) .* Got True instead"),
        ("3", TypeError, r"'n_instances' .* an int .* Got '3' instead"),
    ],
)
@pytest.mark.parametrize(
    "sampler", [GreedySampler("x"), RandomSampler(0), MCDropoutSampler(n_iter=2)], ids=type
)
def test_bad_n_instances(sampler, n_instances, error, match, tiny_pretrained):
    X = np.zeros((10, 9216), np.float32)
    with pytest.raises(error, match=match):
        sampler.select(X, n_instances, estimator=DenseHeadRegressor(tiny_pretrained))


@pytest.mark.parametrize(
    "sampler", [GreedySampler("x"), RandomSampler(0), MCDropoutSampler(n_iter=2)], ids=type
)
def test_empty_pool(sampler):
    with pytest.raises(ValueError, match="X_pool is empty"):
        sampler.select(np.zeros((0, 4)), 1)


@pytest.mark.parametrize(
    "sampler",
    [
        GreedySampler("x"),
        GreedySampler("y"),
        GreedySampler("xy"),
        MCDropoutSampler(n_iter=2, random_state=0),
        RandomSampler(0),
    ],
    ids=repr,
)
def test_a_pool_of_one_row_gives_that_row(sampler, tiny_pretrained, features, targets):
    # A short video sampled every 4 s can leave one frame: the interval [1, 1].
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0)
    head.fit(features[:4], targets[:4])
    pool = features[4:5]
    assert sampler.select(pool, 1, estimator=head).tolist() == [0]
    with pytest.raises(ValueError, match=r"'n_instances' .* must be 1 .*\. Got 2 instead"):
        sampler.select(pool, 2, estimator=head)
    with pytest.raises(TypeError, match=r"'n_instances' .* \(not a bool\) .* Got True instead"):
        sampler.select(pool, True, estimator=head)
