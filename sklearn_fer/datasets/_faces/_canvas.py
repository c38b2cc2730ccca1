"""Drawing primitives: anti-aliased polygons in a face frame, at sub-pixel precision.

The face frame has its origin at the centre of the face ellipse (half-height 1), x to
the right of the image, y down. A :class:`Canvas` maps it to pixels through a similarity
transform with a horizontal squash (yaw).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

_SHIFT = 4  # OpenCV sub-pixel bits: coordinates are drawn at 1/16 px precision
_SCALE = 1 << _SHIFT


@functools.lru_cache(maxsize=64)
def _arc_table(n, start, stop):
    full = stop - start >= 2 * np.pi - 1e-9
    t = np.linspace(start, stop, n, endpoint=not full)
    return np.stack([np.cos(t), np.sin(t)], axis=1)


def ellipse(center, axes, n=28, start=0.0, stop=2 * np.pi):
    """Points of an ellipse (or of its arc from ``start`` to ``stop`` radians)."""
    return np.asarray(center) + np.asarray(axes) * _arc_table(n, start, stop)


@functools.lru_cache(maxsize=8)
def _bezier_weights(n):
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2, 2 * (1 - t) * t, t**2


def quadratic(p0, p1, p2, n=12):
    """Points of the quadratic Bezier curve from ``p0`` to ``p2`` pulled towards ``p1``."""
    w0, w1, w2 = _bezier_weights(n)
    return w0 * np.asarray(p0) + w1 * np.asarray(p1) + w2 * np.asarray(p2)


@functools.lru_cache(maxsize=8)
def grid(size):
    """Pixel coordinates on [-0.5, 0.5), shared by background ramps and light gradients."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    yy.setflags(write=False)
    xx.setflags(write=False)
    return yy, xx


def rgb(color):
    """An OpenCV colour tuple, each channel clipped to [0, 255]."""
    r, g, b = color
    return (min(255.0, max(0.0, r)), min(255.0, max(0.0, g)), min(255.0, max(0.0, b)))


class Canvas:
    """Draws face-frame polygons on an image through a similarity (+ yaw squash) transform."""

    def __init__(self, image, center, scale, angle, squash):
        self.image = image
        cos, sin = np.cos(angle), np.sin(angle)
        matrix = scale * np.array([[cos, -sin], [sin, cos]]) @ np.diag([squash, 1.0])
        # Points go straight to OpenCV's fixed-point pixels: (p @ M.T + c) * 2**shift.
        self._matrix = matrix.T * _SCALE
        self._offset = np.asarray(center, dtype=np.float64) * _SCALE
        self.thick = max(1, round(image.shape[0] / 64))

    def _px(self, points):
        pixels = np.asarray(points, dtype=np.float64) @ self._matrix
        pixels += self._offset
        return np.rint(pixels, out=pixels).astype(np.int32)

    def _many(self, polygons):
        # One matrix product for all the polygons of one call.
        pixels = self._px(np.concatenate(polygons))
        out, start = [], 0
        for polygon in polygons:
            out.append(pixels[start : start + len(polygon)])
            start += len(polygon)
        return out

    def fill(self, points, color):
        """Fill one polygon."""
        cv2.fillPoly(self.image, [self._px(points)], rgb(color), cv2.LINE_AA, _SHIFT)

    def fill_many(self, polygons, color):
        """Fill several disjoint polygons of one colour in one call."""
        cv2.fillPoly(self.image, self._many(polygons), rgb(color), cv2.LINE_AA, _SHIFT)

    def line(self, points, color, width=1.0, closed=False):
        """Stroke one polyline; ``width`` is in units of 1 px at 64 px."""
        self._stroke([self._px(points)], color, width, closed)

    def lines(self, polylines, color, width=1.0, closed=False):
        """Stroke several polylines of one colour and width in one call."""
        self._stroke(self._many(polylines), color, width, closed)

    def _stroke(self, pixels, color, width, closed):
        thickness = max(1, round(width * self.thick))
        cv2.polylines(self.image, pixels, closed, rgb(color), thickness, cv2.LINE_AA, _SHIFT)
