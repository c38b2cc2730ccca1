"""What the head estimators share: a pre-trained backbone's head, fine-tuned on features.

``DenseHeadRegressor`` and ``DenseHeadClassifier`` take a fitted network as
``pretrained`` and train a copy of its head (:func:`~sklearn_fer.nets.dense_part`) on the
flat features :class:`~sklearn_fer.FrozenConvFeaturizer` computes. ``pretrained`` is
shared between clones and hidden from ``get_params(deep=True)`` (see ``_frozen.py``);
``module`` is hidden too, since the head is built from ``pretrained``.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.utils import check_array

from ._dead_inputs import dead_input_plan, pruned
from ._frozen import clone_sharing_pretrained, pretrained_module, shallow_params
from ._net import _SklearnNetMixin, input_width
from ._validation import is_dataset
from .nets import check_backbone, dense_part


class _HeadMixin:
    """Left of a skorch bridge: ``pretrained`` as a parameter, its head as the module."""

    #: ``pretrained`` replaces ``module`` (built from it), checked by
    #: :func:`~sklearn_fer._frozen.pretrained_module` at fit: a fitted net or a module.
    _parameter_constraints: dict = {
        **{k: v for k, v in _SklearnNetMixin._parameter_constraints.items() if k != "module"},
        "pretrained": "no_validation",
    }

    #: Train without the features that are zero on every training row when that is
    #: exact (sklearn_fer._dead_inputs); False trains on every column.
    _prune_dead_inputs = True

    def _get_param_names(self):
        return [name for name in super()._get_param_names() if name != "module"]

    def get_params(self, deep=True, **kwargs):
        return shallow_params(super().get_params(deep=deep, **kwargs))

    def __sklearn_clone__(self):
        return clone_sharing_pretrained(self)

    def set_params(self, **params):
        """Set parameters; ``pretrained`` takes effect at the next ``fit``/``initialize``.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self
        """
        if "pretrained" in params:
            # Stored as a plain attribute: skorch would otherwise try to register a torch
            # module given as pretrained as one of the net's trainable components.
            vars(self)["pretrained"] = params.pop("pretrained")
        return super().set_params(**params) if params else self

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # Features zero on every training row cannot move their weights: train without
        # them (the same fit up to float rounding; see sklearn_fer._dead_inputs).
        plan = dead_input_plan(self, X) if self._prune_dead_inputs else None
        if plan is None:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        with pruned(self, plan):
            return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def _source_module(self):
        source = pretrained_module(self.pretrained, type(self).__name__)
        return check_backbone(source)

    def _pretrained_head(self):
        """A trainable copy of the pre-trained head (the source is never modified)."""
        head = copy.deepcopy(dense_part(self._source_module()))
        # requires_grad may have been switched off on the source (a frozen backbone).
        return head.requires_grad_(True)

    def _expected_width(self):
        return input_width(dense_part(self._source_module()))

    def _check_X(self, X, *, reset):
        name = type(self).__name__
        if is_dataset(X):
            raise TypeError(
                f"{name} takes a 2-D array of conv features, not a Dataset; compute them "
                "with FrozenConvFeaturizer."
            )
        X = check_array(X, dtype=np.float32, input_name="X")
        fitted_width = getattr(self, "n_features_in_", None)
        expected = self._expected_width() if reset or fitted_width is None else fitted_width
        if expected is not None and X.shape[1] != expected:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} is expecting {expected} features "
                "as input (the pre-trained head's width); compute them with "
                "FrozenConvFeaturizer(pretrained)."
            )
        return X
