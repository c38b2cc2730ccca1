"""Data: the synthetic face generator (the embedded default), and loaders for AffectNet and
AMIGOS, the data sets of Rescigno et al. (2020), which are licensed and not distributed."""

from ._affectnet import AFFECTNET_COLUMNS, AFFECTNET_EXPRESSIONS, load_affectnet
from ._amigos import AMIGOS_VIDEO_PATTERN, SEGMENT_SECONDS, load_amigos, read_amigos_annotations
from ._lazy import LazyImages
from ._paths import DatasetNotFoundError, get_data_home
from ._synthetic import make_faces

__all__ = [
    "AFFECTNET_COLUMNS",
    "AFFECTNET_EXPRESSIONS",
    "AMIGOS_VIDEO_PATTERN",
    "SEGMENT_SECONDS",
    "DatasetNotFoundError",
    "LazyImages",
    "get_data_home",
    "load_affectnet",
    "load_amigos",
    "make_faces",
    "read_amigos_annotations",
]
