"""What makes a skorch net a well-behaved scikit-learn estimator, regressor or classifier.

Seeding from ``random_state`` in forked torch generators, loaders that never draw from
torch's global generator, interrupts that propagate, parameters that ``clone`` can copy,
and a short ``repr``. :class:`_SklearnNetMixin` sits left of skorch's
``NeuralNetRegressor`` (``regressors/_regressor.py``) or ``NeuralNetClassifier``
(``classifiers/_classifier.py``); those add the target handling of their task, and the
estimators only say how they build their module and check ``X``.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Options
from skorch import NeuralNet
from skorch.utils import to_numpy
from torch import nn
from torch.utils.data import DataLoader

from ._random import derive_seed, draw_seed, torch_rng
from ._validation import RANDOM_STATE, NumberInterval

_INIT_STREAM, _TRAIN_STREAM, _SHUFFLE_STREAM = 0, 1, 2


def _linear_layers(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def output_width(module):
    """Units of a module's last Linear or conv layer (its outputs), or None."""
    width = None
    for m in module.modules():
        if isinstance(m, nn.Linear):
            width = m.out_features
        elif isinstance(m, nn.modules.conv._ConvNd):
            width = m.out_channels
    return width


def input_width(module):
    """Width of the flat features a head takes: its first ``in_features``, or None."""
    for m in module.modules():
        width = getattr(m, "in_features", None)
        if isinstance(width, int):
            return width
    return None


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


@contextlib.contextmanager
def _read_only_batches():
    """Silence torch's warning on read-only arrays (joblib's memmaps) in its collate step.

    The default collate turns each row into a tensor view and then stacks the views into
    a new batch: nothing writes to the read-only memory, so the warning is noise.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The given NumPy array is not writable", category=UserWarning
        )
        yield


class _SklearnNetMixin:
    """skorch with scikit-learn's seeding, parameters and fit flow (left of a skorch net).

    Subclasses define ``_check_X(X, reset=...)`` and ``_fit_prologue(X, y, reset=...)``
    (validation and target handling, which calls :meth:`initialize` when ``reset``), and
    may define ``_on_initialized()``, run after every initialisation.
    """

    # Defaults of skorch's ``**kwargs`` parameters that differ from skorch's own.
    _kwarg_defaults = {"iterator_train__shuffle": True}

    #: Constraints of the named parameters, checked at fit (and initialize) as
    #: scikit-learn does; the ``**kwargs`` ones are skorch's (names checked by skorch).
    _parameter_constraints: dict = {
        "module": "no_validation",  # a backbone name, module class or instance: skorch's
        "criterion": "no_validation",  # a torch criterion: skorch's
        "optimizer": "no_validation",  # a torch optimiser: skorch's
        "lr": [NumberInterval(Real, 0, None, closed="left")],
        "max_epochs": [NumberInterval(Integral, 0, None, closed="left")],
        # -1: skorch's whole data set in one batch
        "batch_size": [NumberInterval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
        "train_split": [callable, None],
        "verbose": ["verbose"],
        "device": "no_validation",  # str, torch.device or None: torch's
        "random_state": RANDOM_STATE,
    }

    def __init__(self, module, *, random_state=None, **kwargs):
        for key, value in self._kwarg_defaults.items():
            kwargs.setdefault(key, value)
        super().__init__(module, **kwargs)
        self.random_state = random_state

    def _check_X(self, X, *, reset):  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit_prologue(self, X, y, *, reset):  # pragma: no cover - abstract
        raise NotImplementedError

    def _on_initialized(self):
        """Hook run after each (seeded) initialisation."""

    def _check_initialized_input(self, X):
        """Checks of the training input that need the built module (image sizes, say)."""

    def _validate_params(self):
        """scikit-learn's check of ``_parameter_constraints``, then skorch's own.

        The constraints check the values of the named parameters, which skorch would take
        silently (a NaN rate) or fail on late. skorch's ``_validate_params`` (same name,
        its own machinery) checks the names of the ``**kwargs`` parameters
        (``module__*``, ``iterator_train__*``...) against the components it has
        registered, so it runs once they exist (skorch calls it again at the end of
        ``initialize``).
        """
        BaseEstimator._validate_params(self)
        if self._modules:
            super()._validate_params()

    # -- seeding ---------------------------------------------------------------------
    def initialize(self):
        """Initialise the module, criterion, optimiser and callbacks (seeded).

        Returns
        -------
        self
        """
        self._validate_params()
        seed = draw_seed(self.random_state)
        if seed is not None:
            seed = derive_seed(seed, _INIT_STREAM)
        with torch_rng(seed, self.device):
            super().initialize()
        self._on_initialized()
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
        with torch_rng(seed, self.device), _read_only_batches():
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)

    def forward_iter(self, X, training=False, device="cpu"):
        with _read_only_batches():
            yield from super().forward_iter(X, training=training, device=device)

    def _predict_outputs(self, X, check_batch=None):
        """The fitted net's outputs on ``X`` through its prediction nonlinearity, as one array.

        The one predict loop of the regressors and the classifiers: ``X`` checked as for
        ``fit``, then run batch by batch through :meth:`forward_iter`; ``check_batch``, if
        given, sees each batch's raw outputs first.
        """
        self.check_is_fitted()
        X = self._check_X(X, reset=False)
        nonlinearity = self._get_predict_nonlinearity()
        batches = []
        for out in self.forward_iter(X, training=False):
            out = out[0] if isinstance(out, tuple) else out
            if check_batch is not None:
                check_batch(out)
            batches.append(to_numpy(nonlinearity(out)))
        return np.concatenate(batches, 0)

    def _train(self, X, y, routing_method, **fit_params):
        # skorch's partial_fit swallows KeyboardInterrupt and returns a half-trained net as
        # if fitting had finished; inside cross-validation or a study that would be saved
        # as a result. Here an interrupt propagates.
        self.notify("on_train_begin", X=X, y=y)
        self.fit_loop(X, y, _routing_method=routing_method, **fit_params)
        self.notify("on_train_end", X=X, y=y)
        return self

    # -- scikit-learn API ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, **fit_params):
        """Initialise the net (unless ``warm_start``) and train it for ``max_epochs``.

        Parameters
        ----------
        X : array-like or torch Dataset
            Training inputs (see the class docstring).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets (regressors) or class labels (classifiers); None when ``X`` is a
            Dataset of ``(input, target)`` pairs (regressors only).
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
            Targets or class labels; None when ``X`` is a Dataset (regressors only).
        classes : None
            Unused, for API compatibility (classifiers take their labels from the
            ``classes`` parameter, the pre-trained net or the first ``y``).
        **fit_params : dict
            Passed on to skorch.

        Returns
        -------
        self
        """
        self._validate_params()
        X, y = self._fit_prologue(X, y, reset=not self.initialized_)
        return self._train(X, y, "partial_fit", **fit_params)

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
