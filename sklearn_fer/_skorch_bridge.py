"""What makes a skorch net a well-behaved scikit-learn regressor.

Input validation with messages that name the problem, 1-D targets that skorch would
otherwise broadcast wrongly, seeding from ``random_state`` in forked torch generators,
interrupts that propagate, and a short ``repr``. The estimators of this package subclass
:class:`_SklearnNetRegressor` and only say how they build their module and check ``X``.
"""

from __future__ import annotations

import inspect

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from skorch import NeuralNet, NeuralNetRegressor
from skorch.utils import to_numpy, to_tensor
from torch import nn
from torch.utils.data import DataLoader

from .._random import derive_seed, draw_seed, torch_rng
from .._validation import (
    check_targets,
    dataset_target_ndim,
    dataset_yields_pairs,
    is_dataset,
)
from ..datasets._lazy import ImageTargetPairs

_INIT_STREAM, _TRAIN_STREAM, _SHUFFLE_STREAM = 0, 1, 2


def _linear_layers(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def _same_value(a, b):
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def _short_repr(value):
    if isinstance(value, type):
        return value.__name__
    text = repr(value)
    # skorch's own nets and torch modules print multi-line trees: name them instead.
    return f"{type(value).__name__}(...)" if "\n" in text else text


class _SklearnNetRegressor(NeuralNetRegressor):
    """skorch regressor with scikit-learn's input handling, target shapes and seeding.

    * ``X`` and ``y`` are validated with messages that name the problem;
    * a 1-D ``y`` trains a 1-output net on ``(n, 1)`` targets (skorch would otherwise
      broadcast the MSE between ``(n, 1)`` predictions and ``(n,)`` targets into an
      ``(n, n)`` matrix) and ``predict`` returns 1-D again;
    * ``random_state`` seeds weight initialisation, batch order and dropout inside forked
      torch generators, leaving the caller's global RNG untouched.
    """

    # Defaults of skorch's ``**kwargs`` parameters that differ from skorch's own.
    _kwarg_defaults = {"iterator_train__shuffle": True}

    def __init__(self, module, *, random_state=None, **kwargs):
        for key, value in self._kwarg_defaults.items():
            kwargs.setdefault(key, value)
        super().__init__(module, **kwargs)
        self.random_state = random_state

    # -- validation ------------------------------------------------------------------
    def _check_X(self, X, *, reset):  # pragma: no cover - abstract
        raise NotImplementedError

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
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} target column(s) but the net has {self.n_outputs_} "
                "output unit(s)."
            )
        self.y_ndim_ = y_ndim
        return X, y

    def _default_y_ndim(self):
        return 1 if self.n_outputs_ == 1 else 2

    # -- seeding ---------------------------------------------------------------------
    def initialize(self):
        """Initialise the module, criterion, optimiser and callbacks (seeded).

        Returns
        -------
        self
        """
        seed = draw_seed(self.random_state)
        if seed is not None:
            seed = derive_seed(seed, _INIT_STREAM)
        with torch_rng(seed, self.device):
            super().initialize()
        outputs = _linear_layers(self.module_)
        if outputs:
            self.n_outputs_ = outputs[-1].out_features
        elif not hasattr(self, "n_outputs_"):
            self.n_outputs_ = 1
        self.y_ndim_ = self._default_y_ndim()
        return self

    def get_iterator(self, dataset, training=False):
        # Loaders get a private generator: torch's DataLoader otherwise draws a seed from
        # the global generator at every iteration, prediction included, which would disturb
        # a seeded fit running in another thread.
        prefix = "iterator_train" if training else "iterator_valid"
        iterator = self.iterator_train if training else self.iterator_valid
        kwargs = self.get_params_for(prefix)
        if iterator is DataLoader and "generator" not in kwargs:
            # Training loaders' generators are re-seeded at each epoch (run_single_epoch).
            # Not kept on the net: joblib.hash of a Generator is not stable, and Pipeline's
            # memory hashes the nets it holds.
            kwargs["generator"] = torch.Generator()
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        return iterator(dataset, **kwargs)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if not training:
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        seed = draw_seed(self.random_state)
        if seed is not None:
            # One stream per epoch, keyed by the epoch's number: batch order and dropout
            # masks depend only on (random_state, epoch), so successive partial_fit calls
            # draw fresh orders and a run resumed from a checkpoint replays the same ones.
            seed = derive_seed(seed, _TRAIN_STREAM, len(self.history))
        generator = getattr(iterator, "generator", None)
        if (
            isinstance(iterator, DataLoader)
            and generator is not None
            and "generator" not in self.get_params_for("iterator_train")
        ):
            shuffle_seed = (
                derive_seed(seed, _SHUFFLE_STREAM)
                if seed is not None
                else int(torch.empty((), dtype=torch.int64).random_().item())
            )
            generator.manual_seed(shuffle_seed)
        with torch_rng(seed, self.device):
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)

    def _train(self, X, y, routing_method, **fit_params):
        # skorch's partial_fit swallows KeyboardInterrupt and returns a half-trained net as
        # if fitting had finished; inside cross-validation or a study that would be saved
        # as a result. Here an interrupt propagates.
        self.notify("on_train_begin", X=X, y=y)
        self.fit_loop(X, y, _routing_method=routing_method, **fit_params)
        self.notify("on_train_end", X=X, y=y)
        return self

    # -- scikit-learn API ------------------------------------------------------------
    def fit(self, X, y=None, **fit_params):
        """Initialise the net (unless ``warm_start``) and train it for ``max_epochs``.

        Parameters
        ----------
        X : array-like or torch Dataset
            Training inputs (see the class docstring).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; None when ``X`` is a Dataset of ``(input, target)`` pairs.
        **fit_params : dict
            Passed on to skorch (the module's ``forward`` and ``train_split``).

        Returns
        -------
        self
        """
        reset = not (self.warm_start and self.initialized_)
        X, y = self._fit_prologue(X, y, reset=reset)
        return self._train(X, y, "fit", **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs without re-initialising.

        Parameters
        ----------
        X : array-like or torch Dataset
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; None when ``X`` is a Dataset.
        classes : None
            Unused, for API compatibility.
        **fit_params : dict
            Passed on to skorch.

        Returns
        -------
        self
        """
        X, y = self._fit_prologue(X, y, reset=not self.initialized_)
        return self._train(X, y, "partial_fit", **fit_params)

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
        self.check_is_fitted()
        X = self._check_X(X, reset=False)
        nonlinearity = self._get_predict_nonlinearity()
        batches = [
            to_numpy(nonlinearity(out[0] if isinstance(out, tuple) else out))
            for out in self.forward_iter(X, training=False)
        ]
        y_pred = np.concatenate(batches, 0)
        return y_pred.reshape(-1) if self.y_ndim_ == 1 else y_pred

    # A regressor has no class probabilities: hide skorch's predict_proba (hasattr is False).
    predict_proba = available_if(lambda self: False)(NeuralNet.predict_proba)

    def _get_param_names(self):
        # skorch lists its private ``_params_to_validate`` bookkeeping as a parameter; it is
        # rebuilt from the keyword arguments by __init__, so clone does not need it.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    def __repr__(self):
        defaults = {}
        for klass in (NeuralNet, type(self)):
            for name, param in inspect.signature(klass.__init__).parameters.items():
                if param.default is not inspect.Parameter.empty:
                    defaults[name] = param.default
        defaults.update(self._kwarg_defaults)
        parts = []
        for name, value in self.get_params(deep=False).items():
            if name.startswith("_") or name.startswith("callbacks__"):
                continue
            if name in defaults and _same_value(defaults[name], value):
                continue
            parts.append(f"{name}={_short_repr(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"
