"""PathNetRegressor: valence and arousal through an evolved path of a PathNet."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from ._base import _BasePathNet


class PathNetRegressor(RegressorMixin, _BasePathNet):
    """Regression through a path evolved in a PathNet; transfer without forgetting.

    ``fit`` evolves a path through a :class:`PathNet` of dense modules over the input
    features with the binary-tournament genetic algorithm of Fernando et al. (2017), then
    trains the best path until its loss stops improving. Given a fitted ``source``, ``fit``
    learns a *new task* in a copy of the source's network instead: the paths of all the
    source's tasks are frozen, every other module is re-initialised, and a new path is
    evolved that may run through frozen modules (transfer) while only the others learn.
    The source's tasks keep their exact predictions, and the source itself is never
    modified, so ``clone`` and cross-validation personalise one general model per person
    (the meta-transfer of the 2023 paper below: general knowledge kept, not overwritten).

    Parameters
    ----------
    source : PathNetRegressor, PathNetClassifier or None, default=None
        A fitted PathNet estimator whose tasks come first (the general model, or the
        valence model before arousal). Shared by ``clone``, never modified; its own
        parameters are not exposed through ``get_params``. None: the first task.
    head : {"new", "copy"}, default="new"
        The new task's output layer: "new" is freshly initialised (Fernando et al.: one
        output layer per task); "copy" starts from a trainable copy of the source task's
        head, for a task with the same meaning (a person's valence after the general
        valence). "copy" needs the same number of outputs as the source's task.
    n_layers : int or None, default=None
        L, layers of modules; None: 3 (Fernando et al.), or the source's.
    n_modules : int or None, default=None
        M, modules per layer; None: 10 (Fernando et al.), or the source's.
    module_units : int or None, default=None
        ReLU units per module; None: 20 (Fernando et al.), or the source's.
    max_active : int, default=3
        N, the most modules a path activates per layer (Fernando et al. use 3 or 4).
        Must not exceed ``n_modules``.
    population : int, default=8
        Paths in the population (Fernando et al.: 64). At least 2.
    steps_per_path : int, default=4
        T, mini-batch steps each path of a tournament is trained for (Fernando et al.:
        50).
    n_generations : int, default=8
        Budget of tournaments (one generation is one binary tournament of two paths).
    target_fitness : float or None, default=None
        Stop evolving as soon as a tournament's winner reaches this fitness (minus the
        mean squared error over its T steps, so for instance -0.01); None: use the whole
        budget.
    batch_size : int, default=16
        Mini-batch size (Fernando et al.: 16); capped at the number of training rows.
    lr : float, default=0.001
        Adam's learning rate.
    max_epochs : int, default=20
        Budget of epochs of the final training of the best path; 0 skips it.
    tol : float, default=1e-4
        The final training stops when its loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs in a row.
    n_iter_no_change : int, default=3
        See ``tol``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (from evolution and training),
        apply the ``tol`` rule to the validation loss, and keep the weights of the best
        validation epoch. False applies the rule to the training loss.
    validation_fraction : float, default=0.1
        Rows held out when ``early_stopping``.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the population, the tournaments, the mutations and the
        batch order: an int gives bit-identical paths and predictions. None draws fresh
        entropy (never numpy's or torch's global generators).

    Attributes
    ----------
    module_ : PathNet
        The network: every task's modules and heads (a copy of the source's, plus this
        task's head, when ``source`` is given).
    task_ : int
        This fit's task: the index of its head in ``module_.heads``.
    tasks_ : list of dict
        Per task, in learning order: ``kind`` ("regression" or "classification"),
        ``n_outputs`` and, for regression, ``y_ndim`` (for classification, ``classes``).
    paths_ : ndarray of bool, shape (n_tasks, n_layers, n_modules)
        ``paths_[t, l, m]``: module ``m`` of layer ``l`` is on task ``t``'s path. The last
        is this fit's; the others are the source's, unchanged.
    frozen_ : ndarray of bool, shape (n_layers, n_modules)
        The modules this fit could not change (on an earlier task's path). A transfer
        from this estimator freezes ``paths_.any(axis=0)``.
    genotype_ : ndarray of int, shape (n_layers, max_active)
        The evolved genotype of this task's path.
    population_ : ndarray of int, shape (population, n_layers, max_active)
        The population when evolution stopped.
    fitness_history_ : pandas.DataFrame
        One row per path trained in a tournament: ``generation``, ``individual`` (index
        in the population), ``fitness`` (minus the MSE of its T steps) and ``winner``.
    n_generations_ : int
        Tournaments run (fewer than ``n_generations`` when ``target_fitness`` was met).
    loss_curve_ : list of float
        Training loss per epoch of the final training.
    validation_loss_curve_ : list of float or None
        Validation loss per epoch (``early_stopping`` only).
    n_epochs_ : int
        Epochs of the final training.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Names of the features, when ``X`` had them.

    See Also
    --------
    PathNetClassifier : the classification twin.
    PathNet : the torch module.
    plot_paths : draws ``paths_`` and ``frozen_``.
    plot_fitness_history : draws ``fitness_history_``.
    sklearn_fer.DenseHeadRegressor : personalisation by fine-tuning the dense head.

    Notes
    -----
    The genetic algorithm (Fernando et al. 2017, Section 2.2): a population of random
    genotypes; each generation draws two, trains each for T steps along its path (the
    paths share modules, so training one changes the other's), and overwrites the
    loser with a copy of the winner in which each of the ``N L`` genes moves, with
    probability ``1/(N L)``, by an integer drawn from [-2, 2] (modulo M). When the budget
    is spent the population's path with the lowest training loss is trained further;
    when ``target_fitness`` is reached first, the winner is.

    Defaults and what they cost: Fernando et al.'s network (L=3, M=10, 20 units per
    module, N=3); a small population and budget (8 paths, 8 tournaments of 4 steps each,
    then at most 20 epochs with early stopping on the training loss) instead of their 64
    paths and T=50, and Adam at 1e-3 instead of their plain SGD at 1e-4. One person's fit
    on 48 frames of 9216 conv features then takes about 76 steps and 0.35 CPU-seconds on
    one core, 0.62x a dense-head fine-tune with the quick profile's settings, and adding
    PathNet to the quick study (750 personal fits and 2 general ones) about 140 s on two
    cores (``benchmarks/bench_pathnet.py``).

    Transfer freezes whole modules; the new task's head is always trainable and the
    earlier tasks' heads are frozen. Modules are dense: the input is the 2-D feature
    matrix of the frozen conv layers, so there is nothing left to convolve.

    References
    ----------
    Fernando, Banarse, Blundell, Zwols, Ha, Rusu, Pritzel & Wierstra (2017). PathNet:
    Evolution channels gradient descent in super neural networks. arXiv:1701.08734.

    Meta-transfer learning for emotion recognition (2023). Neural Computing and
    Applications 35, 10535.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.pathnet import PathNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X_general, X_person = rng.normal(size=(80, 6)), rng.normal(size=(20, 6))
    >>> general = PathNetRegressor(n_modules=4, max_active=2, random_state=0)
    >>> general = general.fit(X_general, X_general[:, 0])
    >>> personal = PathNetRegressor(source=general, random_state=0)
    >>> personal = personal.fit(X_person, X_person[:, 0] + 0.5)
    >>> personal.paths_.shape                    # (tasks, layers, modules)
    (2, 3, 4)
    >>> bool(personal.frozen_.any())            # the general path is frozen
    True
    >>> # the general task through the personal network: exactly the general predictions
    >>> bool((personal.predict(X_general, task=0) == general.predict(X_general)).all())
    True
    """

    _kind = "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate_targets(self, X, y):
        X, y = validate_data(
            self, X, y, dtype=np.float32, multi_output=True, y_numeric=True, reset=True
        )
        y_ndim = y.ndim
        y = np.asarray(y, dtype=np.float32).reshape(len(y), -1)
        return X, y, {"kind": "regression", "n_outputs": y.shape[1], "y_ndim": y_ndim}

    def _check_copied_head(self, source_task, task_info):
        if source_task["kind"] != "regression":
            raise ValueError(
                "head='copy' needs the source's task to be a regression; it is a "
                f"{source_task['kind']} task. Use head='new'."
            )
        if source_task["n_outputs"] != task_info["n_outputs"]:
            raise ValueError(
                f"y has {task_info['n_outputs']} target column(s) but the source task's "
                f"head has {source_task['n_outputs']} output(s); with head='copy' they must "
                "match. Use head='new' for a task of another shape."
            )

    def predict(self, X, task=None):
        """Predict the targets of one task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.
        task : int or None, default=None
            Which task: None is this fit's (``task_``); an earlier index predicts an
            earlier task through its frozen path and head.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets), float64
            1-D when that task was fitted on a 1-D ``y``. The network computes in
            float32; the (exact) cast is scikit-learn's convention for regressors.
        """
        X = self._validated(X)
        task = self._task_index(task)
        y_pred = self._outputs(X, task).numpy().astype(np.float64)
        return y_pred.reshape(-1) if self.tasks_[task]["y_ndim"] == 1 else y_pred
