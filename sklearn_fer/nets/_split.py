"""The conv/dense split: the frozen feature part of a network and its trainable head."""

from __future__ import annotations

from torch import nn


def _split_error(module):
    return TypeError(
        f"cannot split {type(module).__name__} into conv and dense parts: expected a module "
        "with conv_part() and dense_part() methods, or torchvision-style 'features', "
        "'avgpool' and 'classifier' children."
    )


def conv_part(module):
    """Return the convolutional part of a network: images in, flat features out.

    For :class:`AlexNet` this is the input stage, the five conv layers, the 6x6 pooling and
    the flatten (9216 values per image), i.e. everything the paper freezes (Section 3.3,
    Fig. 3). Any module with a ``conv_part()`` method, or torchvision-style ``features``,
    ``avgpool`` and ``classifier`` children, can be split, so other backbones plug in.

    Parameters
    ----------
    module : torch.nn.Module
        The whole network.

    Returns
    -------
    torch.nn.Module
        A module sharing its parameters with ``module``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_fer.nets import AlexNet
    >>> conv = conv_part(AlexNet())
    >>> conv(torch.zeros(1, 64, 64, 3, dtype=torch.uint8)).shape
    torch.Size([1, 9216])
    """
    if hasattr(module, "conv_part"):
        return module.conv_part()
    if all(hasattr(module, name) for name in ("features", "avgpool", "classifier")):
        return nn.Sequential(module.features, module.avgpool, nn.Flatten(1))
    raise _split_error(module)


def dense_part(module):
    """Return the dense part of a network: flat features in, predictions out.

    Parameters
    ----------
    module : torch.nn.Module
        The whole network, split as in :func:`conv_part`.

    Returns
    -------
    torch.nn.Module
        A module sharing its parameters with ``module``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_fer.nets import AlexNet
    >>> dense = dense_part(AlexNet(hidden_units=8))
    >>> dense(torch.zeros(3, 9216)).shape
    torch.Size([3, 1])
    """
    if hasattr(module, "dense_part"):
        return module.dense_part()
    if all(hasattr(module, name) for name in ("features", "avgpool", "classifier")):
        return module.classifier
    raise _split_error(module)
