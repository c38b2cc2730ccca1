"""Building blocks shared by the Xception family, laid out as Keras lays them out.

Both Xception (Chollet 2017) and the mini-Xception (Arriaga et al. 2017) were published as
Keras models; these layers compute exactly what Keras' ``SeparableConv2D``,
``MaxPooling2D(padding="same")`` and ``BatchNormalization`` compute, so that Keras
weights map in one to one (see :func:`~sklearn_fer.nets.load_fer2013_mini_xception`).
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import nn

#: Keras' BatchNormalization epsilon (torch's default is 1e-5): it enters every output, so
#: Keras weights only reproduce Keras' outputs with it.
KERAS_BN_EPS = 1e-3


def keras_batch_norm(channels):
    """A BatchNorm2d with Keras' epsilon.

    The moving-average momentum stays torch's 0.1: it only sets how fast the running
    statistics follow the data during training. Keras' 0.99 (torch's 0.01) suits long
    GPU runs; over the few hundred steps of a CPU fine-tune it would leave the running
    statistics far from the data, and evaluation-mode outputs with them.
    """
    return nn.BatchNorm2d(channels, eps=KERAS_BN_EPS)


class SeparableConv2d(nn.Module):
    """Keras' ``SeparableConv2D`` with ``depth_multiplier=1`` and ``padding="same"``.

    A depthwise 3x3 convolution (one filter per input channel, ``depthwise``) followed by
    a pointwise 1x1 convolution (``pointwise``), neither with a bias. Keras stores the
    two kernels as ``depthwise_kernel`` ``(k, k, in, 1)`` and ``pointwise_kernel``
    ``(1, 1, in, out)``; torch's are ``(in, 1, k, k)`` and ``(out, in, 1, 1)``.

    Parameters
    ----------
    in_channels : int
        Input channels (the depthwise convolution keeps them).
    out_channels : int
        Output channels of the pointwise convolution.
    kernel_size : int, default=3
        Odd side of the depthwise kernel; "same" padding keeps the map's size.

    Examples
    --------
    >>> import torch
    >>> conv = SeparableConv2d(8, 16)
    >>> conv(torch.zeros(1, 8, 15, 15)).shape
    torch.Size([1, 16, 15, 15])
    >>> tuple(conv.depthwise.weight.shape), tuple(conv.pointwise.weight.shape)
    ((8, 1, 3, 3), (16, 8, 1, 1))
    """

    def __init__(self, in_channels, out_channels, kernel_size=3):
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class SameMaxPool2d(nn.Module):
    """Keras' ``MaxPooling2D(pool_size, strides, padding="same")``.

    Keras pads "same" asymmetrically: the output has ``ceil(n / stride)`` positions and
    any odd padding goes to the bottom and right. Torch's symmetric ``padding=1`` gives
    the same output size on even inputs but windows shifted by one pixel, so the padding
    is computed here per input size (with -inf, which max-pooling never picks).

    Parameters
    ----------
    kernel_size : int, default=3
        Side of the pooling window.
    stride : int, default=2
        Step between windows.

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
    >>> SameMaxPool2d(3, 2)(x)  # windows at rows/columns 0-2 and 2-3 (padded)
    tensor([[[[10., 11.],
              [14., 15.]]]])
    """

    def __init__(self, kernel_size=3, stride=2):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride

    def _padding(self, size):
        out = math.ceil(size / self.stride)
        total = max((out - 1) * self.stride + self.kernel_size - size, 0)
        return total // 2, total - total // 2

    def forward(self, x):
        top, bottom = self._padding(x.shape[-2])
        left, right = self._padding(x.shape[-1])
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom), value=-math.inf)
        return F.max_pool2d(x, self.kernel_size, self.stride)


class SquareMap(nn.Module):
    """Flat features back to their ``(channels, side, side)`` map, for a head that convolves.

    A backbone's frozen part ends in flat features (what the featurizer and the head
    estimators exchange); the mini-Xception's head is a convolution, so it starts by
    restoring the square map. ``in_features`` is the expected width when the map side is
    known (None infers it from the width).

    Parameters
    ----------
    channels : int
        Channels of the map.
    side : int or None, default=None
        Side of the square map; None infers it from each batch's width.

    Examples
    --------
    >>> import torch
    >>> SquareMap(128, 4)(torch.zeros(2, 2048)).shape
    torch.Size([2, 128, 4, 4])
    """

    def __init__(self, channels, side=None):
        super().__init__()
        self.channels = int(channels)
        self.side = None if side is None else int(side)
        self.in_features = None if side is None else self.channels * self.side * self.side

    def forward(self, x):
        width = x.shape[1]
        side = self.side if self.side is not None else math.isqrt(width // self.channels)
        if x.dim() != 2 or width != self.channels * side * side:
            raise ValueError(
                f"the head expects flat features of a {self.channels}-channel square map "
                f"({self.channels} x side x side values), got shape {tuple(x.shape)}."
            )
        return x.reshape(x.shape[0], self.channels, side, side)


def keras_weight_count(module):
    """Parameters plus BatchNorm moving statistics: what a Keras summary counts."""
    total = sum(p.numel() for p in module.parameters())
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d) and m.running_mean is not None:
            total += m.running_mean.numel() + m.running_var.numel()
    return int(total)
