"""sklearn-fer: personalised facial emotion recognition with scikit-learn and PyTorch.

A general CNN learns valence and arousal from many people's faces; a person's own model
is made from it with few labelled frames of that person (Rescigno, Spezialetti & Rossi,
2020). The estimators follow scikit-learn's conventions, so they compose in ``Pipeline``,
``cross_val_score`` and ``GridSearchCV``.

The names below are imported on first use (PEP 562): ``import sklearn_fer`` and the
``sklearn-fer`` command stay fast, and torch, skorch and OpenCV load only when an
estimator is touched.
"""

import importlib

__version__ = "0.1.0"

# name -> the submodule that defines it
_EXPORTS = {
    "AlexNetRegressor": "regressors",
    "BackboneClassifier": "classifiers",
    "DenseHeadClassifier": "classifiers",
    "DenseHeadRegressor": "regressors",
    "FaceCropper": "cropping",
    "FrozenConvFeaturizer": "featurizers",
    "FusedAdam": "optim",
    "NesterovSGD": "optim",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
