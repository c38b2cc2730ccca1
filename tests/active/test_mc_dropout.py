"""Monte-Carlo dropout: mc_dropout_predictions and MCDropoutSampler (Table 4)."""

import numpy as np
import pytest
import torch
from skorch import NeuralNetRegressor

from sklearn_fer import DenseHeadRegressor
from sklearn_fer.active import MCDropoutSampler, mc_dropout_predictions


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


def test_mcdue_on_a_net_without_dropout():
    net = NeuralNetRegressor(torch.nn.Linear(3, 1), train_split=None, verbose=0).initialize()
    with pytest.raises(ValueError, match="needs dropout layers"):
        MCDropoutSampler(n_iter=2).select(np.zeros((4, 3), np.float32), 1, estimator=net)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_iter": 0}, ValueError, r"'n_iter' .* \[1, inf\)\. Got 0 instead"),
        ({"n_iter": True}, TypeError, r"'n_iter' .* an int \(not a bool\) .* Got True instead"),
        ({"p": 1.0}, ValueError, r"'p' .* \[0.0, 1.0\)\. Got 1.0 instead"),
        ({"p": -0.5}, ValueError, r"'p' .* \[0.0, 1.0\)\. Got -0.5 instead"),
        ({"batch_size": 0}, ValueError, r"'batch_size' .* \[1, inf\)\. Got 0 instead"),
    ],
)
def test_mcdue_bad_parameters(tiny_pretrained, features, kwargs, error, match):
    with pytest.raises(error, match=match):
        MCDropoutSampler(**kwargs).select(
            features, 1, estimator=DenseHeadRegressor(tiny_pretrained)
        )
