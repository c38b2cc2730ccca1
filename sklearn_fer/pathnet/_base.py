"""What PathNetRegressor and PathNetClassifier share: parameters, the fit (network,
evolution, final training), transfer from a fitted source, and prediction per task.

A task's kind (how its targets are encoded and its outputs decoded) is the only thing
the twins define; see ``_regressor.py`` and ``_classifier.py``.
"""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._frozen import clone_sharing_pretrained, shallow_params
from .._random import derive_seed, draw_seed
from .._validation import RANDOM_STATE, NumberInterval
from ._evolution import active_modules, best_genotype, evolve, path_mask, random_genotypes
from ._module import PathNet
from ._training import PathTrainer, TaskLoss

#: The architecture of Fernando et al.'s binary MNIST experiments (L, M, units).
DEFAULT_ARCHITECTURE = {"n_layers": 3, "n_modules": 10, "module_units": 20}
HISTORY_COLUMNS = ["generation", "individual", "fitness", "winner"]
_PREDICT_CHUNK = 1024  # rows per forward pass in predict: 38 MB of 9216 features
_INIT, _EVOLUTION, _BATCHES, _SPLIT = range(4)


def _mask_path(mask):
    """Active module indices per layer of a boolean ``(L, M)`` mask."""
    return tuple(tuple(int(m) for m in np.flatnonzero(row)) for row in mask)


class _BasePathNet(BaseEstimator):
    """Shared by the twins; documented on each of them."""

    _parameter_constraints: dict = {
        "source": [HasMethods(["fit", "predict"]), None],
        "head": [StrOptions({"new", "copy"})],
        "n_layers": [NumberInterval(Integral, 1, None, closed="left"), None],
        "n_modules": [NumberInterval(Integral, 1, None, closed="left"), None],
        "module_units": [NumberInterval(Integral, 1, None, closed="left"), None],
        "max_active": [NumberInterval(Integral, 1, None, closed="left")],
        "population": [NumberInterval(Integral, 2, None, closed="left")],
        "steps_per_path": [NumberInterval(Integral, 1, None, closed="left")],
        "n_generations": [NumberInterval(Integral, 0, None, closed="left")],
        "target_fitness": [NumberInterval(Real, None, None, closed="both"), None],
        "batch_size": [NumberInterval(Integral, 1, None, closed="left")],
        "lr": [NumberInterval(Real, 0, None, closed="neither")],
        "max_epochs": [NumberInterval(Integral, 0, None, closed="left")],
        "tol": [NumberInterval(Real, 0, None, closed="left")],
        "n_iter_no_change": [NumberInterval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [NumberInterval(Real, 0, 1, closed="neither")],
        "device": "no_validation",  # str or torch.device, checked by torch
        "random_state": RANDOM_STATE,
    }

    #: "regression" or "classification"; set by each twin.
    _kind = None

    def __init__(
        self,
        *,
        source=None,
        head="new",
        n_layers=None,
        n_modules=None,
        module_units=None,
        max_active=3,
        population=8,
        steps_per_path=4,
        n_generations=8,
        target_fitness=None,
        batch_size=16,
        lr=1e-3,
        max_epochs=20,
        tol=1e-4,
        n_iter_no_change=3,
        early_stopping=False,
        validation_fraction=0.1,
        device="cpu",
        random_state=None,
    ):
        self.source = source
        self.head = head
        self.n_layers = n_layers
        self.n_modules = n_modules
        self.module_units = module_units
        self.max_active = max_active
        self.population = population
        self.steps_per_path = steps_per_path
        self.n_generations = n_generations
        self.target_fitness = target_fitness
        self.batch_size = batch_size
        self.lr = lr
        self.max_epochs = max_epochs
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state

    # -- scikit-learn plumbing: the source is shared, never cloned or re-parametrised --
    def get_params(self, deep=True):
        return shallow_params(super().get_params(deep=deep), shared="source")

    def __sklearn_clone__(self):
        return clone_sharing_pretrained(self, shared="source")

    # -- what each twin says about its targets ---------------------------------------
    def _validate_targets(self, X, y):
        """Return ``(X, y_tensor_values, task_info)``; implemented by each twin."""
        raise NotImplementedError

    def _check_copied_head(self, source_task, task_info):
        raise NotImplementedError

    # -- checks ----------------------------------------------------------------------
    def _source_estimator(self):
        source = self.source
        if not isinstance(source, _BasePathNet):
            raise TypeError(
                f"source must be a fitted PathNetRegressor or PathNetClassifier, got "
                f"{type(source).__name__}."
            )
        try:
            check_is_fitted(source, "module_")
        except NotFittedError:
            raise NotFittedError(
                f"source is a {type(source).__name__} that is not fitted yet: fit it on "
                "the earlier task first; transfer freezes the paths it evolved."
            ) from None
        return source

    def _architecture(self, source):
        given = {name: getattr(self, name) for name in DEFAULT_ARCHITECTURE}
        if source is None:
            arch = {
                name: DEFAULT_ARCHITECTURE[name] if v is None else v for name, v in given.items()
            }
        else:
            net = source.module_
            arch = {name: getattr(net, name) for name in DEFAULT_ARCHITECTURE}
            for name, value in given.items():
                if value is not None and value != arch[name]:
                    raise ValueError(
                        f"{name}={value} differs from the source's {name}={arch[name]}: a "
                        f"transfer reuses the source's network; leave {name}=None."
                    )
        if self.max_active > arch["n_modules"]:
            raise ValueError(
                f"max_active={self.max_active} exceeds n_modules={arch['n_modules']}: a "
                "layer cannot have more active modules than it has modules."
            )
        return arch

    def _check_source_width(self, source, n_features):
        if source is not None and n_features != source.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but the source {type(source).__name__} was "
                f"fitted on {source.n_features_in_}: a transfer needs the same features "
                "(the same featurizer)."
            )

    # -- building the network ----------------------------------------------------------
    def _build_network(self, X_train, task_info, arch, source, generator):
        """The network this fit trains, which modules are frozen, and the new task's index."""
        if source is None:
            module = PathNet(X_train.shape[1], generator=generator, **arch)
            module.set_input_scale(X_train)
            frozen = np.zeros((arch["n_layers"], arch["n_modules"]), dtype=bool)
            earlier = []
        else:
            # A private copy, so the source's tensors are never modified; on the CPU, where
            # the seeded generator redraws the other modules.
            module = copy.deepcopy(source.module_).cpu()
            frozen = source.paths_.any(axis=0)
            module.reset_modules(frozen, generator=generator)
            earlier = list(source.tasks_)
        if self.head == "copy":
            if source is None:
                raise ValueError("head='copy' needs a source whose head to copy; got source=None.")
            self._check_copied_head(source.tasks_[source.task_], task_info)
            module.heads.append(copy.deepcopy(module.heads[source.task_]))
            task = len(module.heads) - 1
        else:
            task = module.add_head(task_info["n_outputs"], generator=generator)
        module.set_frozen(frozen)
        for index, head in enumerate(module.heads):
            head.requires_grad_(index == task)
        return module.to(self.device), frozen, task, earlier + [task_info]

    def _split(self, X, y, seed):
        if not self.early_stopping:
            return (X, y), None
        stratify = y if self._kind == "classification" else None
        n_valid = int(np.ceil(self.validation_fraction * len(X)))
        if n_valid < 1 or n_valid >= len(X):
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} on "
                f"{len(X)} samples leaves no training or no validation rows."
            )
        X_tr, X_va, y_tr, y_va = train_test_split(
            X, y, test_size=n_valid, random_state=seed % (2**32), stratify=stratify
        )
        return (X_tr, y_tr), (X_va, y_va)

    def _tensors(self, X, y):
        X = torch.tensor(X, dtype=torch.float32, device=self.device)
        dtype = torch.float32 if self._kind == "regression" else torch.int64
        y = torch.tensor(y, dtype=dtype, device=self.device)
        return X, y

    # -- fit ------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Evolve a path for this task, then train the best path until it converges.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (the frozen conv features of
            :class:`~sklearn_fer.FrozenConvFeaturizer`, or any 2-D float matrix).
        y : array-like
            Targets of this task.

        Returns
        -------
        self
        """
        source = None if self.source is None else self._source_estimator()
        arch = self._architecture(source)
        X, y, task_info = self._validate_targets(X, y)
        self._check_source_width(source, X.shape[1])
        seed = draw_seed(self.random_state)
        if seed is None:  # fresh entropy, never torch's or numpy's global generators
            seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)
        (X_tr, y_tr), validation = self._split(X, y, derive_seed(seed, _SPLIT))
        X_tr, y_tr = self._tensors(X_tr, y_tr)
        if validation is not None:
            validation = self._tensors(*validation)
        generator = torch.Generator().manual_seed(derive_seed(seed, _INIT))
        module, frozen, task, tasks = self._build_network(X_tr, task_info, arch, source, generator)
        trainer = PathTrainer(
            module,
            task,
            X_tr,
            y_tr,
            task_loss=TaskLoss(self._kind),
            batch_size=self.batch_size,
            lr=self.lr,
            rng=np.random.default_rng(derive_seed(seed, _BATCHES)),
        )
        genotype = self._evolve(trainer, arch, np.random.default_rng(derive_seed(seed, _EVOLUTION)))
        path = active_modules(genotype)
        self.loss_curve_, self.validation_loss_curve_ = trainer.fit_path(
            path,
            max_epochs=self.max_epochs,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            validation=validation,
        )
        module.eval()
        earlier_paths = source.paths_ if source is not None else np.zeros((0, *frozen.shape), bool)
        self.module_ = module
        self.task_ = task
        self.tasks_ = tasks
        self.genotype_ = genotype
        self.paths_ = np.concatenate([earlier_paths, path_mask(genotype, arch["n_modules"])[None]])
        self.frozen_ = frozen
        self.n_epochs_ = len(self.loss_curve_)
        return self

    def _evolve(self, trainer, arch, rng):
        population = random_genotypes(
            self.population, arch["n_layers"], self.max_active, arch["n_modules"], rng
        )
        result = evolve(
            lambda genotype: trainer.train_steps(active_modules(genotype), self.steps_per_path),
            population,
            n_generations=self.n_generations,
            n_modules=arch["n_modules"],
            rng=rng,
            target_fitness=self.target_fitness,
        )
        self.population_ = result.genotypes
        self.n_generations_ = result.n_generations
        self.fitness_history_ = pd.DataFrame(result.history, columns=HISTORY_COLUMNS)
        if result.winner is not None:
            return result.winner
        # Budget spent: the population's path with the lowest loss on the training rows
        # (a continuous score, which accuracy's ties would not give).
        genotype, _ = best_genotype(
            result.genotypes, lambda g: -trainer.evaluate(active_modules(g))[0]
        )
        return genotype

    # -- prediction -------------------------------------------------------------------
    def _task_index(self, task):
        if task is None:
            return self.task_
        if isinstance(task, bool) or not isinstance(task, Integral):
            raise TypeError(f"task must be an int or None, got {type(task).__name__}.")
        if not 0 <= task < len(self.tasks_):
            raise ValueError(
                f"task={task} is not one of this network's tasks 0..{len(self.tasks_) - 1}."
            )
        kind = self.tasks_[task]["kind"]
        if kind != self._kind:
            raise ValueError(
                f"task {task} is a {kind} task; predict it with the estimator that learnt it, "
                f"not with a {type(self).__name__}."
            )
        return int(task)

    def _outputs(self, X, task):
        """Raw outputs of task ``task`` (an index) on validated ``X``, as a tensor."""
        path = _mask_path(self.paths_[task])
        out = []
        with torch.inference_mode():
            for start in range(0, len(X), _PREDICT_CHUNK):
                batch = torch.tensor(X[start : start + _PREDICT_CHUNK], device=self.device)
                out.append(self.module_(batch, path, task).cpu())
        return torch.cat(out)

    def _validated(self, X):
        check_is_fitted(self, "module_")
        return validate_data(self, X, reset=False, dtype=np.float32)
