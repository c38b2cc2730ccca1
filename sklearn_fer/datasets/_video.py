"""Frames of a video, one every few seconds, decoded one at a time."""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import cv2
import numpy as np

__all__ = ["VideoFrames"]


def _capture(path):
    capture = cv2.VideoCapture(os.fspath(path))
    if not capture.isOpened():
        capture.release()
        raise OSError(f"cannot open video {os.fspath(path)!r} (missing, or not a video)")
    return capture


class VideoFrames:
    """The frames of a video sampled one every ``every_seconds``, read as they are needed.

    Iterating decodes the video in order and yields ``(time_s, frame)`` for the frames at
    0, ``every_seconds``, 2 ``every_seconds``, ... (the paper samples one frame every 4 s,
    Rescigno et al. 2020, Section 3.1). Only the current frame is held in memory, so a
    video of any length streams through in constant memory. The video is read in order
    (``grab``), never by seeking, which is exact for every codec; frames that fail to
    decode are skipped, their time slot left out.

    Parameters
    ----------
    path : path-like
        Video file (any format OpenCV's FFmpeg back end reads).
    every_seconds : float, default=4.0
        Sampling period in seconds.

    Attributes
    ----------
    fps : float
        Frame rate the video reports.
    frame_count : int
        Number of frames the video reports (0 when it does not say; may be approximate).
    n_expected : int
        Samples expected from ``frame_count`` (for a progress bar; the exact number is
        known once iteration ends).

    Raises
    ------
    OSError
        The file cannot be opened as a video, or reports no frame rate.
    ValueError
        ``every_seconds`` is not a positive number.

    Examples
    --------
    >>> import os, tempfile
    >>> import cv2
    >>> import numpy as np
    >>> from sklearn_fer.datasets import VideoFrames
    >>> path = os.path.join(tempfile.mkdtemp(), "clip.avi")
    >>> writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 2.0, (80, 64))
    >>> for value in range(10):  # 5 seconds at 2 frames per second
    ...     writer.write(np.full((64, 80, 3), 20 * value, dtype=np.uint8))
    >>> writer.release()
    >>> video = VideoFrames(path, every_seconds=2)
    >>> video.n_expected, [(t, frame.shape) for t, frame in video]
    (3, [(0.0, (64, 80, 3)), (2.0, (64, 80, 3)), (4.0, (64, 80, 3))])
    """

    def __init__(self, path, *, every_seconds=4.0):
        if (
            isinstance(every_seconds, bool)
            or not isinstance(every_seconds, numbers.Real)
            or not math.isfinite(every_seconds)
            or every_seconds <= 0
        ):
            raise ValueError(f"every_seconds must be a positive number, got {every_seconds!r}.")
        self.path = Path(os.fspath(path))
        self.every_seconds = float(every_seconds)
        capture = _capture(self.path)
        try:
            self.fps = float(capture.get(cv2.CAP_PROP_FPS))
            count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        finally:
            capture.release()
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise OSError(f"video {os.fspath(self.path)!r} reports no frame rate")
        self.frame_count = int(count) if np.isfinite(count) and count > 0 else 0
        duration = self.frame_count / self.fps
        self.n_expected = (
            int(math.floor((duration - 0.5 / self.fps) / self.every_seconds)) + 1
            if self.frame_count
            else 0
        )

    def __iter__(self):
        capture = _capture(self.path)
        try:
            index, k = 0, 0
            wanted = 0  # frame index of the k-th sample
            while capture.grab():
                if index == wanted:
                    ok, frame = capture.retrieve()
                    if ok:
                        yield k * self.every_seconds, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                    k += 1
                    wanted = int(round(k * self.every_seconds * self.fps))
                index += 1
        finally:
            capture.release()

    def __repr__(self):
        return f"VideoFrames({os.fspath(self.path)!r}, every_seconds={self.every_seconds:g})"


def faces_in_batches(frames, cropper, batch_size=32):
    """Detect and crop the face of each sampled frame, a batch of frames at a time.

    Parameters
    ----------
    frames : iterable of (float, ndarray)
        ``(time_s, RGB frame)`` pairs, such as a :class:`VideoFrames`.
    cropper : FaceCropper
        Finds the largest face of each frame and crops it to its ``output_size``.
    batch_size : int, default=32
        Frames held in memory at once.

    Yields
    ------
    times : ndarray of shape (n,)
        Times of the batch's frames.
    found : ndarray of shape (n,), bool
        Whether a face was found in each.
    faces : ndarray of shape (found.sum(), size, size, 3), uint8
        The faces of the frames where one was found, in order.
    """
    size = int(cropper.output_size)
    times, batch = [], []

    def detect():
        boxes = cropper.detect(batch)
        found = np.array([box is not None for box in boxes], dtype=bool)
        faces = (
            cropper.crop(
                [f for f, ok in zip(batch, found) if ok], [b for b in boxes if b is not None]
            )
            if found.any()
            else np.empty((0, size, size, 3), dtype=np.uint8)
        )
        return np.asarray(times, dtype=np.float64), found, faces

    for time_s, frame in frames:
        times.append(time_s)
        batch.append(frame)
        if len(batch) == batch_size:
            yield detect()
            times, batch = [], []
    if batch:
        yield detect()
