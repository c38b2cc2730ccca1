"""skorch regressors with the paper's defaults: the whole AlexNet, and its dense head alone.

:class:`AlexNetRegressor` is the general model of Rescigno et al. (2020, Section 3.2),
trained on many people's faces. :class:`DenseHeadRegressor` is the personal model of
Section 3.3: the dense layers of a pre-trained net, fine-tuned on one person's frames while
the conv layers stay frozen (they live in :class:`~sklearn_fer.FrozenConvFeaturizer`).
Both build on ``_regressor._SklearnNetRegressor`` (skorch's ``regressor.py``), which
gives a skorch net scikit-learn's input checks and target shapes (its seeding, loaders and
parameters are the package's shared ``sklearn_fer/_net.py``, which the classifiers use too).
Both take any backbone that follows the protocol of :mod:`sklearn_fer.nets`.
"""

from ..optim import NesterovSGD
from ._alexnet import AlexNetRegressor
from ._dense_head import DenseHeadRegressor

__all__ = ["AlexNetRegressor", "DenseHeadRegressor", "NesterovSGD"]
