"""What the whole-network estimators share: a backbone by name, class or instance, on images.

``AlexNetRegressor`` and ``BackboneClassifier`` train a whole CNN on raw images. Their
``module`` is a registered backbone name (``"xception"``), a module class or an instance;
images are checked against the built module's ``min_image_size`` (63 px for AlexNet,
71 for Xception), which is only known once the module exists.
"""

from __future__ import annotations

from ._validation import check_image_size, check_images, dataset_yields_pairs, is_dataset
from .datasets._lazy import ImageTargetPairs
from .nets._backbone import min_image_size
from .nets._registry import accepts, backbone_factory, make_backbone


class _WholeNetMixin:
    """Left of a skorch bridge: builds ``module`` and checks images against it."""

    def _n_outputs_hint(self):  # pragma: no cover - abstract
        """Output units to build a fresh module with (None: the module's own)."""
        raise NotImplementedError

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        named = isinstance(self.module, str)
        factory = backbone_factory(self.module) if named else self.module
        n_outputs = self._n_outputs_hint()
        if (
            n_outputs is not None
            and (named or isinstance(factory, type))
            and "n_outputs" not in kwargs
            and accepts(factory, "n_outputs")
        ):
            kwargs["n_outputs"] = n_outputs
        if named:
            self.module_ = make_backbone(self.module, **kwargs)
        else:
            self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def _check_X(self, X, *, reset):
        # The size limit is the module's: checked once it is built (_check_image_size).
        X = check_images(X, min_size=1)
        if not reset:
            self._check_image_size(X)
            if is_dataset(X) and not dataset_yields_pairs(X):
                X = ImageTargetPairs(X)  # skorch's loaders want pairs even to predict
        return X

    def _check_initialized_input(self, X):
        self._check_image_size(X)

    def _check_image_size(self, X):
        if is_dataset(X):
            return  # items are checked when they are loaded
        check_image_size(X, min_image_size(self.module_))
