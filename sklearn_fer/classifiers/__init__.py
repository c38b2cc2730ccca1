"""skorch classifiers: the whole network on images, and a pre-trained head on its features.

The classification twins of :mod:`sklearn_fer.regressors`, for categorical expressions
(Nasri et al. 2020): :class:`BackboneClassifier` trains any backbone end to end on
images; :class:`DenseHeadClassifier` fine-tunes the head of a pre-trained one on the
features of :class:`~sklearn_fer.FrozenConvFeaturizer`. Both build on
``_classifier._SklearnNetClassifier`` (skorch's ``classifier.py``), which shares its
seeding, loaders and parameters with the regressors through ``sklearn_fer/_net.py``.
"""

from ._backbone import BackboneClassifier
from ._dense_head import DenseHeadClassifier

__all__ = ["BackboneClassifier", "DenseHeadClassifier"]
