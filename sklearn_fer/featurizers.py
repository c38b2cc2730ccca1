"""The frozen conv layers of a pre-trained net, as a scikit-learn transformer."""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.utils.data import DataLoader

from ._frozen import clone_sharing_pretrained, pretrained_module, shallow_params
from ._validation import check_images, check_positive_int, is_dataset
from .nets import MIN_IMAGE_SIZE, conv_part

__all__ = ["FrozenConvFeaturizer"]


def _module_device(module):
    for tensor in module.parameters():
        return tensor.device
    return torch.device("cpu")


def _first_item(batch):
    return batch[0] if isinstance(batch, (tuple, list)) else batch


class FrozenConvFeaturizer(TransformerMixin, BaseEstimator):
    """Images in, the pre-trained net's flattened conv features out.

    The feature extractor of Rescigno et al. (2020, Section 3.3, Fig. 3): the input stage,
    the five conv layers, the 6x6 pooling and the flatten of a fitted
    :class:`~sklearn_fer.AlexNetRegressor`, 9216 float32 values per image. ``fit`` takes a
    private copy of those layers (so the pre-trained net is never modified, and later
    changes to it do not leak in); ``transform`` runs them in batches under
    :func:`torch.inference_mode`, with no autograd.

    Inside ``Pipeline(memory=...)`` the features are computed once and reused by every fit
    of a grid search: put this transformer first and a
    :class:`~sklearn_fer.DenseHeadRegressor` after it.

    Parameters
    ----------
    pretrained : AlexNetRegressor or torch.nn.Module
        A fitted net whose module splits into conv and dense parts (see
        :func:`~sklearn_fer.nets.conv_part`). Shared, not copied, by ``clone``; its own
        parameters are not exposed through ``get_params``.
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
        ``(channels, height, width)`` of the map that is flattened ((256, 6, 6) for
        AlexNet), when the conv part ends in a flatten.

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
    """

    def __init__(self, pretrained, *, batch_size=64, device=None):
        self.pretrained = pretrained
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
        check_positive_int(self.batch_size, "batch_size")
        if X is not None:
            check_images(X)
        source = pretrained_module(self.pretrained, type(self).__name__)
        if self.device is not None:
            device = torch.device(self.device)
        elif getattr(self.pretrained, "device", None) is not None and not isinstance(
            self.pretrained, nn.Module
        ):
            device = torch.device(self.pretrained.device)
        else:
            device = _module_device(source)
        conv = copy.deepcopy(conv_part(source)).to(device)
        conv.eval().requires_grad_(False)
        probe = torch.zeros(1, MIN_IMAGE_SIZE, MIN_IMAGE_SIZE, 3, dtype=torch.uint8, device=device)
        with torch.inference_mode():
            self.feature_map_shape_ = self._feature_map_shape(conv, probe)
            self.n_features_out_ = int(conv(probe).shape[1])
        self.conv_ = conv
        self.device_ = device
        return self

    @staticmethod
    def _feature_map_shape(conv, probe):
        # (channels, height, width) of the map before the final flatten, for feature names.
        if isinstance(conv, nn.Sequential) and isinstance(conv[-1], nn.Flatten):
            out = conv[:-1](probe)
            if out.dim() == 4:
                return tuple(int(v) for v in out.shape[1:])
        return None

    def transform(self, X):
        """Compute the conv features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, 3) or torch Dataset
            uint8 RGB images (floating ones on the [0, 1] scale), at least 63 px, or a
            Dataset of images or ``(image, target)`` pairs.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_), float32
        """
        check_is_fitted(self, "conv_")
        X = check_images(X)
        out = np.empty((len(X), self.n_features_out_), dtype=np.float32)
        with torch.inference_mode():
            for start, batch in self._batches(X):
                features = self.conv_(batch.to(self.device_, non_blocking=True))
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

        For AlexNet these are ``ch{c}_y{i}_x{j}``: channel ``c`` at row ``i`` and column
        ``j`` of the pooled 256x6x6 map, so feature-map selection can be done by name.

        Parameters
        ----------
        input_features : None
            Unused: the input is images.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "conv_")
        if self.feature_map_shape_ is not None:
            channels, height, width = self.feature_map_shape_
            names = [
                f"ch{c}_y{i}_x{j}"
                for c in range(channels)
                for i in range(height)
                for j in range(width)
            ]
        else:
            names = [f"conv{i}" for i in range(self.n_features_out_)]
        return np.asarray(names, dtype=object)
