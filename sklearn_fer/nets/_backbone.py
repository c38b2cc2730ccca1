"""The backbone protocol: what a network offers so that every estimator can use it.

A *backbone* is a ``torch.nn.Module`` whose ``forward`` takes a batch of RGB images
(uint8 ``(N, H, W, 3)``, converted inside the module) and which offers:

==========================  ========  ==============================================
member                      required  what it is
==========================  ========  ==============================================
``conv_part()``             yes       the frozen feature part: images in, flat
                                      features ``(N, F)`` out
``dense_part()``            yes       the trainable head: ``(N, F)`` in, outputs out;
                                      ``dense_part()(conv_part()(x)) == module(x)``
``conv_layers()``           no        ``{name: submodule of conv_part()}``, each
                                      producing a feature map ``(N, C, h, w)``; what
                                      ``FrozenConvFeaturizer(layer=...)`` picks from
``min_image_size``          no        smallest height and width the net accepts
                                      (default 63, AlexNet's)
``classes``                 no        labels of the output units, when the network
                                      is a classifier of known labels
==========================  ========  ==============================================

Both parts share their parameters with the module (no copies). A torchvision-style
module with ``features``, ``avgpool`` and ``classifier`` children follows it too (its
conv layers are the ReLUs after each ``Conv2d`` of ``features``). Whether the head has
dropout (which Monte-Carlo dropout needs) is read off the head itself
(:func:`head_has_dropout`).
"""

from __future__ import annotations

from torch import nn

from ._alexnet import MIN_IMAGE_SIZE
from ._split import conv_part, dense_part

#: Dropout layers Monte-Carlo dropout can switch on.
DROPOUT_TYPES = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)

_REQUIRED = (
    (
        "conv_part",
        "a conv_part() method returning the frozen feature part (images -> flat features)",
    ),
    ("dense_part", "a dense_part() method returning the trainable head (flat features -> outputs)"),
)


def _torchvision_style(module):
    return all(hasattr(module, name) for name in ("features", "avgpool", "classifier"))


def check_backbone(module):
    """Check that a module follows the backbone protocol; return it unchanged.

    Parameters
    ----------
    module : torch.nn.Module
        The network (see the protocol in :mod:`sklearn_fer.nets`).

    Returns
    -------
    module : torch.nn.Module

    Raises
    ------
    TypeError
        Not a torch module, or missing what the protocol requires (the message lists
        what is missing), or a part that is not a torch module.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn_fer.nets import AlexNet
    >>> check_backbone(AlexNet(hidden_units=8)) is not None
    True
    >>> check_backbone(nn.Linear(3, 1))
    Traceback (most recent call last):
    ...
    TypeError: Linear does not follow the backbone protocol: it lacks a conv_part() ...
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"a backbone must be a torch.nn.Module, got {type(module).__name__}.")
    if not _torchvision_style(module):
        missing = [what for name, what in _REQUIRED if not callable(getattr(module, name, None))]
        if missing:
            raise TypeError(
                f"{type(module).__name__} does not follow the backbone protocol: it lacks "
                f"{' and '.join(missing)} (or torchvision-style 'features', 'avgpool' and "
                "'classifier' children); see sklearn_fer.nets.check_backbone."
            )
    for name, part in (("conv_part", conv_part), ("dense_part", dense_part)):
        value = part(module)
        if not isinstance(value, nn.Module):
            raise TypeError(
                f"{type(module).__name__}.{name}() must return a torch.nn.Module, got "
                f"{type(value).__name__}."
            )
    return module


def _torchvision_conv_layers(features):
    layers, children, count = {}, list(features.children()), 0
    for index, child in enumerate(children):
        if isinstance(child, nn.Conv2d):
            count += 1
            following = children[index + 1] if index + 1 < len(children) else None
            layers[f"conv{count}"] = following if isinstance(following, nn.ReLU) else child
    return layers


def conv_layers(module):
    """The named conv layers of a backbone, in forward order.

    Parameters
    ----------
    module : torch.nn.Module
        A backbone with a ``conv_layers()`` method, or a torchvision-style module whose
        ``features`` is a ``Sequential`` (its ``Conv2d`` layers, after their ReLU, are
        ``conv1``, ``conv2``, ...).

    Returns
    -------
    dict of str to torch.nn.Module
        Submodules of ``conv_part(module)`` whose outputs are feature maps.

    Raises
    ------
    TypeError
        When the module names no conv layers.

    Examples
    --------
    >>> from sklearn_fer.nets import AlexNet, Xception
    >>> list(conv_layers(AlexNet(hidden_units=8)))
    ['conv1', 'conv2', 'conv3', 'conv4', 'conv5']
    >>> list(conv_layers(Xception()))[-2:]
    ['block13', 'block14']
    """
    check_backbone(module)
    if callable(getattr(module, "conv_layers", None)):
        layers = module.conv_layers()
    elif _torchvision_style(module) and isinstance(module.features, nn.Sequential):
        layers = _torchvision_conv_layers(module.features)
    else:
        layers = None
    if not layers or not all(isinstance(m, nn.Module) for m in dict(layers).values()):
        raise TypeError(
            f"{type(module).__name__} names no conv layers: give it a conv_layers() method "
            "returning {name: submodule of conv_part()} to choose a layer."
        )
    return dict(layers)


def min_image_size(module):
    """Smallest image height and width a backbone accepts.

    Parameters
    ----------
    module : torch.nn.Module
        The network; its ``min_image_size`` attribute, else 63 (AlexNet's).

    Returns
    -------
    int

    Examples
    --------
    >>> from sklearn_fer.nets import AlexNet, Xception
    >>> min_image_size(AlexNet(hidden_units=8)), min_image_size(Xception())
    (63, 71)
    """
    size = getattr(module, "min_image_size", MIN_IMAGE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise TypeError(
            f"{type(module).__name__}.min_image_size must be a positive int, got {size!r}."
        )
    return size


def head_has_dropout(module):
    """Whether a backbone's head (its :func:`dense_part`) holds a dropout layer.

    Monte-Carlo dropout (MCDUE) switches those layers on; a head without any cannot be
    sampled that way.

    Parameters
    ----------
    module : torch.nn.Module
        The network.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklearn_fer.nets import AlexNet, MiniXception
    >>> head_has_dropout(AlexNet(hidden_units=8)), head_has_dropout(MiniXception())
    (True, False)
    """
    check_backbone(module)
    return any(isinstance(m, DROPOUT_TYPES) for m in dense_part(module).modules())
