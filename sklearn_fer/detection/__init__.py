"""Face detectors beside the Haar cascade: MTCNN in plain torch, with real weights.

:class:`MTCNNDetector` finds faces with the MTCNN cascade (Zhang et al. 2016), whose
trained weights ship inside the facenet-pytorch wheel (read as state dicts, never
imported: ``pip install --no-deps facenet-pytorch==2.6.0``), and follows a face through
consecutive video frames. :class:`~sklearn_fer.FaceCropper` (Haar, the paper's) stays the
study's detector; the workflow commands take either by name (:func:`make_detector`).

Private modules: ``_mtcnn.py`` (the three networks, their weights, the cascade and a
plain non-maximum suppression), ``_detector.py`` (the estimator).
"""

from ._detector import DETECTORS, MTCNNDetector, make_detector
from ._mtcnn import nms

__all__ = ["DETECTORS", "MTCNNDetector", "make_detector", "nms"]
