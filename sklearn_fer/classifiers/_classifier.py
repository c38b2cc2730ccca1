"""What makes a skorch net a well-behaved scikit-learn classifier.

Labels of any type (strings, integers) encoded to the output units' indices and decoded
by ``predict``; ``classes_`` taken from the ``classes`` parameter, from the pre-trained
net, or from ``y``; ``class_weight`` ("balanced" or a dict) as the cross-entropy's
weights; clear errors for one class, continuous targets and labels the net has no output
unit for. Seeding, loaders, interrupts and ``repr`` come from the shared
:class:`~sklearn_fer._net._SklearnNetMixin`, as for the regressors.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from skorch import NeuralNetClassifier

from .._net import _SklearnNetMixin
from .._validation import check_labels, dataset_yields_pairs, is_dataset
from ..datasets._lazy import ImageTargetPairs
from ..nets._registry import accepts

__all__ = ["_SklearnNetClassifier", "check_class_list"]


def check_class_list(classes, name="classes"):
    """Labels of output units as a 1-D array of distinct values (at least two)."""
    labels = np.asarray(list(classes) if not isinstance(classes, np.ndarray) else classes)
    if labels.ndim != 1 or len(labels) < 2:
        raise ValueError(
            f"{name} must list at least two class labels, one per output unit, got {classes!r}."
        )
    if len(np.unique(labels)) != len(labels):
        raise ValueError(f"{name} must not repeat a label, got {labels.tolist()!r}.")
    return labels


class _SklearnNetClassifier(_SklearnNetMixin, NeuralNetClassifier):
    """skorch classifier with scikit-learn's labels, class weights and seeding.

    Subclasses build ``module_`` in ``initialize_module`` and call
    :meth:`_resolve_classes` there with the labels the network itself carries (or
    None); the labels of this fit's ``y`` are available to it while ``fit`` initialises.
    """

    _parameter_constraints: dict = {
        **_SklearnNetMixin._parameter_constraints,
        "classes": ["array-like", None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(self, module, *, classes=None, class_weight=None, random_state=None, **kwargs):
        super().__init__(module, classes=classes, random_state=random_state, **kwargs)
        self.class_weight = class_weight

    # -- labels ----------------------------------------------------------------------
    @property
    def classes_(self):
        """Labels of the output units, in order (``predict_proba``'s columns)."""
        labels = vars(self).get("_fitted_classes")
        if labels is None:
            raise AttributeError(
                f"{type(self).__name__} has no classes_ yet: call fit (or initialize)."
            )
        return labels

    def _labels_of_fit(self):
        counts = getattr(self, "_fit_label_counts", None)
        return None if counts is None else counts[0]

    def _resolve_classes(self, network_labels):
        """Set ``classes_``; return whether they are new to the network (a fresh output).

        The ``classes`` parameter wins; then the labels the network carries; then those
        of the ``y`` being fitted.
        """
        if self.classes is not None:
            labels, fresh = check_class_list(self.classes), True
        elif network_labels is not None:
            labels, fresh = check_class_list(network_labels, "the network's classes"), False
        elif self._labels_of_fit() is not None:
            labels, fresh = self._labels_of_fit(), True
        else:
            raise ValueError(
                f"{type(self).__name__} cannot be initialised before fit: its network "
                "does not label its output units. Fit it on labelled data, or pass "
                "classes=[...]."
            )
        vars(self)["_fitted_classes"] = labels
        return fresh

    def _encode(self, y):
        classes = self.classes_
        order = np.argsort(classes, kind="stable")
        sorted_classes = classes[order]
        try:
            positions = np.clip(np.searchsorted(sorted_classes, y), 0, len(classes) - 1)
            found = sorted_classes[positions] == y
        except TypeError:
            raise ValueError(
                f"y's labels ({np.asarray(y).dtype}) cannot be compared with the classes "
                f"{classes.tolist()!r}."
            ) from None
        if not np.all(found):
            unseen = np.unique(np.asarray(y)[~found]).tolist()
            raise ValueError(
                f"y holds labels the net has no output unit for: {unseen!r}; its classes "
                f"are {classes.tolist()!r}."
            )
        return order[positions].astype(np.int64)

    # -- fit ---------------------------------------------------------------------------
    def _fit_prologue(self, X, y, *, reset):
        X = self._check_X(X, reset=True)
        if is_dataset(X) and dataset_yields_pairs(X):
            raise ValueError(
                f"{type(self).__name__} takes the labels as y: give a Dataset of bare "
                "images (LazyImages, say) with y, not one of (image, label) pairs."
            )
        y = check_labels(y, len(X))
        if reset:
            self._fit_label_counts = np.unique(y, return_counts=True)
            try:
                self.initialize()
            finally:
                del self._fit_label_counts
            self._check_initialized_input(X)
        y = self._encode(y)
        if is_dataset(X):
            return ImageTargetPairs(X, y, dtype=np.int64), None
        return X, y

    def _class_weights(self):
        """The criterion's per-unit weights for ``class_weight`` (None: unweighted)."""
        if self.class_weight is None:
            return None
        counts = getattr(self, "_fit_label_counts", None)
        if counts is None:
            return None  # initialised to predict, not to train
        classes = self.classes_
        weights = np.ones(len(classes), dtype=np.float64)
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            present, n = counts
            y = np.repeat(present, n)
            balanced = compute_class_weight("balanced", classes=present, y=y)
            weights[self._encode(present)] = balanced
        elif isinstance(self.class_weight, dict):
            unknown = [label for label in self.class_weight if label not in set(classes)]
            if unknown:
                raise ValueError(
                    f"class_weight names labels that are not classes: {unknown!r}; the "
                    f"classes are {classes.tolist()!r}."
                )
            for label, weight in self.class_weight.items():
                weights[self._encode(np.asarray([label]))[0]] = float(weight)
        else:
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict {{label: weight}}, got "
                f"{self.class_weight!r}."
            )
        return weights

    def initialize_criterion(self):
        kwargs = self.get_params_for("criterion")
        weights = self._class_weights()
        if weights is not None:
            if "weight" in kwargs:
                raise ValueError("give class_weight or criterion__weight, not both.")
            if not accepts(self.criterion, "weight"):
                raise ValueError(
                    f"class_weight needs a criterion taking weight=, and "
                    f"{getattr(self.criterion, '__name__', self.criterion)!r} does not."
                )
            kwargs["weight"] = torch.as_tensor(weights, dtype=torch.float32)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def _check_outputs(self, y_pred):
        n_classes = len(self.classes_)
        if y_pred.dim() != 2 or y_pred.shape[1] != n_classes:
            raise ValueError(
                f"the net gives {tuple(y_pred.shape[1:])} outputs per sample but there are "
                f"{n_classes} classes: build it with one output unit per class "
                f"(n_outputs={n_classes})."
            )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        self._check_outputs(y_pred)
        return super().get_loss(y_pred, y_true, X=X, training=training)

    # -- predict -----------------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities of ``X``, one column per label of ``classes_``.

        Parameters
        ----------
        X : array-like or torch Dataset
            Inputs, as for ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
        """
        proba = self._predict_outputs(X, check_batch=self._check_outputs)
        return proba.astype(np.float32, copy=False)

    def predict(self, X):
        """Predict the class label of each sample of ``X``.

        Parameters
        ----------
        X : array-like or torch Dataset
            Inputs, as for ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Elements of ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]
