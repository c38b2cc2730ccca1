"""Gradient descent along one path of a PathNet: the T steps of a tournament, the scoring
of a path, and the final training of the best path until it converges.

Only the path's trainable modules and the task's head take part: frozen modules have
``requires_grad`` off, and modules off the path get no gradient (``grad`` stays None),
which torch's optimisers skip, so neither moves, not even through Adam's momentum.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from ..optim import FusedAdam

__all__ = ["PathTrainer", "TaskLoss"]


class TaskLoss:
    """The loss a task trains on and the fitness a tournament compares.

    ``kind="regression"``: mean squared error; fitness is minus the MSE (Fernando et al.
    use minus the classification error; minus the MSE is its regression counterpart).
    ``kind="classification"``: cross-entropy; fitness is the accuracy.
    """

    def __init__(self, kind):
        if kind not in ("regression", "classification"):
            raise ValueError(f"kind must be 'regression' or 'classification', got {kind!r}.")
        self.kind = kind

    def loss(self, output, target):
        if self.kind == "regression":
            return F.mse_loss(output, target)
        return F.cross_entropy(output, target)

    def fitness(self, output, target, loss):
        if self.kind == "regression":
            return -float(loss)
        return float((output.argmax(dim=1) == target).float().mean())


class PathTrainer:
    """Mini-batch gradient descent of one task along any path of a shared PathNet.

    Parameters
    ----------
    module : PathNet
        The network; its frozen modules must already have ``requires_grad`` off.
    task : int
        The head trained.
    X, y : torch.Tensor
        Training rows (float32 ``(n, n_features)``) and targets (float32 ``(n, k)`` for
        regression, int64 ``(n,)`` for classification).
    task_loss : TaskLoss
    batch_size : int
    lr : float
        Adam's learning rate.
    rng : numpy.random.Generator
        Shuffles the rows; a new order each time the rows run out.
    """

    def __init__(self, module, task, X, y, *, task_loss, batch_size, lr, rng):
        self.module = module
        self.task = task
        self.X, self.y = X, y
        self.task_loss = task_loss
        self.batch_size = min(batch_size, len(X))
        self.rng = rng
        trainable = [p for p in module.parameters() if p.requires_grad]
        self.optimizer = FusedAdam(trainable, lr=lr)
        self._epoch = None
        self._position = 0

    def _next_batch(self):
        if self._epoch is None or self._position >= len(self.X):
            order = torch.from_numpy(self.rng.permutation(len(self.X))).to(self.X.device)
            # One gather per pass over the data; batches are then views of it.
            self._epoch = (self.X[order], self.y[order])
            self._position = 0
        start, stop = self._position, self._position + self.batch_size
        self._position = stop
        return self._epoch[0][start:stop], self._epoch[1][start:stop]

    def _step(self, path, xb, yb):
        output = self.module(xb, path, self.task)
        loss = self.task_loss.loss(output, yb)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return output.detach(), loss.detach()

    def train_steps(self, path, n_steps):
        """Train along ``path`` for ``n_steps`` mini-batches; return the mean fitness.

        The fitness of each step is measured on its batch before the update, as
        Fernando et al. measure it during training.
        """
        total = 0.0
        for _ in range(n_steps):
            xb, yb = self._next_batch()
            output, loss = self._step(path, xb, yb)
            total += self.task_loss.fitness(output, yb, loss)
        return total / n_steps

    def train_epoch(self, path):
        """One pass over the rows in shuffled batches; return the mean batch loss."""
        self._position = len(self.X)  # start a fresh pass
        losses, sizes = [], []
        while True:
            xb, yb = self._next_batch()
            losses.append(float(self._step(path, xb, yb)[1]))
            sizes.append(len(xb))
            if self._position >= len(self.X):
                break
        return float(np.average(losses, weights=sizes))

    def evaluate(self, path, X=None, y=None):
        """Loss and fitness of ``path`` on ``(X, y)`` (default: the training rows)."""
        X = self.X if X is None else X
        y = self.y if y is None else y
        # No dropout or batch norm in a PathNet: train and eval modes compute the same.
        with torch.no_grad():
            output = self.module(X, path, self.task)
            loss = self.task_loss.loss(output, y)
        return float(loss), self.task_loss.fitness(output, y, loss)

    def _state(self, path):
        # The tensors a final training can change: the path's trainable modules, the head.
        modules = [
            self.module.layers[layer][m] for layer, active in enumerate(path) for m in active
        ]
        modules.append(self.module.heads[self.task])
        return [(m, copy.deepcopy(m.state_dict())) for m in modules]

    def fit_path(self, path, *, max_epochs, tol, n_iter_no_change, validation=None):
        """Train along ``path`` until the loss stops improving, or ``max_epochs``.

        Without ``validation``, stops when the training loss has not improved by ``tol``
        for ``n_iter_no_change`` epochs in a row (scikit-learn's MLP rule). With
        ``validation=(X_val, y_val)``, the same rule on the validation loss, and the
        weights of the best validation epoch are restored at the end.

        Returns
        -------
        loss_curve : list of float
            Training loss per epoch.
        validation_curve : list of float or None
            Validation loss per epoch.
        """
        loss_curve, validation_curve = [], [] if validation is not None else None
        best, stale, best_state = np.inf, 0, None
        for _ in range(max_epochs):
            loss_curve.append(self.train_epoch(path))
            monitored = loss_curve[-1]
            if validation is not None:
                monitored = self.evaluate(path, *validation)[0]
                validation_curve.append(monitored)
            if monitored > best - tol:
                stale += 1
            else:
                stale = 0
            if monitored < best:
                best = monitored
                if validation is not None:
                    best_state = self._state(path)
            if stale >= n_iter_no_change:
                break
        if best_state is not None:
            for module, state in best_state:
                module.load_state_dict(state)
        return loss_curve, validation_curve
