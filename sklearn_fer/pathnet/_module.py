"""PathNet: L layers of M dense modules, a path through them, one output layer per task.

The network of Fernando et al. (2017, Section 2.1) over a 2-D feature matrix (the frozen
conv features of :class:`~sklearn_fer.FrozenConvFeaturizer`). A *path* activates a few
modules per layer; the outputs of a layer's active modules are summed and the sum is the
input of every active module of the next layer; the last layer's sum feeds the task's
own output layer. Only the active modules run, forwards and backwards, so a path costs
what its modules cost, whatever the size of the whole network.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["PathNet"]


def _init_linear(layer, generator):
    # torch's default nn.Linear initialisation, drawn from a private generator so that
    # seeding a fit never touches torch's global random state.
    fan_in = layer.weight.shape[1]
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        layer.bias.uniform_(-bound, bound, generator=generator)


def _linear(n_in, n_out, generator):
    layer = nn.utils.skip_init(nn.Linear, n_in, n_out)
    _init_linear(layer, generator)
    return layer


class PathNet(nn.Module):
    """A modular dense network whose forward pass runs only the modules of one path.

    ``n_layers`` layers of ``n_modules`` modules; each module is a linear layer of
    ``module_units`` ReLU units (Fernando et al. 2017, Section 2.1: "each module is
    itself a neural network, here either convolutional or linear, followed by a transfer
    function; rectified linear units"). The first layer's modules read the input
    features; a later layer's modules read the sum of the previous layer's active
    outputs. Each task has its own linear output layer (a *head*) over the last layer's
    sum.

    The input is first multiplied by one fixed scale, set once from the first task's
    training data so that the features have unit mean square (AlexNet's conv features
    are small, around 0.1, and a fan-in of 9216 would otherwise start the first layer
    almost silent). One scalar, not per-feature standardisation: about a third of the
    conv features are zero on most images and per-feature scaling would blow up the
    rare ones. Later tasks keep it, as they keep every frozen module.

    Parameters
    ----------
    n_features : int
        Width of the input (9216 for AlexNet's conv features).
    n_layers : int, default=3
        L, the number of layers of modules.
    n_modules : int, default=10
        M, the modules per layer.
    module_units : int, default=20
        ReLU units per module (20 in Fernando et al.'s binary MNIST experiments).
    generator : torch.Generator or None, default=None
        Source of the initial weights; None draws from torch's global generator.

    Attributes
    ----------
    layers : torch.nn.ModuleList
        ``layers[l][m]``: the linear layer of module ``m`` of layer ``l``.
    heads : torch.nn.ModuleList
        ``heads[t]``: the output layer of task ``t``, in the order tasks were added.

    References
    ----------
    Fernando, Banarse, Blundell, Zwols, Ha, Rusu, Pritzel & Wierstra (2017). PathNet:
    Evolution channels gradient descent in super neural networks. arXiv:1701.08734.

    Examples
    --------
    >>> import torch
    >>> from sklearn_fer.pathnet import PathNet
    >>> net = PathNet(8, n_layers=2, n_modules=4, module_units=5,
    ...               generator=torch.Generator().manual_seed(0))
    >>> task = net.add_head(1, generator=torch.Generator().manual_seed(1))
    >>> path = ((0, 2), (3,))            # modules 0 and 2 of layer 0, module 3 of layer 1
    >>> net(torch.ones(6, 8), path, task).shape
    torch.Size([6, 1])
    """

    def __init__(self, n_features, *, n_layers=3, n_modules=10, module_units=20, generator=None):
        super().__init__()
        for name, value in (
            ("n_features", n_features),
            ("n_layers", n_layers),
            ("n_modules", n_modules),
            ("module_units", module_units),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        self.n_features = n_features
        self.n_layers = n_layers
        self.n_modules = n_modules
        self.module_units = module_units
        self.layers = nn.ModuleList(
            nn.ModuleList(
                _linear(n_features if layer == 0 else module_units, module_units, generator)
                for _ in range(n_modules)
            )
            for layer in range(n_layers)
        )
        self.heads = nn.ModuleList()
        self.register_buffer("input_scale", torch.ones(()))

    @property
    def n_tasks(self):
        """Number of output layers (tasks) added so far."""
        return len(self.heads)

    def add_head(self, n_outputs, *, generator=None):
        """Add the output layer of a new task and return the task's index.

        Parameters
        ----------
        n_outputs : int
            Output units (targets for regression, classes for classification).
        generator : torch.Generator or None, default=None
            Source of the initial weights.

        Returns
        -------
        task : int
        """
        device = self.input_scale.device
        self.heads.append(_linear(self.module_units, n_outputs, generator).to(device))
        return len(self.heads) - 1

    def set_input_scale(self, X):
        """Set the input scale so that ``X`` has unit mean square (0 stays 1).

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, n_features)

        Returns
        -------
        self
        """
        rms = float(torch.sqrt(torch.mean(X.double() ** 2)))
        scale = 1.0 / rms if rms > 0 and math.isfinite(rms) else 1.0
        self.input_scale.fill_(scale)
        return self

    def reset_modules(self, keep, *, generator=None):
        """Draw new initial weights for every module not marked in ``keep``.

        Parameters
        ----------
        keep : array-like of bool, shape (n_layers, n_modules)
            Modules left as they are (the frozen paths of earlier tasks).
        generator : torch.Generator or None, default=None

        Returns
        -------
        self
        """
        for layer, row in zip(self.layers, keep):
            for module, kept in zip(layer, row):
                if not kept:
                    _init_linear(module, generator)
        return self

    def set_frozen(self, frozen):
        """Switch gradients off on the modules marked in ``frozen``, on elsewhere.

        Parameters
        ----------
        frozen : array-like of bool, shape (n_layers, n_modules)

        Returns
        -------
        self
        """
        for layer, row in zip(self.layers, frozen):
            for module, is_frozen in zip(layer, row):
                module.requires_grad_(not bool(is_frozen))
        return self

    def trunk(self, x, path):
        """The last layer's summed output along ``path`` (before any head).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
        path : sequence of sequences of int
            ``path[l]``: the indices of the active modules of layer ``l``, each once.

        Returns
        -------
        torch.Tensor of shape (n_samples, module_units)
        """
        hidden = x * self.input_scale
        for layer, active in zip(self.layers, path):
            # Summed in ascending module order: the same path always gives the same bits.
            total = None
            for index in active:
                module = layer[index]
                # F.linear, not module(...): a step runs a dozen modules, and the hooks
                # machinery of Module.__call__ would cost more than the small ones.
                out = F.relu(F.linear(hidden, module.weight, module.bias))
                total = out if total is None else total + out
            hidden = total
        return hidden

    def forward(self, x, path, task):
        """Output of task ``task``'s head along ``path``.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
        path : sequence of sequences of int
            Active module indices per layer (see :meth:`trunk`).
        task : int
            Index of the output layer.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_outputs)
        """
        return self.heads[task](self.trunk(x, path))
