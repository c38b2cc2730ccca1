"""A model folder's nets as one pool for the samplers: conv features side by side, and
one regression function over them.

The paper's twin nets (one per target) each have their own conv part. To choose one set
of frames to label for both targets, the pool row of a frame is its conv features from
every net, concatenated, and the regression function GSy, iGS and MCDUE query predicts
every target from that row: each net's dense part on its own slice. For a single (joint)
net this is just its features and its dense part.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ..featurizers import FrozenConvFeaturizer
from ..nets import dense_part


def target_names(nets):
    """The targets the nets predict, in order: ``{"valence+arousal": net}`` gives both."""
    return [name for key in nets for name in key.split("+")]


def featurizers(nets, *, batch_size=64):
    """One fitted :class:`FrozenConvFeaturizer` per net."""
    return [FrozenConvFeaturizer(net, batch_size=batch_size).fit() for net in nets.values()]


def pool_features(fitted, faces):
    """Each featurizer's conv features of ``faces``, side by side: ``(n, sum of widths)``."""
    return np.concatenate([featurizer.transform(faces) for featurizer in fitted], axis=1)


class _SideBySideHeads(nn.Module):
    """Each head on its own slice of the input; the outputs concatenated."""

    def __init__(self, heads, widths):
        super().__init__()
        self.heads = nn.ModuleList(heads)
        self.widths = [int(w) for w in widths]

    def forward(self, x):
        parts = torch.split(x, self.widths, dim=1)
        return torch.cat([head(part) for head, part in zip(self.heads, parts)], dim=1)


def _input_width(head):
    """Width of the flat features a head takes: its first module's ``in_features``."""
    for module in head.modules():
        width = getattr(module, "in_features", None)
        if isinstance(width, int):
            return width
    raise ValueError(f"cannot tell the input width of the head {type(head).__name__}.")


def regression_function(nets, *, device="cpu"):
    """A fitted skorch net predicting every target from :func:`pool_features` rows.

    Its dense layers are copies of the nets' (dropout included, for MCDUE), so querying it
    never changes the nets.
    """
    from skorch import NeuralNetRegressor

    heads = [copy.deepcopy(dense_part(net.module_)) for net in nets.values()]
    # The head's input width (a mini-Xception's head starts with its map, not a Linear).
    widths = [_input_width(head) for head in heads]
    module = _SideBySideHeads(heads, widths)
    net = NeuralNetRegressor(
        module, train_split=None, device=device, batch_size=256, verbose=0
    ).initialize()
    net.module_.eval()  # as the nets predict (dropout off, batch norm frozen)
    return net
