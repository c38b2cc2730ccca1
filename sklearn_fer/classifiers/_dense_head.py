"""DenseHeadClassifier: a pre-trained backbone's head, fine-tuned to recognise expressions."""

from __future__ import annotations

from torch import nn

from .._head import _HeadMixin
from ..optim import NesterovSGD
from ._classifier import _SklearnNetClassifier
from ._output_layer import replace_output_layer


def _pretrained_labels(pretrained, module):
    if not isinstance(pretrained, nn.Module):
        labels = getattr(pretrained, "classes_", None)  # a fitted classifier's
        if labels is not None:
            return labels
    return getattr(module, "classes", None)


class DenseHeadClassifier(_HeadMixin, _SklearnNetClassifier):
    """Fine-tune the head of a pre-trained net on conv features, to classify expressions.

    The classification twin of :class:`~sklearn_fer.DenseHeadRegressor`: a copy of the
    pre-trained head (:func:`~sklearn_fer.nets.dense_part`), trained with cross-entropy
    on the frozen features :class:`~sklearn_fer.FrozenConvFeaturizer` computes, starting
    again from the pre-trained weights at every ``fit``. The pre-trained net is never
    modified.

    When ``pretrained`` labels its output units (a fitted
    :class:`~sklearn_fer.BackboneClassifier`, or the FER2013 model with its
    ``classes``) and ``classes`` is None, the head keeps its output layer: right after
    :meth:`initialize` it predicts exactly what the pre-trained net predicts (*Transfer
    0%*), and ``y`` may hold any of its labels. Otherwise (a regressor, a module without
    labels, or ``classes`` given) the head's last Linear or Conv2d layer is replaced by a
    fresh one with one unit per class, seeded by ``random_state``; every other
    pre-trained layer is kept.

    Parameters
    ----------
    pretrained : BackboneClassifier, AlexNetRegressor or torch.nn.Module
        A fitted (or initialised) net following the backbone protocol (see
        :func:`~sklearn_fer.nets.check_backbone`); shared, not copied, by ``clone``, its
        parameters hidden from ``get_params``.
    classes : array-like or None, default=None
        Labels of a fresh output layer, one per unit; None takes the pre-trained net's
        labels, else those of ``y``.
    class_weight : {"balanced"} or dict or None, default=None
        Weights of the classes in the loss (see :class:`BackboneClassifier`).
    criterion : torch criterion class, default=torch.nn.CrossEntropyLoss
        Loss on the head's logits.
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
        Seeds a fresh output layer, batch order and dropout.
    **kwargs
        Any other skorch parameter.

    Attributes
    ----------
    module_ : torch.nn.Module
        The head being fine-tuned.
    classes_ : ndarray of shape (n_classes,)
        Labels of the head's output units.
    n_features_in_ : int or None
        Width of the conv features the head takes, when the head states it.

    See Also
    --------
    FrozenConvFeaturizer : computes the features this head takes.
    BackboneClassifier : a whole network trained on images.

    Notes
    -----
    ``fit`` leaves out the features that are zero on every training row where that is
    exact, as :class:`~sklearn_fer.DenseHeadRegressor` does (see its Notes).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_fer import BackboneClassifier, DenseHeadClassifier, FrozenConvFeaturizer
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(8, 64, 64, 3), dtype=np.uint8)
    >>> expression = np.array([0, 1, 2, 1] * 2)
    >>> general = BackboneClassifier(
    ...     "mini_xception", max_epochs=1, random_state=0).fit(images, expression)
    >>> personal = make_pipeline(
    ...     FrozenConvFeaturizer(general),
    ...     DenseHeadClassifier(general, max_epochs=2, random_state=0),
    ... )
    >>> personal.fit(images[:4], expression[:4]).predict_proba(images).shape
    (8, 3)
    """

    _parameter_constraints: dict = {
        **_HeadMixin._parameter_constraints,
        "classes": _SklearnNetClassifier._parameter_constraints["classes"],
        "class_weight": _SklearnNetClassifier._parameter_constraints["class_weight"],
    }

    def __init__(
        self,
        pretrained,
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
        # Set before skorch's __init__, which refuses torch modules as plain attributes.
        self.pretrained = pretrained
        super().__init__(
            None,
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

    def initialize_module(self):
        head = self._pretrained_head()
        labels = _pretrained_labels(self.pretrained, self._source_module())
        if self._resolve_classes(labels):
            head = replace_output_layer(head, len(self.classes_))
        self.module_ = head
        return self

    def initialize(self):
        """Copy the pre-trained head and set up the optimiser.

        With a pre-trained net that labels its units, the head then predicts exactly as
        the pre-trained net does (Transfer 0%).

        Returns
        -------
        self
        """
        super().initialize()
        self.n_features_in_ = self._expected_width()
        return self
