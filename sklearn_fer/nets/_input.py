"""The input stage every backbone starts with: uint8 NHWC images -> normalised NCHW."""

from __future__ import annotations

import torch
from torch import nn

#: Per-channel RGB mean and standard deviation of ImageNet on the [0, 1] scale: the
#: normalisation torchvision's pre-trained AlexNet expects.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageInput(nn.Module):
    """Turn a batch of RGB images into normalised float NCHW tensors.

    Sitting inside the network, this stage lets raw ``uint8`` images go straight into
    ``fit``/``predict`` (and into scikit-learn's ``KFold`` indexing) and converts them on the
    compute device, where a ``uint8`` batch is a quarter of the size of its float version.

    Accepted layouts:

    * ``uint8`` tensors, channels last ``(N, H, W, 3)`` or channels first ``(N, 3, H, W)``,
      values in 0..255;
    * floating tensors in the same layouts, values already on the [0, 1] scale.

    Parameters
    ----------
    mean, std : tuple of 3 float, default=ImageNet's
        Per-channel normalisation on the [0, 1] scale. They are non-persistent buffers, so
        they never appear in a state dict (which stays torchvision-compatible).

    Examples
    --------
    >>> import torch
    >>> stage = ImageInput()
    >>> images = torch.zeros(2, 64, 64, 3, dtype=torch.uint8)
    >>> stage(images).shape
    torch.Size([2, 3, 64, 64])
    """

    def __init__(self, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        super().__init__()
        mean = torch.as_tensor(mean, dtype=torch.float32).reshape(1, 3, 1, 1)
        std = torch.as_tensor(std, dtype=torch.float32).reshape(1, 3, 1, 1)
        if not bool(torch.all(std > 0)):
            raise ValueError(
                f"std must be positive for every channel, got {std.flatten().tolist()}."
            )
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("std", std, persistent=False)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(
                f"ImageInput expects a 4-D batch (N, H, W, 3) or (N, 3, H, W), got shape "
                f"{tuple(x.shape)}."
            )
        if x.shape[-1] == 3 and x.shape[1] != 3:
            # Channels last: the permuted view keeps channels-last strides, which oneDNN's
            # convolutions handle without a copy.
            x = x.permute(0, 3, 1, 2)
        elif x.shape[1] != 3:
            raise ValueError(
                f"ImageInput expects 3 colour channels (RGB), got shape {tuple(x.shape)}."
            )
        if x.dtype == torch.uint8:
            x = x.to(self.mean.dtype).div_(255.0)
        elif not x.is_floating_point():
            raise TypeError(f"ImageInput expects uint8 or floating images, got {x.dtype}.")
        else:
            x = x.to(self.mean.dtype)
        return (x - self.mean) / self.std
