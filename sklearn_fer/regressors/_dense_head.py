"""DenseHeadRegressor: the personal model of Rescigno et al. (2020, Section 3.3, Fig. 3)."""

from __future__ import annotations

from torch import nn

from .._head import _HeadMixin
from ..optim import NesterovSGD
from ._regressor import _SklearnNetRegressor


class DenseHeadRegressor(_HeadMixin, _SklearnNetRegressor):
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
        A fitted (or initialised) net whose module follows the backbone protocol (see
        :func:`~sklearn_fer.nets.check_backbone`): AlexNet, Xception, the mini-Xception
        or your own. It is shared, not copied, by ``clone`` (as
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

    Notes
    -----
    Features that are zero on every training row (post-ReLU conv features of a few
    frames often are) cannot move their first-layer weights under a fresh SGD or Adam
    without weight decay, so ``fit`` trains the head without them and writes the
    weights and the optimiser's state back at full width: the same fit, up to float
    rounding, for less arithmetic (``benchmarks/bench_study.py``). Other optimisers,
    user callbacks or ``partial_fit`` on a trained optimiser train on every column.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def initialize_module(self):
        # The copy is trained; the pre-trained tensors must never be.
        self.module_ = self._pretrained_head()
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
