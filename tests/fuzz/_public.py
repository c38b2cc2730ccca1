"""Every public object (walked from the ``__all__`` lists) and tiny estimator instances.

A new public estimator fails ``test_every_public_estimator_has_a_spec`` until it gets an
entry in ``SPECS``: the suite covers it the day it lands.
"""

import functools
import importlib
import inspect
import pkgutil
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

import sklearn_fer


def _subpackages():
    """Every public subpackage or module of the package: a new one is walked the day it lands."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(sklearn_fer.__path__)
        if not info.name.startswith("_")
    )


SUBPACKAGES = tuple(_subpackages())


def public_objects():
    """``{qualified name: object}`` for every name in the package's ``__all__`` lists."""
    found = {f"sklearn_fer.{name}": getattr(sklearn_fer, name) for name in sklearn_fer._EXPORTS}
    for sub in SUBPACKAGES:
        module = importlib.import_module(f"sklearn_fer.{sub}")
        for name in getattr(module, "__all__", ()):
            found[f"sklearn_fer.{sub}.{name}"] = getattr(module, name)
    return found


def public_estimators():
    """``{class name: class}`` of the public scikit-learn estimators (deduplicated)."""
    return {
        obj.__name__: obj
        for obj in public_objects().values()
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator)
    }


IMAGE_SIZE = 64
WIDTH = 3


@functools.cache
def images(n=6, size=IMAGE_SIZE):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)


@functools.cache
def features(n=20, width=WIDTH):
    rng = np.random.default_rng(1)
    return np.abs(rng.normal(size=(n, width))).astype(np.float32)


def continuous(n):
    return np.linspace(-0.9, 0.9, n).astype(np.float32)


def labels(n):
    return np.array(["a", "b"] * (n // 2) + ["a"] * (n % 2))


@functools.cache
def pretrained_alexnet():
    from tests._helpers import tiny_regressor

    return tiny_regressor().fit(images(), continuous(len(images())))


@functools.cache
def pretrained_head():
    from tests._instances import PRETRAINED

    return PRETRAINED[WIDTH]


@functools.cache
def dropout_net():
    import torch
    from skorch import NeuralNetRegressor

    torch.manual_seed(0)
    return NeuralNetRegressor(
        torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(WIDTH, 1)),
        max_epochs=1,
        train_split=None,
        verbose=0,
    )


def _pathnet(cls):
    return cls(
        n_layers=2,
        n_modules=3,
        module_units=4,
        max_active=2,
        population=2,
        steps_per_path=1,
        n_generations=1,
        max_epochs=1,
        random_state=0,
    )


@dataclass(frozen=True)
class Spec:
    """How to build a tiny instance and what it eats.

    kind: ``images`` (n, h, w, 3), ``features`` (n, WIDTH), ``sampler`` (select a pool) or
    ``detector`` (finds faces in images: nothing to fit, nothing to predict).
    target: ``continuous``, ``labels`` or None (a transformer / sampler).
    """

    make: object
    kind: str
    target: object = "continuous"
    #: takes class labels as well as continuous targets (a selector scoring either)
    accepts_labels: bool = False


def _specs():
    from sklearn.linear_model import LinearRegression

    from sklearn_fer import (
        AlexNetRegressor,
        BackboneClassifier,
        DenseHeadClassifier,
        DenseHeadRegressor,
        FaceCropper,
        FrozenConvFeaturizer,
    )
    from sklearn_fer.active import (
        GreedySampler,
        MCDropoutRegressor,
        MCDropoutSampler,
        RandomSampler,
        SampledRegressor,
    )
    from sklearn_fer.detection import MTCNNDetector
    from sklearn_fer.feature_maps import FeatureMapSelector
    from sklearn_fer.pathnet import PathNetClassifier, PathNetRegressor

    return {
        "AlexNetRegressor": Spec(
            lambda: AlexNetRegressor(max_epochs=1, module__hidden_units=8, random_state=0),
            "images",
        ),
        "BackboneClassifier": Spec(
            lambda: BackboneClassifier(max_epochs=1, module__hidden_units=8, random_state=0),
            "images",
            "labels",
        ),
        "FaceCropper": Spec(
            lambda: FaceCropper(output_size=64, on_missing="center"), "images", None
        ),
        "FrozenConvFeaturizer": Spec(
            lambda: FrozenConvFeaturizer(pretrained_alexnet(), pooling="mean"), "images", None
        ),
        "DenseHeadRegressor": Spec(
            lambda: DenseHeadRegressor(pretrained_head(), max_epochs=1, random_state=0),
            "features",
        ),
        "DenseHeadClassifier": Spec(
            lambda: DenseHeadClassifier(pretrained_head(), max_epochs=1, random_state=0),
            "features",
            "labels",
        ),
        "MCDropoutRegressor": Spec(
            lambda: MCDropoutRegressor(
                DenseHeadRegressor(pretrained_head(), max_epochs=1, random_state=0),
                n_iter=3,
                random_state=0,
            ),
            "features",
        ),
        "SampledRegressor": Spec(
            lambda: SampledRegressor(
                LinearRegression(), RandomSampler(random_state=0), fraction=0.5
            ),
            "features",
        ),
        "PathNetRegressor": Spec(lambda: _pathnet(PathNetRegressor), "features"),
        "PathNetClassifier": Spec(lambda: _pathnet(PathNetClassifier), "features", "labels"),
        "FeatureMapSelector": Spec(
            lambda: FeatureMapSelector(k=2, criterion="target", random_state=0),
            "features",
            accepts_labels=True,
        ),
        "MTCNNDetector": Spec(lambda: MTCNNDetector(), "detector", None),
        "GreedySampler": Spec(lambda: GreedySampler("x", random_state=0), "sampler", None),
        "RandomSampler": Spec(lambda: RandomSampler(random_state=0), "sampler", None),
        "MCDropoutSampler": Spec(
            lambda: MCDropoutSampler(n_iter=3, random_state=0), "sampler", None
        ),
    }


SPECS = _specs()
