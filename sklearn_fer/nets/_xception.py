"""Xception (Chollet 2017), the backbone of Nasri et al. (2020), in plain torch.

Layer names mirror those of Keras' reference implementation
(``keras.applications.Xception``), block by block, so that its weights (ImageNet, say)
map in by name; see the :class:`Xception` docstring for the table.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from ._input import ImageInput
from ._layers import SameMaxPool2d, SeparableConv2d, keras_batch_norm

#: Keras' "tf" preprocessing: RGB on [0, 1] mapped to [-1, 1] (x / 127.5 - 1).
XCEPTION_MEAN = (0.5, 0.5, 0.5)
XCEPTION_STD = (0.5, 0.5, 0.5)


class _EntryStem(nn.Module):
    """block1: two plain 3x3 convolutions ("valid" padding, the first with stride 2)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, stride=2, bias=False)
        self.conv1_bn = keras_batch_norm(32)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.conv2_bn = keras_batch_norm(64)

    def forward(self, x):
        x = torch.relu(self.conv1_bn(self.conv1(x)))
        return torch.relu(self.conv2_bn(self.conv2(x)))


class _DownBlock(nn.Module):
    """Two separable convolutions and a strided max-pool, plus a strided 1x1 shortcut.

    The entry flow's blocks 2-4 and the exit flow's block 13. Each starts with a ReLU
    (Keras' block2 has none, but its input is block1's ReLU output, on which a ReLU is the
    identity).
    """

    def __init__(self, in_channels, mid_channels, out_channels):
        super().__init__()
        self.sepconv1 = SeparableConv2d(in_channels, mid_channels)
        self.sepconv1_bn = keras_batch_norm(mid_channels)
        self.sepconv2 = SeparableConv2d(mid_channels, out_channels)
        self.sepconv2_bn = keras_batch_norm(out_channels)
        self.pool = SameMaxPool2d(3, 2)
        self.residual = nn.Conv2d(in_channels, out_channels, 1, stride=2, bias=False)
        self.residual_bn = keras_batch_norm(out_channels)

    def forward(self, x):
        shortcut = self.residual_bn(self.residual(x))
        x = self.sepconv1_bn(self.sepconv1(torch.relu(x)))
        x = self.sepconv2_bn(self.sepconv2(torch.relu(x)))
        return self.pool(x) + shortcut


class _MiddleBlock(nn.Module):
    """Three ReLU -> separable conv -> batch-norm units with an identity shortcut."""

    def __init__(self, channels=728):
        super().__init__()
        for index in (1, 2, 3):
            self.add_module(f"sepconv{index}", SeparableConv2d(channels, channels))
            self.add_module(f"sepconv{index}_bn", keras_batch_norm(channels))

    def forward(self, x):
        out = x
        for index in (1, 2, 3):
            conv = getattr(self, f"sepconv{index}")
            norm = getattr(self, f"sepconv{index}_bn")
            out = norm(conv(torch.relu(out)))
        return out + x


class _ExitTail(nn.Module):
    """block14: separable convolutions to 1536 and 2048 channels, each with a ReLU."""

    def __init__(self):
        super().__init__()
        self.sepconv1 = SeparableConv2d(1024, 1536)
        self.sepconv1_bn = keras_batch_norm(1536)
        self.sepconv2 = SeparableConv2d(1536, 2048)
        self.sepconv2_bn = keras_batch_norm(2048)

    def forward(self, x):
        x = torch.relu(self.sepconv1_bn(self.sepconv1(x)))
        return torch.relu(self.sepconv2_bn(self.sepconv2(x)))


def _blocks():
    blocks = [
        ("block1", _EntryStem()),
        ("block2", _DownBlock(64, 128, 128)),
        ("block3", _DownBlock(128, 256, 256)),
        ("block4", _DownBlock(256, 728, 728)),
    ]
    blocks += [(f"block{index}", _MiddleBlock(728)) for index in range(5, 13)]
    blocks += [("block13", _DownBlock(728, 728, 1024)), ("block14", _ExitTail())]
    return OrderedDict(blocks)


class Xception(nn.Module):
    """Xception: depthwise-separable convolutions with residual connections (Chollet 2017).

    The entry flow (``block1`` to ``block4``), eight middle-flow blocks (``block5`` to
    ``block12``) and the exit flow (``block13``, ``block14``), then global average
    pooling to 2048 features and a linear head with ``n_outputs`` units. Nasri et al.
    (2020) fine-tune this network on AffectNet to recognise seven expressions. Any input
    of at least 71 px works (Keras' minimum); 299 px is the native size.

    Parameters
    ----------
    n_outputs : int, default=1
        Output units: one per regression target, or one per class.
    dropout : float, default=0.5
        Dropout probability before the linear head (Monte-Carlo dropout needs one); 0
        leaves it out, as in Chollet's network.
    mean, std : tuple of 3 float, default=(0.5, 0.5, 0.5)
        Input normalisation on the [0, 1] scale; the default maps RGB to [-1, 1], Keras'
        preprocessing for Xception.

    Attributes
    ----------
    input : ImageInput
        uint8 NHWC images -> normalised float NCHW.
    features : torch.nn.Sequential
        The 14 blocks, named ``block1`` ... ``block14``: the named conv layers of
        :func:`~sklearn_fer.nets.conv_layers`.
    avgpool : torch.nn.AdaptiveAvgPool2d
        Global average pooling to 2048 values.
    classifier : torch.nn.Sequential
        The head: dropout (when ``dropout > 0``) and ``Linear(2048, n_outputs)``.
    min_image_size : int
        71.

    See Also
    --------
    MiniXception : the small Xception-style FER2013 network of Arriaga et al. (2017).

    Notes
    -----
    **Parameter names.** Each Keras layer ``block{k}_{name}`` is the torch module
    ``features.block{k}.{name}``: ``block1_conv1`` -> ``features.block1.conv1``,
    ``block4_sepconv2_bn`` -> ``features.block4.sepconv2_bn``. Keras' unnamed shortcut
    convolutions (``conv2d``, ``conv2d_1``, ``conv2d_2``, ``conv2d_3`` and their
    ``batch_normalization*``) are ``features.block{2,3,4,13}.residual`` and
    ``.residual_bn``, in that order. A ``SeparableConv2D`` is split in two modules:
    ``depthwise_kernel`` ``(k, k, c, 1)`` -> ``....depthwise.weight`` ``(c, 1, k, k)``
    and ``pointwise_kernel`` ``(1, 1, c, o)`` -> ``....pointwise.weight``
    ``(o, c, 1, 1)``; a ``Conv2D`` kernel ``(k, k, c, o)`` becomes ``(o, c, k, k)``.
    BatchNormalization's ``gamma``, ``beta``, ``moving_mean``, ``moving_variance`` are
    ``weight``, ``bias``, ``running_mean``, ``running_var``, with Keras' epsilon 1e-3.
    Keras' "same" max-pooling pads bottom and right (:class:`SameMaxPool2d` here), so
    outputs agree exactly, not just in shape. 20,861,480 weights without the head, as
    Keras' ``Xception(include_top=False)`` reports.

    References
    ----------
    Chollet (2017). Xception: deep learning with depthwise separable convolutions. CVPR.

    Nasri, Hmani, Mtibaa, Petrovska-Delacretaz, Ben Slima & Ben Hamida (2020). Face
    emotion recognition from static image based on convolution neural networks. ATSIP.

    Examples
    --------
    >>> import torch
    >>> net = Xception(n_outputs=7).eval()
    >>> net(torch.zeros(2, 71, 71, 3, dtype=torch.uint8)).shape
    torch.Size([2, 7])
    >>> list(net.features.named_children())[3][0]
    'block4'
    """

    min_image_size = 71

    def __init__(self, n_outputs=1, *, dropout=0.5, mean=XCEPTION_MEAN, std=XCEPTION_STD):
        super().__init__()
        if not isinstance(n_outputs, int) or isinstance(n_outputs, bool) or n_outputs < 1:
            raise ValueError(f"n_outputs must be a positive int, got {n_outputs!r}.")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        self.input = ImageInput(mean, std)
        self.features = nn.Sequential(_blocks())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        head = [nn.Dropout(p=dropout)] if dropout > 0 else []
        self.classifier = nn.Sequential(*head, nn.Linear(2048, n_outputs))

    def forward(self, x):
        x = self.avgpool(self.features(self.input(x)))
        return self.classifier(torch.flatten(x, 1))

    def conv_part(self):
        """Return the frozen part: input stage, the 14 blocks, global pooling, flatten.

        Returns
        -------
        torch.nn.Sequential
            Sharing its parameters with this net.
        """
        return nn.Sequential(self.input, self.features, self.avgpool, nn.Flatten(1))

    def dense_part(self):
        """Return the head (``classifier``), sharing its parameters with this net.

        Returns
        -------
        torch.nn.Sequential
        """
        return self.classifier

    def conv_layers(self):
        """Return the named conv layers: ``block1`` ... ``block14``.

        Returns
        -------
        dict of str to torch.nn.Module
            Each block, whose output is a feature map.
        """
        return dict(self.features.named_children())
