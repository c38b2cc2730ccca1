"""Fine-tuning a head without the inputs that are zero on every training row.

Post-ReLU conv features are often zero, and on the few frames a personal model is
trained on, many features are zero on *every* frame (at the quick profile's 64 px about
40% of AlexNet's 9216 on a subject's 48 training frames, 70% on 2 frames). Such a feature
gives its first-layer weights a zero gradient at every step; with a fresh SGD or Adam
optimiser and no weight decay a zero gradient leaves those weights and their optimiser
state exactly as they were, and their inputs contribute nothing to the outputs. So the
head trains the same function on the other columns only: the first layer's product,
its gradient and the optimiser's update shrink by the dead fraction. Dropout in front of
the layer still draws its mask over the full width, so the random stream, and hence the
fit, is the same up to float rounding (a sum over fewer zero terms).

:func:`dead_input_plan` decides whether a fit qualifies; :func:`pruned` trains on the live
columns and writes the weights and the optimiser state back at full width afterwards.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn

#: Modules that may precede the first linear layer: they act on each feature alone.
_ELEMENTWISE = (nn.Dropout, nn.Identity)

#: Fewer dead columns than this fraction are not worth the two copies of the weights.
MIN_DEAD_FRACTION = 0.125

#: Up to this many runs of consecutive live columns, copies go run by run as slices
#: (conv features die a channel, a run of columns, at a time); beyond, by index.
_MAX_RUNS = 256


class _Columns:
    """The live columns of a weight matrix: gathered out of it and scattered back."""

    def __init__(self, live, device):
        self.index = torch.as_tensor(live, dtype=torch.long, device=device)
        breaks = np.flatnonzero(np.diff(live) != 1) + 1
        starts, ends = np.r_[0, breaks], np.r_[breaks, len(live)]
        self.runs = None
        if len(starts) <= _MAX_RUNS:
            # (first, last + 1) in the full matrix, then in the reduced one
            self.runs = [
                (int(live[a]), int(live[a] + b - a), int(a), int(b)) for a, b in zip(starts, ends)
            ]

    def __len__(self):
        return len(self.index)

    def gather(self, full):
        """The live columns of ``full``, as a new contiguous matrix."""
        if self.runs is None:
            return full.index_select(1, self.index)
        return torch.cat([full[:, a:b] for a, b, _, _ in self.runs], dim=1)

    def scatter(self, reduced, into):
        """Write ``reduced``'s columns back into the live columns of ``into``."""
        if self.runs is None:
            return into.index_copy_(1, self.index, reduced)
        for a, b, start, stop in self.runs:
            into[:, a:b] = reduced[:, start:stop]
        return into


class _LiveColumns(nn.Module):
    """A linear layer that reads only the ``columns`` of its input."""

    def __init__(self, columns, linear):
        super().__init__()
        self.register_buffer("columns", columns, persistent=False)
        self.linear = linear

    def forward(self, x):
        return self.linear(x.index_select(1, self.columns))


def _first_linear(module, width):
    """Position of the layer that first mixes the features, if it is an ``nn.Linear``
    reached through elementwise layers only."""
    if not isinstance(module, nn.Sequential):
        return None
    for position, layer in enumerate(module):
        if type(layer) is nn.Linear:
            return position if layer.in_features == width else None
        if not isinstance(layer, _ELEMENTWISE):
            return None
    return None


def _zero_gradient_is_a_no_op(optimizer):
    """True for a fresh SGD or Adam without weight decay: a zero gradient moves nothing."""
    if optimizer.state or not isinstance(optimizer, (torch.optim.SGD, torch.optim.Adam)):
        return False
    return all(
        group.get("weight_decay", 0) == 0 and not group.get("decoupled_weight_decay", False)
        for group in optimizer.param_groups
    )


def dead_input_plan(net, X):
    """The live columns and the first layer's position, or None when pruning does not apply.

    It applies to a NumPy ``X`` whose dead columns are at least
    :data:`MIN_DEAD_FRACTION` of its width, a head that is an ``nn.Sequential`` reaching
    its first ``nn.Linear`` through dropout only, a fresh SGD or Adam without weight
    decay, and a net without user callbacks or optimiser parameter groups (which could
    hold the optimiser or the layer while it is replaced).
    """
    if not isinstance(X, np.ndarray) or X.ndim != 2 or len(X) == 0:
        return None
    if net.callbacks or any(key.startswith("optimizer__param_groups") for key in vars(net)):
        return None
    position = _first_linear(net.module_, X.shape[1])
    if position is None or not _zero_gradient_is_a_no_op(net.optimizer_):
        return None
    live = np.flatnonzero((X != 0).any(axis=0))
    if len(live) == 0 or len(live) > (1 - MIN_DEAD_FRACTION) * X.shape[1]:
        return None
    return position, live


def _widened(state, index, columns, shape):
    """``state`` (an optimiser's state dict) with parameter ``index``'s tensors scattered
    back into zeros of the full ``shape`` (the dead columns' state is exactly zero)."""
    entry = state["state"].get(index)
    if entry is None:
        return state
    reduced_shape = (shape[0], len(columns))
    for key, value in entry.items():
        if torch.is_tensor(value) and tuple(value.shape) == reduced_shape:
            entry[key] = columns.scatter(value, value.new_zeros(shape))
    return state


@contextlib.contextmanager
def pruned(net, plan):
    """Within the block, ``net.module_`` trains on the live columns only; afterwards the
    full layer holds the trained weights and ``net.optimizer_`` the full-width state."""
    position, live = plan
    module = net.module_
    full = module[position]
    columns = _Columns(live, full.weight.device)
    # skip_init: the weights are copied in, and initialising them would draw from
    # torch's global generator, which a seeded fit leaves untouched.
    reduced = nn.utils.skip_init(
        nn.Linear,
        len(live),
        full.out_features,
        bias=full.bias is not None,
        device=full.weight.device,
        dtype=full.weight.dtype,
    )
    with torch.no_grad():
        reduced.weight = nn.Parameter(columns.gather(full.weight))
        if full.bias is not None:
            reduced.bias.copy_(full.bias)
    module[position] = _LiveColumns(columns.index, reduced)
    net.initialize_optimizer()
    # The optimiser lists the parameters in the module's order, so the full layer's
    # weight takes the reduced one's place in the state dict.
    params = [p for group in net.optimizer_.param_groups for p in group["params"]]
    index = next(i for i, p in enumerate(params) if p is reduced.weight)
    try:
        yield
    finally:
        with torch.no_grad():
            columns.scatter(reduced.weight, full.weight)
            if full.bias is not None:
                full.bias.copy_(reduced.bias)
        module[position] = full
        state = net.optimizer_.state_dict()
        net.initialize_optimizer()
        net.optimizer_.load_state_dict(_widened(state, index, columns, tuple(full.weight.shape)))
