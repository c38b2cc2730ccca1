"""A fresh output layer for a pre-trained head that must predict other classes."""

from __future__ import annotations

from torch import nn


def _last_output_layer(head):
    found = (None, None)
    for name, module in head.named_modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            found = (name, module)
    return found


def replace_output_layer(head, n_units):
    """Replace the last Linear or Conv2d layer of ``head`` by a fresh one of ``n_units``.

    The new layer keeps the old one's input width, kernel, stride, padding and bias, on
    the same device and dtype, and is initialised by torch's default (from the global
    generator, which the estimators seed). Every other layer is kept as it is.
    """
    name, last = _last_output_layer(head)
    if last is None:
        raise TypeError(
            f"cannot give the head {n_units} output units: {type(head).__name__} has no "
            "Linear or Conv2d layer to replace; pass a pretrained net that labels its "
            "units, or give the head a last Linear layer."
        )
    bias = last.bias is not None
    if isinstance(last, nn.Linear):
        fresh = nn.Linear(last.in_features, n_units, bias=bias)
    else:
        if last.groups != 1:
            raise TypeError("cannot replace a grouped convolution as the output layer.")
        fresh = nn.Conv2d(
            last.in_channels,
            n_units,
            last.kernel_size,
            stride=last.stride,
            padding=last.padding,
            dilation=last.dilation,
            bias=bias,
            padding_mode=last.padding_mode,
        )
    fresh = fresh.to(device=last.weight.device, dtype=last.weight.dtype)
    if name == "":
        return fresh
    parent_name, _, child = name.rpartition(".")
    setattr(head.get_submodule(parent_name) if parent_name else head, child, fresh)
    return head
