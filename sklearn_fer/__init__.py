"""sklearn-fer: personalised facial emotion recognition with scikit-learn and PyTorch.

A general CNN learns valence and arousal from many people's faces; a person's own model
is made from it with few labelled frames of that person (Rescigno, Spezialetti & Rossi,
2020). The estimators follow scikit-learn's conventions, so they compose in ``Pipeline``,
``cross_val_score`` and ``GridSearchCV``.
"""

from .classifiers import BackboneClassifier, DenseHeadClassifier
from .cropping import FaceCropper
from .featurizers import FrozenConvFeaturizer
from .optim import FusedAdam, NesterovSGD
from .regressors import AlexNetRegressor, DenseHeadRegressor

__version__ = "0.1.0"

__all__ = [
    "AlexNetRegressor",
    "BackboneClassifier",
    "DenseHeadClassifier",
    "DenseHeadRegressor",
    "FaceCropper",
    "FrozenConvFeaturizer",
    "FusedAdam",
    "NesterovSGD",
    "__version__",
]
