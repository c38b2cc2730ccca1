"""What makes a skorch net a well-behaved scikit-learn regressor.

Input validation with messages that name the problem, and 1-D targets that skorch would
otherwise broadcast wrongly; seeding, loaders, interrupts and ``repr`` come from the
shared :class:`~sklearn_fer._net._SklearnNetMixin`. The regressors of this
package subclass :class:`_SklearnNetRegressor` and only say how they build their module
and check ``X``.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.metaestimators import available_if
from skorch import NeuralNet, NeuralNetRegressor
from skorch.utils import to_tensor

from .._net import _SklearnNetMixin, output_width
from .._validation import (
    check_targets,
    dataset_target_ndim,
    dataset_yields_pairs,
    is_dataset,
)
from ..datasets._lazy import ImageTargetPairs

__all__ = ["_SklearnNetRegressor"]


class _SklearnNetRegressor(_SklearnNetMixin, NeuralNetRegressor):
    """skorch regressor with scikit-learn's input handling, target shapes and seeding.

    * ``X`` and ``y`` are validated with messages that name the problem;
    * a 1-D ``y`` trains a 1-output net on ``(n, 1)`` targets (skorch would otherwise
      broadcast the MSE between ``(n, 1)`` predictions and ``(n,)`` targets into an
      ``(n, n)`` matrix) and ``predict`` returns 1-D again;
    * ``random_state`` seeds weight initialisation, batch order and dropout inside forked
      torch generators, leaving the caller's global RNG untouched.
    """

    # -- validation ------------------------------------------------------------------
    def _validate_fit(self, X, y):
        """Check ``X`` and ``y``; return them with the number of outputs and ``y``'s ndim."""
        X = self._check_X(X, reset=True)
        if is_dataset(X) and not dataset_yields_pairs(X):
            # A dataset of bare images (LazyImages, say) with the targets in y.
            y, was_1d = check_targets(y, len(X))
            return ImageTargetPairs(X, y), None, y.shape[1], 1 if was_1d else 2
        if is_dataset(X):
            if y is not None:
                raise ValueError(
                    "y must be None when X is a Dataset of (input, target) pairs: the "
                    "targets come from its items."
                )
            target_ndim = dataset_target_ndim(X)
            if target_ndim not in (0, 1):
                raise ValueError(
                    f"each target of the Dataset must be a scalar or a 1-D vector, got "
                    f"{target_ndim} dimensions."
                )
            n_outputs = 1 if target_ndim == 0 else int(np.shape(X[0][1])[0])
            return X, None, n_outputs, target_ndim + 1
        y, was_1d = check_targets(y, len(X))
        return X, y, y.shape[1], 1 if was_1d else 2

    def _fit_prologue(self, X, y, *, reset):
        X, y, n_outputs, y_ndim = self._validate_fit(X, y)
        if reset:
            # A hint for initialize_module; initialize() reads the real width off the module.
            self.n_outputs_ = n_outputs
            self.initialize()
            self._check_initialized_input(X)
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} target column(s) but the net has {self.n_outputs_} "
                "output unit(s)."
            )
        self.y_ndim_ = y_ndim
        return X, y

    def _default_y_ndim(self):
        return 1 if self.n_outputs_ == 1 else 2

    def _on_initialized(self):
        width = output_width(self.module_)
        if width is not None:
            self.n_outputs_ = width
        elif not hasattr(self, "n_outputs_"):
            self.n_outputs_ = 1
        self.y_ndim_ = self._default_y_ndim()

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        if y_true.dim() == 1 and y_pred.dim() == 2 and y_pred.shape[1] == 1:
            y_true = y_true.unsqueeze(1)
        if tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(
                f"the net predicts {y_pred.shape[1:].numel()} value(s) per sample but the "
                f"targets have {y_true.shape[1:].numel()}: give y one column per output unit."
            )
        return self.criterion_(y_pred, y_true.to(y_pred.dtype))

    def predict(self, X):
        """Predict the targets of ``X``.

        Parameters
        ----------
        X : array-like or torch Dataset
            Inputs, as for ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets), float32
            1-D when the net was fitted on a 1-D ``y``, as scikit-learn regressors do.
        """
        y_pred = self._predict_outputs(X)
        return y_pred.reshape(-1) if self.y_ndim_ == 1 else y_pred

    # A regressor has no class probabilities: hide skorch's predict_proba (hasattr is False).
    predict_proba = available_if(lambda self: False)(NeuralNet.predict_proba)
