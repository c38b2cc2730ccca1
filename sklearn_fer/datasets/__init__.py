"""Data: the synthetic face generator (the embedded default), loaders for AffectNet and
AMIGOS, the data sets of Rescigno et al. (2020), which are licensed and not distributed, a
loader for a folder of a user's own labelled faces, video frames read as a stream, and the
few real face photographs that ship inside scikit-image's wheel."""

from ._affectnet import AFFECTNET_COLUMNS, load_affectnet
from ._amigos import AMIGOS_VIDEO_PATTERN, SEGMENT_SECONDS, load_amigos, read_amigos_annotations
from ._expressions import AFFECTNET_EXPRESSIONS
from ._faces import ACTION_UNITS, PERTURBATIONS, make_faces, perturb_faces
from ._labelled import LABELLED_COLUMNS, load_labelled_faces
from ._lazy import LazyImages
from ._paths import DatasetNotFoundError, get_data_home
from ._photographs import ASTRONAUT_FACE_BOX, load_sample_faces
from ._video import VideoFrames

__all__ = [
    "ACTION_UNITS",
    "AFFECTNET_COLUMNS",
    "AFFECTNET_EXPRESSIONS",
    "AMIGOS_VIDEO_PATTERN",
    "ASTRONAUT_FACE_BOX",
    "SEGMENT_SECONDS",
    "DatasetNotFoundError",
    "LABELLED_COLUMNS",
    "LazyImages",
    "PERTURBATIONS",
    "VideoFrames",
    "get_data_home",
    "load_affectnet",
    "load_amigos",
    "load_labelled_faces",
    "load_sample_faces",
    "make_faces",
    "perturb_faces",
    "read_amigos_annotations",
]
