"""Torch modules: the backbones, their image input stage, and the conv/dense split.

Every backbone takes raw RGB images (uint8 ``(N, H, W, 3)``, converted inside the module
by :class:`ImageInput`) and splits into a frozen feature part and a trainable head
(:func:`conv_part`, :func:`dense_part`), which is what the featurizer, the head
estimators and the samplers build on. One backbone per private module:

* ``_alexnet.py``: :class:`AlexNet`, the network of Rescigno et al. (2020), with
  torchvision's parameter names;
* ``_input.py``: :class:`ImageInput`;
* ``_split.py``: :func:`conv_part` and :func:`dense_part`.
"""

from ._alexnet import MIN_IMAGE_SIZE, AlexNet
from ._input import IMAGENET_MEAN, IMAGENET_STD, ImageInput
from ._split import conv_part, dense_part

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "MIN_IMAGE_SIZE",
    "AlexNet",
    "ImageInput",
    "conv_part",
    "dense_part",
]
