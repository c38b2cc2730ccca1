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
from ..datasets._lazy import crop_and_resize
from ._labels import FACES, normalised_path

__all__ = ["CONTEXT_WIDTH", "LABEL_SIZE", "FaceFiles", "model_input"]

#: Side (px) of the saved faces when the model's input is smaller: large enough for a
#: person to judge an expression (the labelling page shows them at this size). The model's
#: input is made from the saved face (:func:`model_input`), so what is labelled is what is
#: trained on.
LABEL_SIZE = 224
#: Width (px) of the whole frame saved beside each face, the face's box drawn on it.
CONTEXT_WIDTH = 480
_BOX_COLOUR = (0, 220, 0)  # RGB
_HASH_DIGITS = 12


def model_input(face, image_size):
    """The model's input made from a saved face: resized as the loader resizes files.

    :func:`~sklearn_fer.datasets.load_labelled_faces` reads the saved PNG (lossless) and
    resizes it with the same function, so query's pool and personalise's training set
    hold the same pixels.
    """
    return crop_and_resize(face, None, int(image_size))


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
