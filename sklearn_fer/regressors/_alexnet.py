"""AlexNetRegressor: the general model of Rescigno et al. (2020, Section 3.2)."""

from __future__ import annotations

from torch import nn

from .._whole_net import _WholeNetMixin
from ..nets import AlexNet
from ..optim import NesterovSGD
from ._regressor import _SklearnNetRegressor


class AlexNetRegressor(_WholeNetMixin, _SklearnNetRegressor):
    """AlexNet regressor on raw face images, with the paper's training settings.

    A skorch :class:`~skorch.NeuralNetRegressor` around :class:`~sklearn_fer.nets.AlexNet`.
    The defaults are those of Rescigno et al. (2020, Section 3.2): one linear output unit
    per target, MSE loss, mini-batch SGD with learning rate 0.001 and Nesterov momentum 0.9,
    batch size 16, 50 epochs, shuffled batches. These suit the paper's ~170k AffectNet
    images; on a few thousand images on a CPU they learn slowly: the demos and the quick
    study profile use :class:`~sklearn_fer.FusedAdam` at 1e-4 (see ``report.md``).

    Parameters
    ----------
    module : str, torch.nn.Module class or instance, default=AlexNet
        The network: a registered backbone name (``"alexnet"``, ``"xception"``,
        ``"mini_xception"``, see :func:`~sklearn_fer.nets.make_backbone`), a module class
        or an instance. A name or class taking ``n_outputs`` is built with as many
        outputs as ``y`` has columns unless ``module__n_outputs`` is given.
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
    width of at least the module's ``min_image_size`` (63 px for AlexNet, 71 for
    Xception; floating images on the [0, 1] scale are accepted too), or, for
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

    def _n_outputs_hint(self):
        return getattr(self, "n_outputs_", None)
