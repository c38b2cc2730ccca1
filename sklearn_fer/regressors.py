"""skorch regressors with the paper's defaults: the whole AlexNet, and its dense head alone.

:class:`AlexNetRegressor` is the general model of Rescigno et al. (2020, Section 3.2),
trained on many people's faces. :class:`DenseHeadRegressor` is the personal model of
Section 3.3: the dense layers of a pre-trained net, fine-tuned on one person's frames while
the conv layers stay frozen (they live in :class:`~sklearn_fer.FrozenConvFeaturizer`).
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
import torch
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from skorch import NeuralNet, NeuralNetRegressor
from skorch.utils import to_numpy, to_tensor
from torch import nn
from torch.utils.data import DataLoader

from ._frozen import clone_sharing_pretrained, pretrained_module, shallow_params
from ._random import derive_seed, draw_seed, torch_rng
from ._validation import (
    check_images,
    check_targets,
    dataset_target_ndim,
    dataset_yields_pairs,
    is_dataset,
)
from .datasets._lazy import ImageTargetPairs
from .nets import AlexNet, dense_part
from .optim import NesterovSGD

__all__ = ["AlexNetRegressor", "DenseHeadRegressor", "NesterovSGD"]

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


class AlexNetRegressor(_SklearnNetRegressor):
    """AlexNet regressor on raw face images, with the paper's training settings.

    A skorch :class:`~skorch.NeuralNetRegressor` around :class:`~sklearn_fer.nets.AlexNet`.
    The defaults are those of Rescigno et al. (2020, Section 3.2): one linear output unit
    per target, MSE loss, mini-batch SGD with learning rate 0.001 and Nesterov momentum 0.9,
    batch size 16, 50 epochs, shuffled batches. These suit the paper's ~170k AffectNet
    images; on a few thousand images on a CPU they learn slowly: the demos and the quick
    study profile use :class:`~sklearn_fer.FusedAdam` at 1e-4 (see ``report.md``).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=AlexNet
        The network. When it is a class and ``module__n_outputs`` is not given, it is
        built with as many outputs as ``y`` has columns.
    criterion : torch criterion class, default=torch.nn.MSELoss
        Loss function.
    optimizer : torch optimizer class, default=NesterovSGD
        Optimiser; its options go in ``optimizer__*`` keyword arguments.
    lr : float, default=0.001
        Learning rate.
    max_epochs : int, default=50
        Passes over the training data per ``fit``.
    batch_size : int, default=16
        Mini-batch size for training and prediction.
    train_split : callable or None, default=None
        skorch's validation split. None trains on all the data given, as scikit-learn
        estimators do; pass ``skorch.dataset.ValidSplit(5)`` to hold out 20%.
    verbose : int, default=0
        1 prints skorch's table of epochs.
    device : str, default="cpu"
        Torch device, for instance ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and dropout for reproducible fits. None
        draws from torch's global generator.
    **kwargs
        Any other skorch parameter (``module__hidden_units``, ``callbacks``,
        ``iterator_train__num_workers``, ...). ``iterator_train__shuffle`` defaults to True.

    Attributes
    ----------
    module_ : AlexNet
        The fitted network.
    n_outputs_ : int
        Number of output units.
    y_ndim_ : int
        Number of dimensions of the ``y`` seen in ``fit`` (1 or 2); ``predict`` matches it.
    history_ : skorch.history.History
        Training history (losses and timings per epoch and batch).

    See Also
    --------
    FrozenConvFeaturizer : the frozen conv layers of a fitted regressor, as a transformer.
    DenseHeadRegressor : fine-tunes the dense layers of a fitted regressor.

    Notes
    -----
    ``X`` is a uint8 array of RGB images ``(n_samples, height, width, 3)`` with height and
    width of at least 63 px (floating images on the [0, 1] scale are accepted too), or, for
    data that does not fit in memory, a torch ``Dataset`` of images (with ``y``, such as
    :class:`~sklearn_fer.datasets.LazyImages`) or of ``(image, target)`` pairs (``y=None``).
    Conversion to normalised float NCHW happens inside the module, on the device.

    Ctrl+C during ``fit`` propagates (skorch's own nets would stop quietly and keep a
    half-trained net, which cross-validation would then score as finished).

    References
    ----------
    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer import AlexNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(8, 64, 64, 3), dtype=np.uint8)
    >>> valence = rng.uniform(-1, 1, size=8)
    >>> net = AlexNetRegressor(max_epochs=1, module__hidden_units=16, random_state=0)
    >>> net.fit(images, valence).predict(images).shape
    (8,)
    """

    def __init__(
        self,
        module=AlexNet,
        *,
        criterion=nn.MSELoss,
        optimizer=NesterovSGD,
        lr=0.001,
        max_epochs=50,
        batch_size=16,
        train_split=None,
        verbose=0,
        device="cpu",
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            verbose=verbose,
            device=device,
            random_state=random_state,
            **kwargs,
        )

    def _check_X(self, X, *, reset):
        X = check_images(X)
        if not reset and is_dataset(X) and not dataset_yields_pairs(X):
            X = ImageTargetPairs(X)  # skorch's loaders want pairs even to predict
        return X

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if isinstance(self.module, type) and "n_outputs" not in kwargs:
            n_outputs = getattr(self, "n_outputs_", None)
            if n_outputs is not None:
                kwargs["n_outputs"] = n_outputs
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self


class DenseHeadRegressor(_SklearnNetRegressor):
    """Fine-tune the dense layers of a pre-trained net on conv features.

    The personal model of Rescigno et al. (2020, Section 3.3, Fig. 3): the dense part of a
    fitted :class:`AlexNetRegressor`, trained on the frozen conv features that
    :class:`~sklearn_fer.FrozenConvFeaturizer` computes. Every ``fit`` starts again from
    the pre-trained dense weights (a copy: ``pretrained`` is never modified), so fitting
    twice on the same data starts twice from the same point.

    Right after :meth:`initialize` (no personal data), ``predict`` on the featurizer's
    output equals ``pretrained.predict(images)``: the paper's *Transfer 0%* condition and
    the "pre-trained regression function" that GSy, iGS and MCDUE query.

    Parameters
    ----------
    pretrained : AlexNetRegressor or torch.nn.Module
        A fitted (or initialised) net whose module splits into conv and dense parts (see
        :func:`~sklearn_fer.nets.dense_part`). It is shared, not copied, by ``clone`` (as
        ``sklearn.frozen.FrozenEstimator`` is), and its parameters are not exposed through
        ``get_params``.
    criterion : torch criterion class, default=torch.nn.MSELoss
        Loss function.
    optimizer : torch optimizer class, default=NesterovSGD
        Optimiser (SGD, Nesterov momentum 0.9).
    lr : float, default=0.001
        Learning rate.
    max_epochs : int, default=50
        Passes over the training data per ``fit``.
    batch_size : int, default=16
        Mini-batch size.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all the data given.
    verbose : int, default=0
        1 prints skorch's table of epochs.
    device : str, default="cpu"
        Torch device of the head.
    random_state : int, RandomState instance or None, default=None
        Seeds batch order and dropout.
    **kwargs
        Any other skorch parameter.

    Attributes
    ----------
    module_ : torch.nn.Module
        The head being fine-tuned (a copy of the pre-trained dense part).
    n_features_in_ : int
        Width of the conv features the head takes (9216 for AlexNet).
    n_outputs_ : int
        Number of output units, taken from the pre-trained net.
    y_ndim_ : int
        1 or 2: the shape of ``predict``'s output.

    See Also
    --------
    FrozenConvFeaturizer : computes the features this head takes.
    AlexNetRegressor : the pre-trained general model.

    References
    ----------
    Rescigno, Spezialetti & Rossi (2020). Personalized models for facial emotion
    recognition through transfer learning. Multimedia Tools and Applications 79.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(8, 64, 64, 3), dtype=np.uint8)
    >>> valence = rng.uniform(-1, 1, size=8)
    >>> general = AlexNetRegressor(max_epochs=1, module__hidden_units=16, random_state=0)
    >>> general = general.fit(images, valence)
    >>> personal = make_pipeline(
    ...     FrozenConvFeaturizer(general),
    ...     DenseHeadRegressor(general, max_epochs=2, random_state=0),
    ... )
    >>> personal.fit(images, valence).predict(images).shape
    (8,)
    """

    def __init__(
        self,
        pretrained,
        *,
        criterion=nn.MSELoss,
        optimizer=NesterovSGD,
        lr=0.001,
        max_epochs=50,
        batch_size=16,
        train_split=None,
        verbose=0,
        device="cpu",
        random_state=None,
        **kwargs,
    ):
        # Set before skorch's __init__: afterwards skorch refuses torch modules as plain
        # attributes, and ``pretrained`` may be one.
        self.pretrained = pretrained
        # skorch wants a ``module``; the head is built from ``pretrained`` instead, so
        # ``module`` is hidden from the parameters (see _get_param_names).
        super().__init__(
            None,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            verbose=verbose,
            device=device,
            random_state=random_state,
            **kwargs,
        )

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def initialize_module(self):
        source = pretrained_module(self.pretrained, type(self).__name__)
        head = copy.deepcopy(dense_part(source))
        # The copy is trained; the pre-trained tensors must never be. requires_grad may
        # have been switched off on the source (a frozen backbone), so switch it back on.
        head.requires_grad_(True)
        self.module_ = head
        return self

    def initialize(self):
        """Copy the pre-trained dense layers and set up the optimiser.

        After this call the head predicts with the pre-trained weights (Transfer 0%).

        Returns
        -------
        self
        """
        super().initialize()
        self.n_features_in_ = self._expected_width()
        return self

    def _default_y_ndim(self):
        # Predict in the shape the pre-trained net was fitted with.
        pre_ndim = getattr(self.pretrained, "y_ndim_", None)
        return pre_ndim if pre_ndim in (1, 2) else super()._default_y_ndim()

    def _expected_width(self):
        head = dense_part(pretrained_module(self.pretrained, type(self).__name__))
        linears = _linear_layers(head)
        return linears[0].in_features if linears else None

    def _check_X(self, X, *, reset):
        if is_dataset(X):
            raise TypeError(
                "DenseHeadRegressor takes a 2-D array of conv features, not a Dataset; "
                "compute them with FrozenConvFeaturizer."
            )
        X = check_array(X, dtype=np.float32, input_name="X")
        fitted_width = getattr(self, "n_features_in_", None)
        expected = self._expected_width() if reset or fitted_width is None else fitted_width
        if expected is not None and X.shape[1] != expected:
            raise ValueError(
                f"X has {X.shape[1]} features, but DenseHeadRegressor is expecting "
                f"{expected} features as input (the pre-trained head's width); compute them "
                "with FrozenConvFeaturizer(pretrained)."
            )
        return X
