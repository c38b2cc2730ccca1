"""The PathNet torch module: what a path computes, and which tensors it touches."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sklearn_fer.pathnet import PathNet


def _net(seed=0, **kwargs):
    params = dict(n_layers=2, n_modules=4, module_units=3)
    params.update(kwargs)
    net = PathNet(5, generator=torch.Generator().manual_seed(seed), **params)
    net.add_head(2, generator=torch.Generator().manual_seed(seed + 1))
    return net


def test_a_layer_sums_the_relu_outputs_of_its_active_modules():
    net = _net()
    x = torch.randn(7, 5)
    path = ((0, 2), (1, 3))
    layer0 = [F.relu(F.linear(x, net.layers[0][m].weight, net.layers[0][m].bias)) for m in (0, 2)]
    h = layer0[0] + layer0[1]
    layer1 = [F.relu(F.linear(h, net.layers[1][m].weight, net.layers[1][m].bias)) for m in (1, 3)]
    expected = net.heads[0](layer1[0] + layer1[1])
    torch.testing.assert_close(net(x, path, 0), expected)


def test_only_the_active_modules_take_part():
    net = _net()
    x = torch.randn(7, 5)
    path = ((0, 2), (1,))
    before = net(x, path, 0).detach()
    with torch.no_grad():  # an inactive module changes: the output does not
        net.layers[0][1].weight.add_(10.0)
        net.layers[1][3].bias.add_(10.0)
    assert torch.equal(net(x, path, 0).detach(), before)
    net(x, path, 0).sum().backward()
    has_grad = [[m.weight.grad is not None for m in layer] for layer in net.layers]
    assert has_grad == [[True, False, True, False], [False, True, False, False]]


def test_heads_are_per_task():
    net = _net()
    task = net.add_head(1, generator=torch.Generator().manual_seed(5))
    assert (task, net.n_tasks) == (1, 2)
    assert net(torch.randn(3, 5), ((0,), (0,)), task).shape == (3, 1)


def test_the_same_seed_builds_the_same_weights_without_touching_global_rng():
    state = torch.random.get_rng_state()
    a, b = _net(seed=3), _net(seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    c = _net(seed=4)
    assert not torch.equal(a.layers[0][0].weight, c.layers[0][0].weight)


def test_reset_modules_redraws_all_but_the_kept_ones():
    net = _net()
    before = [[m.weight.clone() for m in layer] for layer in net.layers]
    keep = np.array([[True, False, False, True], [False, True, False, False]])
    net.reset_modules(keep, generator=torch.Generator().manual_seed(99))
    for layer in range(2):
        for module in range(4):
            same = torch.equal(net.layers[layer][module].weight, before[layer][module])
            assert same == keep[layer, module]


def test_set_frozen_switches_gradients_per_module():
    net = _net()
    frozen = np.array([[True, False, False, False], [False, False, False, True]])
    net.set_frozen(frozen)
    grads = [[m.weight.requires_grad for m in layer] for layer in net.layers]
    assert grads == (~frozen).tolist()


def test_the_input_scale_gives_unit_mean_square():
    net = _net()
    X = torch.full((4, 5), 0.1)
    net.set_input_scale(X)
    assert float(net.input_scale) == pytest.approx(10.0)
    net.set_input_scale(torch.zeros(4, 5))  # all-zero input: the scale stays finite
    assert float(net.input_scale) == 1.0


@pytest.mark.parametrize("name", ["n_features", "n_layers", "n_modules", "module_units"])
def test_sizes_must_be_positive_ints(name):
    params = dict(n_features=5, n_layers=2, n_modules=3, module_units=4)
    params[name] = 0
    with pytest.raises(ValueError, match=f"{name} must be a positive int, got 0"):
        PathNet(params.pop("n_features"), **params)
