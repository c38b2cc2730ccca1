"""Data: the synthetic face generator (the embedded default), loaders for AffectNet and
AMIGOS, the data sets of Rescigno et al. (2020), which are licensed and not distributed, a
loader for a folder of a user's own labelled faces, and video frames read as a stream."""

from ._affectnet import AFFECTNET_COLUMNS, AFFECTNET_EXPRESSIONS, load_affectnet
from ._amigos import AMIGOS_VIDEO_PATTERN, SEGMENT_SECONDS, load_amigos, read_amigos_annotations
from ._labelled import LABELLED_COLUMNS, load_labelled_faces
from ._lazy import LazyImages
from ._paths import DatasetNotFoundError, get_data_home
from ._synthetic import make_faces
from ._video import VideoFrames

__all__ = [
    "AFFECTNET_COLUMNS",
    "AFFECTNET_EXPRESSIONS",
    "AMIGOS_VIDEO_PATTERN",
    "SEGMENT_SECONDS",
    "DatasetNotFoundError",
    "LABELLED_COLUMNS",
    "LazyImages",
    "VideoFrames",
    "get_data_home",
    "load_affectnet",
    "load_amigos",
    "load_labelled_faces",
    "make_faces",
    "read_amigos_annotations",
]
