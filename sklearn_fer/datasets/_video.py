"""Frames of a video, sampled by their own timestamps and decoded one at a time."""

from __future__ import annotations

import hashlib
import math
import numbers
import os
import warnings
from pathlib import Path

import cv2
import numpy as np

__all__ = ["VideoFrames"]

# Timestamps are rounded to the microsecond, far below any frame interval, so that 0.3 s
# is 0.3 and not 0.30000000000000004; comparisons allow the same slack.
_DECIMALS = 6
TOLERANCE = 1e-6


def format_seconds(time_s):
    """A timestamp as text, to the microsecond it is exact to (at least milliseconds).

    Examples
    --------
    >>> [format_seconds(t) for t in (0.0, 1.5, 0.041708)]
    ['0.000', '1.500', '0.041708']
    """
    text = f"{time_s:.{_DECIMALS}f}"
    return text[:-3] + text[-3:].rstrip("0")


def _capture(path):
    capture = cv2.VideoCapture(os.fspath(path))
    if not capture.isOpened():
        capture.release()
        raise OSError(f"cannot open video {os.fspath(path)!r} (missing, or not a video)")
    return capture


def video_sha256(path, *, chunk_size=1 << 20):
    """SHA-256 of a file's bytes: the identity of a video, whatever its name or folder.

    Parameters
    ----------
    path : path-like
    chunk_size : int, default=1 MiB
        Bytes read at a time (memory does not grow with the file).

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "clip.mp4")
    >>> _ = open(path, "wb").write(b"abc")
    >>> video_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(os.fspath(path), "rb") as stream:
        while block := stream.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def _check_period(every_seconds):
    if every_seconds is None:
        return None
    if (
        isinstance(every_seconds, bool)
        or not isinstance(every_seconds, numbers.Real)
        or not math.isfinite(every_seconds)
        or every_seconds <= 0
    ):
        raise ValueError(
            f"every_seconds must be a positive number, or None for every frame; got "
            f"{every_seconds!r}."
        )
    return float(every_seconds)


class VideoFrames:
    """The frames of a video at 0, ``every_seconds``, 2 ``every_seconds``, ... by their
    own timestamps, read as they are needed.

    Iterating decodes the video in order and yields ``(time_s, frame)``: for each
    requested time ``k * every_seconds``, the first frame whose own timestamp (its
    presentation time in the container, as FFmpeg decodes it) is at or after that time.
    Each frame is yielded at most once, so a period shorter than the frame interval
    yields every frame, never fewer; and ``time_s`` is always the frame's own timestamp,
    exact on videos whose frame rate varies (the average rate a container reports can
    be far from the rate of a stretch of it). The paper samples one frame every 4 s
    (Rescigno et al. 2020, Section 3.1). Only the current frame is held in memory, so a
    video of any length streams through in constant memory. The video is read in order
    (``grab``), never by seeking, which is exact for every codec; a frame that fails to
    decode is passed over, and the next one stands for its requested time.

    Parameters
    ----------
    path : path-like
        Video file (any format OpenCV's FFmpeg back end reads).
    every_seconds : float or None, default=4.0
        Sampling period in seconds; None yields every frame.

    Attributes
    ----------
    fps : float
        Average frame rate the video reports (for estimates only; timestamps are read
        from the frames).
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
        ``every_seconds`` is neither None nor a positive number.

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
    >>> [(index, t) for index, t, _ in VideoFrames(path, every_seconds=0.3).iter_frames()][:4]
    [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5)]
    """

    def __init__(self, path, *, every_seconds=4.0):
        self.every_seconds = _check_period(every_seconds)
        self.path = Path(os.fspath(path))
        capture = _capture(self.path)
        try:
            self.fps = float(capture.get(cv2.CAP_PROP_FPS))
            count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        finally:
            capture.release()
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise OSError(f"video {os.fspath(self.path)!r} reports no frame rate")
        self.frame_count = int(count) if np.isfinite(count) and count > 0 else 0
        self.n_expected = self.frame_count
        if self.frame_count and self.every_seconds is not None:
            duration = self.frame_count / self.fps
            by_time = int(math.floor((duration - 0.5 / self.fps) / self.every_seconds)) + 1
            self.n_expected = min(self.frame_count, by_time)

    def _decoded(self):
        """Every frame as ``(index, time_s, capture)``, the capture holding it grabbed."""
        capture = _capture(self.path)
        try:
            index, previous, guessed = 0, -math.inf, False
            while capture.grab():
                time_s = round(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, _DECIMALS)
                if not time_s > previous:
                    # A container without timestamps for this frame: the nominal rate.
                    if not guessed:
                        warnings.warn(
                            f"video {os.fspath(self.path)!r} gives no timestamp for frame "
                            f"{index}; its time and those of other such frames are counted "
                            f"from the reported rate ({self.fps:g} frames/s).",
                            stacklevel=3,
                        )
                    guessed = True
                    time_s = round(previous + 1.0 / self.fps, _DECIMALS)
                previous = time_s
                yield index, time_s, capture
                index += 1
        finally:
            capture.release()

    def iter_frames(self):
        """Yield ``(index, time_s, frame)`` of each sampled frame.

        ``index`` counts the video's decoded frames from 0 (it names a frame whatever the
        sampling period: the same frame has the same index), ``time_s`` is that frame's
        own timestamp, ``frame`` its RGB image.
        """
        wanted = 0.0  # the next requested time
        for index, time_s, capture in self._decoded():
            if time_s + TOLERANCE < wanted:
                continue
            ok, frame = capture.retrieve()
            if not ok:
                continue  # the next frame stands for this requested time
            yield index, time_s, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            if self.every_seconds is not None:
                # The first requested time after this frame: those it already stood for
                # are not asked again (a period below the frame interval: every frame).
                wanted = (math.floor(time_s / self.every_seconds + TOLERANCE) + 1) * (
                    self.every_seconds
                )

    def at_indices(self, indices):
        """Yield ``(index, time_s, frame)`` of the frames with these indices, in order.

        For frames found by :meth:`iter_frames` (a second pass reads them again, e.g. to
        save the chosen ones); indices past the end are not yielded.
        """
        wanted = sorted({int(i) for i in indices})
        if not wanted:
            return
        position = 0
        for index, time_s, capture in self._decoded():
            if index != wanted[position]:
                continue
            ok, frame = capture.retrieve()
            if ok:
                yield index, time_s, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            position += 1
            if position == len(wanted):
                return

    def __iter__(self):
        for _, time_s, frame in self.iter_frames():
            yield time_s, frame

    def __repr__(self):
        every = "None" if self.every_seconds is None else f"{self.every_seconds:g}"
        return f"VideoFrames({os.fspath(self.path)!r}, every_seconds={every})"


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
