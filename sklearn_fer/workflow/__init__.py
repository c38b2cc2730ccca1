"""A person's own model from their own video: choose frames, label, personalise, predict.

The workflow the method of Rescigno et al. (2020) exists for, as functions (the
``sklearn-fer`` commands ``query``, ``label``, ``personalise`` and ``predict`` call them):

1. :func:`query_video` picks the frames of a video to label with a sampler (GSx, GSy,
   iGS, MCDUE, random) and writes their face crops and a ``labels.csv`` to fill in;
2. :class:`LabelServer` serves a local page to label them on a valence-arousal grid, or
   :func:`set_label` writes a label from code (:func:`read_labels` reads them back);
3. :func:`personalise` fine-tunes a general model's dense part on the labelled frames
   and compares it with the general model by cross-validation (or, from the real FER2013
   model's conv layers, :data:`FER2013_MODEL`, trains a new valence-arousal head and
   compares it with the mean of the labels);
4. :func:`predict_video` (and :func:`iter_video_predictions`) streams per-frame
   valence and arousal for a video of any length (or, with :data:`FER2013_MODEL`, the
   expression probabilities of the real FER2013 model).

Model folders are read and written by :mod:`sklearn_fer.persistence`; a labelling folder
is what :func:`~sklearn_fer.datasets.load_labelled_faces` reads.

Private modules: ``_labels.py`` (the labelling folder), ``_pool.py`` (a model's nets as
one sampling pool), ``_query.py``, ``_label_server.py`` and ``_label_page.py``,
``_general.py`` (a model folder or the FER2013 model as the start), ``_personalise.py``,
``_predict.py`` and ``_smoothing.py``, ``_pretrain.py`` (general
models for ``sklearn-fer pretrain``).
"""

from ._general import FER2013_MODEL
from ._label_server import LabelServer
from ._labels import LABEL_COLUMNS, read_labels, set_label
from ._personalise import default_head, personalise
from ._predict import iter_video_predictions, predict_video
from ._query import SAMPLERS, query_video

__all__ = [
    "FER2013_MODEL",
    "LABEL_COLUMNS",
    "SAMPLERS",
    "LabelServer",
    "default_head",
    "iter_video_predictions",
    "personalise",
    "predict_video",
    "query_video",
    "read_labels",
    "set_label",
]
