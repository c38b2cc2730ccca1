"""Model folders: general and personal models as weights and JSON, never pickles.

* :func:`save_pretrained` writes fitted models, one per target: general nets
  (:class:`~sklearn_fer.AlexNetRegressor`) or personal models (a fine-tuned
  :class:`~sklearn_fer.DenseHeadRegressor`, alone or in a ``Pipeline`` after its
  :class:`~sklearn_fer.FrozenConvFeaturizer`), the backbone included;
* :func:`load_pretrained` rebuilds the nets, :func:`load_pipeline` the
  featurizer + head pipelines;
* :func:`read_manifest` reads and checks ``model.json`` alone.

Loading never runs code (weights are read with ``torch.load(weights_only=True)``) and
never reads outside the folder. The manifest records the backbone by name
(``"alexnet"``) and the kind of model (``"general"``, ``"personal"``).

Private modules: ``_manifest.py`` (the format and its checks), ``_backbones.py`` (the
backbones by name), ``_models.py`` (saving and loading).
"""

from ._manifest import FORMAT, KINDS, VERSION, ModelFolderError, read_manifest
from ._models import load_pipeline, load_pretrained, save_pretrained

__all__ = [
    "FORMAT",
    "KINDS",
    "VERSION",
    "ModelFolderError",
    "load_pipeline",
    "load_pretrained",
    "read_manifest",
    "save_pretrained",
]
