"""Gradient descent along a path: what it may change, and when the final training stops."""

import numpy as np
import pytest
import torch

from sklearn_fer.pathnet import PathNet
from sklearn_fer.pathnet._training import PathTrainer, TaskLoss


def _trainer(kind="regression", frozen=None, n=40, seed=0):
    generator = torch.Generator().manual_seed(seed)
    net = PathNet(6, n_layers=2, n_modules=4, module_units=5, generator=generator)
    net.add_head(1 if kind == "regression" else 3, generator=generator)
    if frozen is not None:
        net.set_frozen(frozen)
    X = torch.randn(n, 6, generator=generator)
    if kind == "regression":
        y = X[:, :1] * 2.0
    else:
        y = torch.randint(0, 3, (n,), generator=generator)
    trainer = PathTrainer(
        net,
        0,
        X,
        y,
        task_loss=TaskLoss(kind),
        batch_size=8,
        lr=0.01,
        rng=np.random.default_rng(seed),
    )
    return net, trainer


def _weights(net):
    return [[m.weight.detach().clone() for m in layer] for layer in net.layers]


def test_training_a_path_moves_its_trainable_modules_only():
    frozen = np.array([[True, False, False, False], [False, False, False, False]])
    net, trainer = _trainer(frozen=frozen)
    path = ((0, 1), (2,))
    before = _weights(net)
    # Two paths in turn: Adam's state of the first must not move it while the second trains.
    trainer.train_steps(path, 5)
    middle = _weights(net)
    trainer.train_steps(((3,), (0,)), 5)
    after = _weights(net)
    for layer in range(2):
        for module in range(4):
            moved_first = not torch.equal(before[layer][module], middle[layer][module])
            moved_second = not torch.equal(middle[layer][module], after[layer][module])
            on_first = module in path[layer] and not frozen[layer, module]
            on_second = module == ((3,), (0,))[layer][0]
            assert moved_first == on_first, (layer, module)
            assert moved_second == on_second, (layer, module)


def test_train_steps_returns_the_mean_fitness_of_its_steps():
    net, trainer = _trainer()
    fitness = trainer.train_steps(((0,), (1,)), 3)
    assert fitness < 0  # minus the MSE
    _, classifier = _trainer("classification")
    accuracy = classifier.train_steps(((0,), (1,)), 3)
    assert 0.0 <= accuracy <= 1.0


def test_batches_cover_every_row_once_per_pass():
    _, trainer = _trainer(n=20)
    seen = []
    for _ in range(3):  # batches of 8, 8, 4
        xb, _ = trainer._next_batch()
        seen.append(xb)
    rows = torch.cat(seen)
    assert rows.shape[0] == 20
    assert torch.equal(rows[torch.argsort(rows[:, 0])], trainer.X[torch.argsort(trainer.X[:, 0])])


def test_fit_path_stops_after_n_iter_no_change_epochs_without_improvement():
    net, trainer = _trainer()
    # An enormous tol: after the first epoch (an improvement on nothing) no epoch counts
    # as one, so it stops after 1 + 2 epochs.
    curve, validation = trainer.fit_path(((0,), (1,)), max_epochs=50, tol=1e9, n_iter_no_change=2)
    assert len(curve) == 3 and validation is None
    curve, _ = trainer.fit_path(((0,), (1,)), max_epochs=7, tol=0.0, n_iter_no_change=100)
    assert len(curve) == 7
    assert curve[-1] < curve[0]


def test_early_stopping_restores_the_best_validation_epoch():
    net, trainer = _trainer(n=60)
    X_val = torch.randn(20, 6)
    y_val = torch.randn(20, 1) * 5  # unrelated targets: validation loss does not keep falling
    path = ((0, 1), (2,))
    curve, validation = trainer.fit_path(
        path, max_epochs=30, tol=0.0, n_iter_no_change=3, validation=(X_val, y_val)
    )
    assert len(validation) == len(curve)
    final = trainer.evaluate(path, X_val, y_val)[0]
    assert final == pytest.approx(min(validation), rel=1e-6)


def test_task_loss_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind must be 'regression' or 'classification'"):
        TaskLoss("ranking")
