"""The frozen conv layers of a pre-trained net, as a scikit-learn transformer."""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.utils.data import DataLoader

from ._frozen import clone_sharing_pretrained, pretrained_module, shallow_params
from ._validation import check_images, is_dataset, positive_int
from .nets import check_backbone, conv_layers, conv_part, min_image_size

__all__ = ["FrozenConvFeaturizer"]

_POOLINGS = ("flatten", "mean", "max")


def _module_device(module):
    for tensor in module.parameters():
        return tensor.device
    return torch.device("cpu")


def _first_item(batch):
    return batch[0] if isinstance(batch, (tuple, list)) else batch


class _Reached(Exception):
    """Raised by a forward hook to stop the pass once the chosen layer has run."""

    def __init__(self, output):
        super().__init__()
        self.output = output


def _run_to(model, layer, x):
    """The output of ``layer`` (a submodule of ``model``) on ``x``; later layers never run."""

    def stop(module, inputs, output):
        raise _Reached(output)

    handle = layer.register_forward_hook(stop)
    try:
        model(x)
    except _Reached as reached:
        return reached.output
    finally:
        handle.remove()
    raise RuntimeError("the forward pass of the conv part never reached the chosen layer.")


def _pool(maps, pooling):
    if maps.dim() != 4:
        raise ValueError(
            f"the chosen layer gives outputs of shape {tuple(maps.shape)}, not feature maps "
            "(N, C, h, w)."
        )
    if pooling == "mean":
        return maps.mean(dim=(2, 3))
    if pooling == "max":
        return maps.amax(dim=(2, 3))
    return maps.flatten(1)


def _layer_path(conv, layer_module, owner, layer):
    for path, module in conv.named_modules():
        if module is layer_module:
            return path
    raise TypeError(
        f"{owner}.conv_layers()[{layer!r}] is not a submodule of its conv_part(): the "
        "frozen part never computes it."
    )


def _ends_in_flatten(conv):
    return isinstance(conv, nn.Sequential) and len(conv) and isinstance(conv[-1], nn.Flatten)


class FrozenConvFeaturizer(TransformerMixin, BaseEstimator):
    """Images in, the pre-trained net's conv features out.

    The feature extractor of Rescigno et al. (2020, Section 3.3, Fig. 3): by default the
    frozen part of the backbone (:func:`~sklearn_fer.nets.conv_part`); for a fitted
    :class:`~sklearn_fer.AlexNetRegressor` the input stage, the five conv layers, the 6x6
    pooling and the flatten, 9216 float32 values per image. ``fit`` takes a private copy
    of those layers (so the pre-trained net is never modified, and later changes to it do
    not leak in); ``transform`` runs them in batches under :func:`torch.inference_mode`,
    with no autograd.

    ``layer`` picks any named conv layer instead (Zhou & Shi 2017 find the higher layers'
    maps selective to facial action units): AlexNet's ``conv1`` ... ``conv5`` (each after
    its ReLU), Xception's ``block1`` ... ``block14``, the mini-Xception's ``conv1``,
    ``conv2``, ``module1`` ... ``module4``; the pass stops there. ``pooling`` keeps every
    position of each map (``"flatten"``) or one value per map (``"mean"``, ``"max"``).

    Inside ``Pipeline(memory=...)`` the features are computed once and reused by every fit
    of a grid search: put this transformer first and a
    :class:`~sklearn_fer.DenseHeadRegressor` after it.

    Parameters
    ----------
    pretrained : AlexNetRegressor, BackboneClassifier or torch.nn.Module
        A fitted net whose module follows the backbone protocol (see
        :func:`~sklearn_fer.nets.check_backbone`). Shared, not copied, by ``clone``; its
        own parameters are not exposed through ``get_params``.
    layer : str or None, default=None
        Name of the conv layer whose maps are the features (one of
        :func:`~sklearn_fer.nets.conv_layers`); None takes the whole frozen part.
    pooling : {"flatten", "mean", "max"}, default="flatten"
        ``"flatten"`` keeps every position of every map; ``"mean"`` and ``"max"`` reduce
        each map to one value (global average or max pooling), one feature per map.
    batch_size : int, default=64
        Images per forward pass.
    device : str or None, default=None
        Torch device for the conv layers; None uses the pre-trained net's device.

    Attributes
    ----------
    conv_ : torch.nn.Module
        The frozen copy of the conv part, in eval mode, gradients off.
    device_ : torch.device
        Where ``conv_`` runs.
    n_features_out_ : int
        Number of features per image (9216 for AlexNet).
    feature_map_shape_ : tuple of (int, int, int) or None
        ``(channels, height, width)`` of the maps the features come from ((256, 6, 6)
        for AlexNet's frozen part), when known.
    layer_path_ : str or None
        Where the chosen layer sits in ``conv_``; None for the whole frozen part.
    min_image_size_ : int
        Smallest image side the backbone takes.

    Notes
    -----
    With ``pooling="flatten"``, the number of features of an intermediate layer depends
    on the image size: ``fit(X)`` measures it on ``X``, and ``transform`` refuses images
    whose features would have another width.

    See Also
    --------
    DenseHeadRegressor : fine-tunes the dense layers on these features.

    References
    ----------
    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor, FrozenConvFeaturizer
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(4, 64, 64, 3), dtype=np.uint8)
    >>> general = AlexNetRegressor(max_epochs=1, module__hidden_units=16, random_state=0)
    >>> general = general.fit(images, rng.uniform(-1, 1, size=4))
    >>> features = FrozenConvFeaturizer(general).fit_transform(images)
    >>> features.shape, features.dtype
    ((4, 9216), dtype('float32'))
    >>> conv3 = FrozenConvFeaturizer(general, layer="conv3", pooling="mean").fit(images)
    >>> conv3.transform(images).shape, conv3.get_feature_names_out()[:2].tolist()
    ((4, 384), ['conv3_map000', 'conv3_map001'])
    """

    _parameter_constraints: dict = {
        # a fitted net or a torch module, checked at fit by pretrained_module
        "pretrained": "no_validation",
        "layer": [str, None],  # one of the backbone's conv_layers(), checked at fit
        "pooling": [StrOptions(set(_POOLINGS))],
        "batch_size": [positive_int()],
        "device": "no_validation",  # str, torch.device or None: torch's
    }

    def __init__(self, pretrained, *, layer=None, pooling="flatten", batch_size=64, device=None):
        self.pretrained = pretrained
        self.layer = layer
        self.pooling = pooling
        self.batch_size = batch_size
        self.device = device

    def get_params(self, deep=True):
        return shallow_params(super().get_params(deep=deep))

    def __sklearn_clone__(self):
        return clone_sharing_pretrained(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Copy and freeze the pre-trained conv layers; nothing is learnt from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, 3), optional
            Checked if given, otherwise unused.
        y : None
            Unused.

        Returns
        -------
        self
        """
        source = check_backbone(pretrained_module(self.pretrained, type(self).__name__))
        min_size = min_image_size(source)
        if X is not None:
            X = check_images(X, min_size=min_size)
        if self.device is not None:
            device = torch.device(self.device)
        elif getattr(self.pretrained, "device", None) is not None and not isinstance(
            self.pretrained, nn.Module
        ):
            device = torch.device(self.pretrained.device)
        else:
            device = _module_device(source)
        original = conv_part(source)
        layer_path = self._chosen_layer(source, original)
        conv = copy.deepcopy(original).to(device)
        conv.eval().requires_grad_(False)
        self.conv_, self.device_, self.layer_path_ = conv, device, layer_path
        self.min_image_size_ = min_size
        self._probe(self._probe_images(X, min_size, device))
        return self

    def _chosen_layer(self, source, original):
        if self.layer is None:
            if self.pooling != "flatten" and not _ends_in_flatten(original):
                raise ValueError(
                    f"pooling={self.pooling!r} needs feature maps, but the conv part of "
                    f"{type(source).__name__} does not end in a Flatten: choose a layer."
                )
            return None
        layers = conv_layers(source)
        if self.layer not in layers:
            raise ValueError(
                f"unknown layer {self.layer!r} for {type(source).__name__}; its conv "
                f"layers are {list(layers)}."
            )
        return _layer_path(original, layers[self.layer], type(source).__name__, self.layer)

    @staticmethod
    def _probe_images(X, min_size, device):
        # One image of the fitted size (or the smallest accepted) to read the shapes off.
        if X is not None and not is_dataset(X):
            height, width = X.shape[1:3]
        else:
            height = width = min_size
        return torch.zeros(1, height, width, 3, dtype=torch.uint8, device=device)

    def _probe(self, probe):
        with torch.inference_mode():
            if self.layer_path_ is None and _ends_in_flatten(self.conv_):
                maps = self.conv_[:-1](probe)
            elif self.layer_path_ is None:
                maps = None
            else:
                maps = _run_to(self.conv_, self.conv_.get_submodule(self.layer_path_), probe)
            if maps is not None and maps.dim() == 4:
                self.feature_map_shape_ = tuple(int(v) for v in maps.shape[1:])
            else:
                self.feature_map_shape_ = None
            self.n_features_out_ = int(self._forward(probe).shape[1])

    def _forward(self, batch):
        if self.layer_path_ is None and self.pooling == "flatten":
            return self.conv_(batch)  # the whole frozen part, exactly as the paper's
        if self.layer_path_ is None:
            return _pool(self.conv_[:-1](batch), self.pooling)
        layer = self.conv_.get_submodule(self.layer_path_)
        return _pool(_run_to(self.conv_, layer, batch), self.pooling)

    def transform(self, X):
        """Compute the conv features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, 3) or torch Dataset
            uint8 RGB images (floating ones on the [0, 1] scale), at least the backbone's
            ``min_image_size`` (63 px for AlexNet), or a Dataset of images or
            ``(image, target)`` pairs.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_), float32
        """
        check_is_fitted(self, "conv_")
        X = check_images(X, min_size=self.min_image_size_)
        out = np.empty((len(X), self.n_features_out_), dtype=np.float32)
        with torch.inference_mode():
            for start, batch in self._batches(X):
                features = self._forward(batch.to(self.device_, non_blocking=True))
                if features.shape[1] != self.n_features_out_:
                    raise ValueError(
                        f"images of {tuple(batch.shape[1:3])} px give {features.shape[1]} "
                        f"features, but this featurizer was fitted for {self.n_features_out_}"
                        ": fit it on images of this size (fit(X))."
                    )
                out[start : start + len(batch)] = features.cpu().numpy()
        return out

    def _batches(self, X):
        if is_dataset(X):
            start = 0
            # A private generator: DataLoader would otherwise draw from torch's global one.
            loader = DataLoader(
                X, batch_size=self.batch_size, shuffle=False, generator=torch.Generator()
            )
            for batch in loader:
                images = torch.as_tensor(_first_item(batch))
                yield start, images
                start += len(images)
            return
        for start in range(0, len(X), self.batch_size):
            batch = X[start : start + self.batch_size]
            if not batch.flags.writeable or not batch.flags.c_contiguous:
                batch = np.array(batch)  # torch refuses to share read-only memory quietly
            yield start, torch.from_numpy(batch)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        For the whole frozen part (``layer=None``) these are ``ch{c}_y{i}_x{j}``:
        channel ``c`` at row ``i`` and column ``j`` of the map that is flattened (AlexNet's
        pooled 256x6x6), or ``ch{c}`` with ``"mean"``/``"max"`` pooling. For a named layer
        they carry its name and a zero-padded map number: ``conv5_map017_r2c3`` (map 17,
        row 2, column 3) or ``conv5_map017`` when each map is pooled to one value, so
        feature maps can be selected by name and several layers combined without clashes.

        Parameters
        ----------
        input_features : None
            Unused: the input is images.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "conv_")
        if self.feature_map_shape_ is None:
            names = [f"conv{i}" for i in range(self.n_features_out_)]
            return np.asarray(names, dtype=object)
        channels, height, width = self.feature_map_shape_
        if self.layer is None:
            maps = [f"ch{c}" for c in range(channels)]
            position = "_y{i}_x{j}"
        else:
            digits = max(3, len(str(channels - 1)))
            maps = [f"{self.layer}_map{c:0{digits}d}" for c in range(channels)]
            position = "_r{i}c{j}"
        if self.pooling != "flatten":
            return np.asarray(maps, dtype=object)
        names = [
            name + position.format(i=i, j=j)
            for name in maps
            for i in range(height)
            for j in range(width)
        ]
        return np.asarray(names, dtype=object)
