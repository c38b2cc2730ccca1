"""A centred moving average over time, computed as rows stream past."""

from __future__ import annotations

import math
import warnings
from collections import deque

import numpy as np

from ..datasets._video import TOLERANCE


class CentredMean:
    """Smooth the named columns of rows by the mean over a window centred on each row.

    Rows arrive in time order (``time_s``, each frame's own timestamp) through
    :meth:`push`; a row is released, with ``<name>_smoothed`` columns added, once a row
    later than its window has arrived, and :meth:`flush` releases the rest. The window of
    a row at time ``t`` holds every row with ``t - seconds / 2 <= time_s <= t + seconds /
    2``, both ends included (to the microsecond: timestamps 0.2 s apart are 0.2 s apart,
    whatever their floating-point rounding). Missing values (NaN: no face in the frame) are left
    out of the means; a window with none gives NaN. Only the rows of one window are held,
    whatever the length of the stream.

    Parameters
    ----------
    seconds : float
        Width of the window (rows within ``seconds / 2`` of a row's time count, inclusive).
    names : sequence of str
        Columns to smooth.
    """

    def __init__(self, seconds, names):
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
            raise ValueError(f"the smoothing window must be a positive number, got {seconds!r}.")
        # Timestamps are microsecond-exact (VideoFrames): a row on the window's edge counts.
        self.half = float(seconds) / 2 + TOLERANCE
        self.names = list(names)
        self._past = deque()  # released rows still inside a pending row's window
        self._pending = deque()

    def _release(self, row):
        time = row["time_s"]
        window = [r for r in (*self._past, *self._pending) if abs(r["time_s"] - time) <= self.half]
        out = dict(row)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window without a face
            for name in self.names:
                out[f"{name}_smoothed"] = float(np.nanmean([r[name] for r in window]))
        return out

    def _ready(self, newest):
        released = []
        while self._pending and self._pending[0]["time_s"] + self.half < newest:
            row = self._pending[0]
            released.append(self._release(row))  # the row is in its own window
            self._past.append(self._pending.popleft())
            while self._past and self._past[0]["time_s"] < row["time_s"] - self.half:
                self._past.popleft()
        return released

    def push(self, row):
        """Add a row; return the rows released by it (smoothed), oldest first."""
        self._pending.append(row)
        return self._ready(row["time_s"])

    def flush(self):
        """Release every row still held."""
        return self._ready(math.inf)
