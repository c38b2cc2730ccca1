"""The face files of a labelling folder: named by the video's identity and the frame's
index, saved at a size a person can judge, with the frame around them, never overwritten.

A face file's name is ``faces/<stem>_<hash>_<index>.png``: ``<hash>`` the first 12 hex
digits of the SHA-256 of the video's bytes and ``<index>`` the decoded frame's index, so
two videos never share a name, whatever their file names (``my video.mp4`` and
``my_video.mp4``, ``session.mp4`` and ``session.mov``, two names in CJK characters all
clean to the same stem), and the same frame always gets the same name. ``<stem>`` (the
video's name, cleaned) is only there for a person browsing the folder.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from .._atomic import atomic_write
from .._model_crop import ModelCrop
from ._labels import FACES, normalised_path

__all__ = [
    "CONTEXT_WIDTH",
    "LABEL_SIZE",
    "FaceCuts",
    "FaceFiles",
    "model_input",
    "resolve_detector",
]


def resolve_detector(detector, cropper):
    """The detector a command uses: ``detector`` by name or object, else ``cropper``.

    ``detector`` None and ``cropper`` None: the Haar cascade (FaceCropper), the paper's.
    """
    from ..detection import make_detector

    if detector is not None and cropper is not None:
        raise ValueError(
            "give detector or cropper, not both (cropper is the Haar cascade's settings)."
        )
    if detector is None:
        return cropper if cropper is not None else make_detector("haar")
    return make_detector(detector)


def consecutive_frames(frames):
    """Whether a :class:`VideoFrames` reads every frame (so a detector may follow faces)."""
    every = frames.every_seconds
    return every is None or every * frames.fps <= 1.0


#: Side (px) of the saved faces when the model's input is smaller: large enough for a
#: person to judge an expression (the labelling page shows them at this size). The model's
#: input is made from the saved face (:func:`model_input`), so what is labelled is what is
#: trained on.
LABEL_SIZE = 224
#: Width (px) of the whole frame saved beside each face, the face's box drawn on it.
CONTEXT_WIDTH = 480
_BOX_COLOUR = (0, 220, 0)  # RGB
_HASH_DIGITS = 12


def model_input(face, crop):
    """The model's input made from a saved face, by the model's own crop.

    ``crop`` (a :class:`~sklearn_fer._model_crop.ModelCrop`) gives the colour and the
    resampling the model was trained with (the FER2013 model: gray, bilinear to 64 px).
    ``personalise`` reads the saved PNG (lossless) and makes its input by the same
    function, so query's pool and personalise's training set hold the same pixels.
    """
    if not isinstance(crop, ModelCrop):
        raise TypeError(f"crop must be a ModelCrop, got {type(crop).__name__}.")
    return crop.from_face(face)


class FaceCuts:
    """A detector's boxes cut out by a model's crop: what ``predict`` and ``query`` feed.

    The interface :func:`~sklearn_fer.datasets._video.faces_in_batches` expects of a
    cropper (``output_size``, ``detect``, ``crop``), with detection from ``detector``
    and the cut from ``crop``.

    Parameters
    ----------
    detector : object with ``detect(images) -> list of box or None``
        Such as :class:`~sklearn_fer.FaceCropper`.
    crop : ModelCrop
        The model's crop.
    label_size : int or None, default=None
        Cut each face in colour at this side first (what ``query`` saves for a person to
        judge) and make the model's input from it (:func:`model_input`); None cuts
        straight at the model's input (``predict``).
    consecutive : bool, default=False
        The images come as consecutive frames of one video, in order: a detector with
        ``detect_sequence`` follows the face from frame to frame.
    """

    def __init__(self, detector, crop, label_size=None, *, consecutive=False):
        self.detector = detector
        self.model_crop = crop
        self.label_size = None if label_size is None else max(int(label_size), crop.size)
        self.output_size = crop.size
        # A detector that follows a face (MTCNNDetector.detect_sequence) does so over
        # consecutive frames only; its state spans the batches of one video.
        self._follow = consecutive and callable(getattr(detector, "detect_sequence", None))
        self._state = None

    def detect(self, images):
        """The detector's box of the largest face of each image, or None."""
        if self._follow:
            boxes, self._state = self.detector.detect_sequence(images, self._state)
            return boxes
        return self.detector.detect(images)

    def labelling_face(self, image, box):
        """The colour face at ``label_size`` a person labels (query saves it)."""
        return self.model_crop.cut_for_labelling(image, box, self.label_size or LABEL_SIZE)

    def crop(self, images, boxes):
        """The model's inputs of the boxes: ``(n, size, size, 3)`` uint8."""
        size = self.output_size
        out = np.empty((len(images), size, size, 3), dtype=np.uint8)
        for index, (image, box) in enumerate(zip(images, boxes)):
            if self.label_size:
                out[index] = self.model_crop.from_face(self.labelling_face(image, box))
            else:
                out[index] = self.model_crop.cut(image, box)
        return out


def _stem(video_name):
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", video_name.rsplit(".", 1)[0])
    return stem.strip("._")[:40] or "video"


def _context(frame, box):
    """The whole frame, at most CONTEXT_WIDTH wide, with the face's box drawn."""
    height, width = frame.shape[:2]
    scale = min(1.0, CONTEXT_WIDTH / width)
    small = cv2.resize(
        frame, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
    )
    x, y, w, h = (round(v * scale) for v in box)
    cv2.rectangle(small, (x, y), (x + w - 1, y + h - 1), _BOX_COLOUR, max(2, round(3 * scale)))
    return small


def _encode(extension, image, params=()):
    ok, encoded = cv2.imencode(extension, cv2.cvtColor(image, cv2.COLOR_RGB2BGR), list(params))
    if not ok:  # pragma: no cover - encoding a uint8 RGB image does not fail
        raise OSError(f"cannot encode an image as {extension}")
    return encoded.tobytes()


class FaceFiles:
    """The files one query writes into a labelling folder, checked before any is written.

    Parameters
    ----------
    folder : pathlib.Path
        The labelling folder.
    video_name : str
        The video's file name (for the readable part of the names).
    sha256 : str
        The SHA-256 of the video's bytes (its identity).
    """

    def __init__(self, folder, video_name, sha256):
        self.folder = folder
        self.prefix = f"{FACES}/{_stem(video_name)}_{sha256[:_HASH_DIGITS]}"
        self.files = {}  # relative name -> bytes

    def names(self, index):
        """``(face, context)``: the relative names of frame ``index``'s two files."""
        base = f"{self.prefix}_{int(index):06d}"
        return f"{base}.png", f"{base}_frame.jpg"

    def add(self, index, face, frame, box):
        """Encode frame ``index``'s face and its frame in context; return their names."""
        face_name, context_name = self.names(index)
        self.files[face_name] = _encode(".png", np.ascontiguousarray(face))
        self.files[context_name] = _encode(
            ".jpg", _context(frame, box), (cv2.IMWRITE_JPEG_QUALITY, 88)
        )
        return face_name, context_name

    def check(self, listed):
        """Refuse (ValueError) if writing would change a file or reuse a listed path.

        ``listed`` holds the paths ``labels.csv`` lists. A file already holding exactly
        these bytes (a query interrupted after writing its faces, run again) is fine.
        """
        listed = {normalised_path(p) for p in listed}
        clashes = []
        for name, content in self.files.items():
            path = self.folder / name
            if normalised_path(name) in listed:
                clashes.append(f"{name} (listed in labels.csv)")
            elif path.exists() and (not path.is_file() or path.read_bytes() != content):
                clashes.append(f"{name} (exists, with other content)")
        if clashes:
            shown = "; ".join(clashes[:5]) + ("; ..." if len(clashes) > 5 else "")
            raise ValueError(
                f"refusing to overwrite {len(clashes)} file(s) in {str(self.folder)!r}: "
                f"{shown}. Nothing was written; move them away or query into another folder."
            )

    def write(self):
        """Write every file, each atomically."""
        (self.folder / FACES).mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            atomic_write(self.folder / name, content, binary=True)
