"""PathNetClassifier: categorical expressions through an evolved path of a PathNet."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._base import _BasePathNet


class PathNetClassifier(ClassifierMixin, _BasePathNet):
    """Classification through a path evolved in a PathNet; transfer without forgetting.

    The classification twin of :class:`PathNetRegressor` (same parameters, same
    evolution and transfer): cross-entropy loss, and the tournament fitness of Fernando
    et al. (2017): the accuracy over a path's T training steps (their "negative
    classification error"). Their binary MNIST runs stopped at a training accuracy of
    0.998: ``target_fitness=0.998``.

    Parameters
    ----------
    source : PathNetRegressor, PathNetClassifier or None, default=None
        A fitted PathNet estimator whose tasks come first. Shared by ``clone``, never
        modified. None: the first task.
    head : {"new", "copy"}, default="new"
        "new": a freshly initialised output layer for this task; "copy": a trainable
        copy of the source task's head, which must be a classification task with the
        same classes.
    n_layers : int or None, default=None
        L; None: 3, or the source's.
    n_modules : int or None, default=None
        M; None: 10, or the source's.
    module_units : int or None, default=None
        ReLU units per module; None: 20, or the source's.
    max_active : int, default=3
        N, the most active modules per layer; at most ``n_modules``.
    population : int, default=8
        Paths in the population; at least 2.
    steps_per_path : int, default=4
        T, training steps per path and tournament.
    n_generations : int, default=8
        Budget of tournaments.
    target_fitness : float or None, default=None
        Stop when a tournament's winner reaches this training accuracy.
    batch_size : int, default=16
        Mini-batch size.
    lr : float, default=0.001
        Adam's learning rate.
    max_epochs : int, default=20
        Budget of epochs of the final training; 0 skips it.
    tol : float, default=1e-4
        Minimum improvement of the loss that resets ``n_iter_no_change``.
    n_iter_no_change : int, default=3
        Epochs without improvement that stop the final training.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` and stop on its loss.
    validation_fraction : float, default=0.1
        Rows held out when ``early_stopping``.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random in ``fit``; an int gives bit-identical results.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        This task's class labels.
    module_ : PathNet
        The network.
    task_ : int
        This fit's task index.
    tasks_ : list of dict
        Per task: ``kind``, ``n_outputs`` and ``classes`` (or ``y_ndim``).
    paths_ : ndarray of bool, shape (n_tasks, n_layers, n_modules)
        Each task's path; the last is this fit's.
    frozen_ : ndarray of bool, shape (n_layers, n_modules)
        The modules this fit could not change.
    genotype_ : ndarray of int, shape (n_layers, max_active)
        The evolved genotype.
    population_ : ndarray of int, shape (population, n_layers, max_active)
        The final population.
    fitness_history_ : pandas.DataFrame
        ``generation``, ``individual``, ``fitness`` (accuracy over T steps), ``winner``.
    n_generations_ : int
        Tournaments run.
    loss_curve_ : list of float
        Training cross-entropy per epoch of the final training.
    validation_loss_curve_ : list of float or None
        Validation cross-entropy per epoch (``early_stopping`` only).
    n_epochs_ : int
        Epochs of the final training.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Names of the features, when ``X`` had them.

    See Also
    --------
    PathNetRegressor : the regression twin, with the details of evolution and transfer.

    References
    ----------
    Fernando et al. (2017). PathNet: Evolution channels gradient descent in super neural
    networks. arXiv:1701.08734.

    Meta-transfer learning for emotion recognition (2023). Neural Computing and
    Applications 35, 10535.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.pathnet import PathNetClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 5))
    >>> expression = np.where(X[:, 0] > 0, "happy", "sad")
    >>> clf = PathNetClassifier(n_modules=4, max_active=2, random_state=0).fit(X, expression)
    >>> clf.classes_.tolist()
    ['happy', 'sad']
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _kind = "classification"

    def _validate_targets(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float32, reset=True)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has only one class ({encoder.classes_.tolist()[0]!r}); PathNetClassifier needs "
                "at least two classes."
            )
        task_info = {
            "kind": "classification",
            "n_outputs": len(encoder.classes_),
            "classes": encoder.classes_,
        }
        return X, encoder.transform(y), task_info

    def fit(self, X, y):
        """Evolve a path for this classification task, then train the best path further.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Class labels of this task (at least two classes).

        Returns
        -------
        self
        """
        super().fit(X, y)
        self.classes_ = self.tasks_[self.task_]["classes"]
        return self

    def _check_copied_head(self, source_task, task_info):
        same = source_task["kind"] == "classification" and np.array_equal(
            source_task["classes"], task_info["classes"]
        )
        if not same:
            if "classes" in source_task:
                have = f"classes {source_task['classes'].tolist()}"
            else:
                have = f"{source_task['n_outputs']} regression output(s)"
            raise ValueError(
                f"y has classes {task_info['classes'].tolist()} but the source task's head "
                f"predicts {have}; with head='copy' they must be the same. Use head='new' "
                "for another task."
            )

    def predict_proba(self, X, task=None):
        """Class probabilities of one task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        task : int or None, default=None
            Which classification task; None is this fit's.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
            Columns in the order of that task's classes.
        """
        X = self._validated(X)
        task = self._task_index(task)
        return torch.softmax(self._outputs(X, task), dim=1).numpy()

    def predict(self, X, task=None):
        """Predict the class labels of one task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        task : int or None, default=None
            Which classification task; None is this fit's.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        X = self._validated(X)
        task = self._task_index(task)
        classes = self.tasks_[task]["classes"]
        return classes[self._outputs(X, task).argmax(dim=1).numpy()]
