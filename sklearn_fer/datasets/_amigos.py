"""Loader for AMIGOS frontal face videos with their external valence/arousal annotations."""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._atomic import atomic_write
from .._validation import NumberInterval, positive_int
from ..cropping import FaceCropper
from ..nets import MIN_IMAGE_SIZE
from ._paths import DatasetNotFoundError, check_root, get_data_home
from ._video import VideoFrames, faces_in_batches

__all__ = ["load_amigos", "read_amigos_annotations", "AMIGOS_VIDEO_PATTERN", "SEGMENT_SECONDS"]

#: Default layout, matched against each video's path relative to root (zero padding of
#: the participant number optional): ``Exp1_P{NN}_face/P{NN}_{VideoID}_face.mov``.
AMIGOS_VIDEO_PATTERN = (
    r"Exp1_P(?P<participant>\d+)_face/P(?P<file_participant>\d+)_(?P<video>[^_/]+)_face"
    r"\.(?:mov|MOV)"
)
#: Length of the segments the external annotators rated.
SEGMENT_SECONDS = 20.0

_ANNOTATION_KEYS = ("UserID", "VideoID", "Segment_Index")
_ANNOTATORS = (1, 2, 3)
_MAX_INDEX = 2**31 - 1  # largest UserID / Segment_Index taken (beyond: not an index)
_SHOWN = 5  # bad values listed in an error
_CACHE_VERSION = 2  # bump when the extraction changes, so old cache entries are not reused

DESCR = """\
AMIGOS short-video experiment, frontal face frames
==================================================

Frontal HD videos of participants watching 16 short emotional film extracts, with valence
and arousal of each 20 s segment rated by three external annotators on [-1, 1]
(Miranda-Correa et al., 2018). Following Rescigno et al. (2020, Section 3.1): one frame
every {every:g} s, the face cropped with OpenCV's Haar cascade and resized to {size}x{size}
px, and each frame labelled with the mean of the external annotators for its segment
(annotator values outside [-1, 1] clipped first). Segment_Index k covers [20(k-1), 20k) s
of its video, so a frame at t seconds takes segment floor(t / 20) + 1. Frames without a
detected face are dropped (the paper removed them by hand) and listed in ``dropped``. The
data set is licensed by its authors and is not distributed with sklearn-fer.
"""


def _norm_video_id(value):
    """'010', 10 and 10.0 name the same video; other ids are kept as text."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _shown(value):
    """A cell as an error message shows it: text quoted, numbers as written."""
    return repr(value) if isinstance(value, str) else str(value)


def _norm_column(name):
    return re.sub(r"[\s_]+", "_", str(name).strip()).lower()


def _read_table(path, excel):
    """The annotation file as a DataFrame; ValueError naming the file when unreadable."""
    try:
        if excel:
            return pd.read_excel(path)
        with warnings.catch_warnings():
            # index_col=False: a row longer than the header is not silently shifted into
            # an index; pandas warns instead, made an error here.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(path, index_col=False, skip_blank_lines=False)
    except ImportError:
        raise
    except pd.errors.ParserWarning:
        raise ValueError(
            f"cannot read AMIGOS annotations from {str(path)!r}: a row has more fields than "
            "the header."
        ) from None
    except Exception as error:  # noqa: BLE001 - re-raised with the file named
        raise ValueError(f"cannot read AMIGOS annotations from {str(path)!r}: {error}") from error


def read_amigos_annotations(path):
    """Read AMIGOS' external annotations into one label per (participant, video, segment).

    Parameters
    ----------
    path : path-like
        ``External_Annotations.xlsx`` (or a ``.csv`` with the same columns: ``UserID,
        VideoID, Segment_Index, Valence_Annotator_1..3, Arousal_Annotator_1..3``).

    Returns
    -------
    labels : pandas.DataFrame
        Columns ``participant`` (int), ``video`` (str), ``segment`` (int), ``valence``,
        ``arousal``: the mean over the annotators who rated the segment, each rating first
        clipped to [-1, 1]. Blank rows, and segments no annotator rated, are left out.

    Raises
    ------
    ValueError
        The file cannot be read, lacks a column, has a row longer than its header, or has
        a bad value: a ``UserID`` or ``Segment_Index`` that is not a whole number (>= 0,
        >= 1), an empty ``VideoID``, or a rating that is not a finite number (an empty
        rating is an annotator who did not rate the segment). The message names the line
        (the row of a spreadsheet), the column and the value.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "External_Annotations.csv")
    >>> pd.DataFrame({"UserID": [1], "VideoID": [10], "Segment_Index": [1],
    ...               "Valence_Annotator_1": [0.5], "Valence_Annotator_2": [1.4],
    ...               "Valence_Annotator_3": [0.0], "Arousal_Annotator_1": [-0.2],
    ...               "Arousal_Annotator_2": [-0.4], "Arousal_Annotator_3": [0.0]}
    ...              ).to_csv(path, index=False)
    >>> read_amigos_annotations(path)[["valence", "arousal"]].round(2).values.tolist()
    [[0.5, -0.2]]
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise DatasetNotFoundError(f"AMIGOS annotation file {str(path)!r} does not exist.")
    excel = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
    table = _read_table(path, excel)
    by_norm = {_norm_column(column): column for column in table.columns}
    expected = list(_ANNOTATION_KEYS) + [
        f"{dim}_Annotator_{k}" for dim in ("Valence", "Arousal") for k in _ANNOTATORS
    ]
    missing = [name for name in expected if _norm_column(name) not in by_norm]
    if missing:
        raise ValueError(
            f"{str(path)!r} lacks the column(s) {', '.join(missing)}; expected "
            f"{', '.join(expected)}."
        )

    raw = {name: table[by_norm[_norm_column(name)]] for name in expected}
    given = {
        name: values.notna() & (values.astype(str).str.strip() != "")
        for name, values in raw.items()
    }
    blank = ~np.logical_or.reduce([mask.to_numpy() for mask in given.values()])
    problems = []  # (row index, text); blank rows (no value at all) are skipped

    def column(name, what, valid=np.isfinite, required=False):
        """The column as floats (NaN where empty); bad cells are added to ``problems``."""
        values = pd.to_numeric(raw[name], errors="coerce").astype(np.float64).to_numpy()
        with np.errstate(invalid="ignore"):
            bad = given[name].to_numpy() & ~(np.isfinite(values) & valid(values))
        for i in np.flatnonzero(bad):
            problems.append((i, f"{name} {_shown(raw[name].iloc[i])} is not {what}"))
        if required:
            problems.extend((i, f"{name} is empty") for i in np.flatnonzero(~given[name] & ~blank))
        return values

    def whole(low):
        return lambda v: (v >= low) & (v <= _MAX_INDEX) & (v == np.floor(v))

    participant = column("UserID", "a whole number >= 0", whole(0), required=True)
    segment = column("Segment_Index", "a whole number >= 1", whole(1), required=True)
    problems.extend((i, "VideoID is empty") for i in np.flatnonzero(~given["VideoID"] & ~blank))
    ratings = {
        dim: np.column_stack(
            [column(f"{dim}_Annotator_{k}", "a number (empty when not rated)") for k in _ANNOTATORS]
        )
        for dim in ("Valence", "Arousal")
    }
    if problems:
        problems.sort(key=lambda problem: problem[0])
        where = "row" if excel else "line"  # as a spreadsheet or editor numbers them
        shown = "; ".join(f"{where} {i + 2}: {text}" for i, text in problems[:_SHOWN])
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise ValueError(f"{str(path)!r} has {len(problems)} bad value(s): {shown}{more}.")
    out = pd.DataFrame(
        {
            "participant": participant,
            "video": raw["VideoID"].map(_norm_video_id),
            "segment": segment,
        }
    )
    for dim, values in ratings.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows -> NaN
            out[dim.lower()] = np.nanmean(np.clip(values, -1.0, 1.0), axis=1)
    # Blank rows, and segments no annotator rated (for valence or for arousal).
    out = out.dropna(subset=["participant", "segment", "valence", "arousal"])
    out["participant"] = out["participant"].astype(int)
    out["segment"] = out["segment"].astype(int)
    return out.reset_index(drop=True)


def _find_annotation_file(root):
    for name in ("External_Annotations.xlsx", "External_Annotations.csv"):
        path = root / name
        if path.is_file():
            if not _inside(path, root):
                raise ValueError(
                    f"{str(path)!r} is a link leading out of the AMIGOS root {str(root)!r}, "
                    "which is not read; pass annotations=<path> to read that file."
                )
            return path
    raise DatasetNotFoundError(
        f"no External_Annotations.xlsx or External_Annotations.csv in {str(root)!r}; pass "
        "annotations=<path> if it lies elsewhere."
    )


def _inside(path, root):
    """Whether ``path``, its links followed, lies inside ``root`` (links followed too)."""
    return path.resolve().is_relative_to(root.resolve())


def _find_videos(root, pattern):
    regex = re.compile(pattern)
    if "participant" not in regex.groupindex or "video" not in regex.groupindex:
        raise ValueError(
            f"video_pattern must have named groups 'participant' and 'video', got {pattern!r}."
        )
    found = []
    for dirpath, _, filenames in os.walk(root):
        for filename in filenames:
            relative = Path(dirpath, filename).relative_to(root).as_posix()
            match = regex.fullmatch(relative)
            if match is None:
                continue
            groups = match.groupdict()
            try:
                participant = int(groups["participant"])
                if groups.get("file_participant") is not None:
                    if int(groups["file_participant"]) != participant:
                        continue
            except (TypeError, ValueError):
                raise ValueError(
                    f"{relative!r} matches video_pattern {pattern!r} but its participant "
                    f"{groups['participant']!r} is not a whole number."
                ) from None
            found.append((participant, _norm_video_id(match.group("video")), relative))
    return sorted(found, key=lambda item: (item[0], item[1], item[2]))


def _cache_key(path, relative, every_seconds, cropper):
    stat = path.stat()
    description = {
        "version": _CACHE_VERSION,
        "video": relative,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "every_seconds": float(every_seconds),
        "cropper": {k: repr(v) for k, v in sorted(cropper.get_params().items())},
    }
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:20]


def _atomic_savez(path, **arrays):
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda stream: np.savez(stream, **arrays), binary=True)


def _extract_video(path, relative, every_seconds, cropper, cache_folder):
    """Faces and times of the sampled frames of one video, from the cache when possible.

    Returns ``(faces, times, has_face, n_expected)``, ``n_expected`` the number of samples
    the video's frame count promises (more than decoded when the video is truncated).
    """
    cache_file = None
    if cache_folder is not None:
        key = _cache_key(path, relative, every_seconds, cropper)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", relative)
        cache_file = cache_folder / f"{stem}.{key}.npz"
        if cache_file.is_file():
            with np.load(cache_file) as cached:
                return (
                    cached["faces"],
                    cached["time_s"],
                    cached["has_face"],
                    int(cached["n_expected"]),
                )
    # Streamed: only a batch of full-size frames is in memory at any time.
    frames = VideoFrames(path, every_seconds=every_seconds)
    parts = list(faces_in_batches(frames, cropper))
    size = cropper.output_size
    times = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
    has_face = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=bool)
    faces = (
        np.concatenate([p[2] for p in parts])
        if parts
        else np.empty((0, size, size, 3), dtype=np.uint8)
    )
    if cache_file is not None:
        _atomic_savez(
            cache_file,
            faces=faces,
            time_s=times,
            has_face=has_face,
            n_expected=np.array(frames.n_expected),
        )
    return faces, times, has_face, frames.n_expected


def _select_videos(root, video_pattern, participants):
    """The ``(participant, video, relative path)`` of the videos to load."""
    videos = _find_videos(root, video_pattern)
    if not videos:
        raise DatasetNotFoundError(
            f"no video under {str(root)!r} matches {video_pattern!r} (expected "
            "Exp1_P{NN}_face/P{NN}_{VideoID}_face.mov)."
        )
    if participants is None:
        return videos
    wanted = {int(p) for p in np.atleast_1d(participants)}
    available = sorted({p for p, _, _ in videos})
    unknown = sorted(wanted - set(available))
    if unknown:
        raise ValueError(f"no videos for participant(s) {unknown}; found participants {available}.")
    return [item for item in videos if item[0] in wanted]


def _cache_folder(cache_dir):
    if cache_dir is False:
        return None
    if cache_dir is None:
        return get_data_home() / "amigos_frames"
    return Path(os.fspath(cache_dir)).expanduser()


def _label_frames(participant, video, faces, times, has_face, lookup, dropped):
    """The annotated faces of one video as a dict of columns (None if there are none).

    Frames without a face or whose segment has no annotation are appended to ``dropped``.
    """
    face_times = times[has_face]
    dropped.extend((participant, video, t, "no face detected") for t in times[~has_face])
    segments = (face_times // SEGMENT_SECONDS).astype(np.int64) + 1
    found = [lookup.get((participant, video, int(s))) for s in segments]
    annotated = np.array([f is not None for f in found], dtype=bool)
    dropped.extend(
        (participant, video, t, "no annotation for its segment") for t in face_times[~annotated]
    )
    if not annotated.any():
        return None
    return {
        "images": faces[annotated],
        "target": np.array([f for f in found if f is not None], dtype=np.float32),
        "subject": np.full(int(annotated.sum()), participant),
        "video": np.full(int(annotated.sum()), video, dtype=object),
        "segment": segments[annotated],
        "time_s": face_times[annotated],
    }


def _gather(parts, image_size):
    """One Bunch of the per-video columns, empty arrays of the right shape when none."""

    def gather(key, empty):
        return np.concatenate([part[key] for part in parts]) if parts else empty

    target = gather("target", np.empty((0, 2), dtype=np.float32))
    return Bunch(
        images=gather("images", np.empty((0, image_size, image_size, 3), dtype=np.uint8)),
        valence=target[:, 0].copy(),
        arousal=target[:, 1].copy(),
        target=target,
        subject=gather("subject", np.empty(0, dtype=np.int64)).astype(np.int64),
        video=gather("video", np.empty(0, dtype=object)),
        segment=gather("segment", np.empty(0, dtype=np.int64)),
        time_s=gather("time_s", np.empty(0)),
        feature_names=["valence", "arousal"],
    )


@validate_params(
    {
        "image_size": [positive_int(MIN_IMAGE_SIZE)],
        "every_seconds": [NumberInterval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=False,
)
def load_amigos(
    root,
    *,
    participants=None,
    every_seconds=4.0,
    image_size=227,
    cache_dir=None,
    annotations=None,
    video_pattern=AMIGOS_VIDEO_PATTERN,
    cropper=None,
    verbose=False,
):
    """Load face frames of AMIGOS' short-video experiment with external annotations.

    The personal data of Rescigno et al. (2020, Section 3.1): from each frontal video one
    frame every ``every_seconds``, the face cropped with a Haar cascade
    (:class:`~sklearn_fer.FaceCropper`), labelled with the mean of the three external
    annotators for the 20 s segment the frame falls in (``Segment_Index`` k covers
    [20(k-1), 20k) s; a frame at t s takes segment ``floor(t / 20) + 1``, the layout of
    AMIGOS' external annotations described by Miranda-Correa et al.). Frames without a face
    or without an annotation are dropped and listed in ``dropped``, with the reason; so are
    the videos that cannot be read (a warning names each) and the frames a truncated video
    promises but does not hold. A video that is a link leading out of ``root`` is never
    read (reason ``"path leaves root"``).

    Extracted faces are cached under ``cache_dir`` (written atomically; a later call with
    the same video file and settings reads them without decoding the video again). Nothing
    under ``root`` is written or modified.

    Parameters
    ----------
    root : path-like
        Folder holding ``Exp1_P{NN}_face/P{NN}_{VideoID}_face.mov`` and
        ``External_Annotations.xlsx`` (or ``.csv``).
    participants : sequence of int or None, default=None
        Participant numbers to load; None loads all found.
    every_seconds : float, default=4.0
        Sampling period in seconds (the paper: 4).
    image_size : int, default=227
        Side of the square face crops; at least 63.
    cache_dir : path-like, False or None, default=None
        Where to cache extracted faces; None uses ``get_data_home()/amigos_frames``, False
        disables the cache.
    annotations : path-like or None, default=None
        The annotation file, when it is not ``root/External_Annotations.xlsx|csv``.
    video_pattern : str, default=AMIGOS_VIDEO_PATTERN
        Regular expression matched against each file's path relative to ``root`` (with
        ``/`` separators); named groups ``participant`` and ``video`` are required.
    cropper : FaceCropper or None, default=None
        Face detector settings; its ``output_size`` is set to ``image_size``.
    verbose : bool, default=False
        Show a progress bar over videos.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8 ``(n, image_size, image_size, 3)``), ``valence``, ``arousal``
        (float32), ``target`` (``(n, 2)``), ``subject`` (participant number), ``video``
        (VideoID as text), ``segment`` (int), ``time_s`` (seconds into the video),
        ``dropped`` (DataFrame with ``participant``, ``video``, ``time_s``, ``reason``),
        ``DESCR``.

    References
    ----------
    Miranda-Correa, Abadi, Sebe & Patras (2018). AMIGOS: a dataset for affect, personality
    and mood research on individuals and groups. IEEE Transactions on Affective Computing.

    Examples
    --------
    >>> from sklearn_fer.datasets import load_amigos
    >>> load_amigos("/no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn_fer.datasets._paths.DatasetNotFoundError: AMIGOS root '/no/such/folder' ...
    """
    root = check_root(root, "AMIGOS")
    cropper = clone(cropper if cropper is not None else FaceCropper())
    cropper.set_params(output_size=image_size).fit()
    labels = read_amigos_annotations(
        annotations if annotations is not None else _find_annotation_file(root)
    )
    lookup = {
        (row.participant, row.video, row.segment): (row.valence, row.arousal)
        for row in labels.itertuples(index=False)
    }
    videos = _select_videos(root, video_pattern, participants)
    cache_folder = _cache_folder(cache_dir)
    iterator = videos
    if verbose:
        from tqdm.auto import tqdm

        iterator = tqdm(videos, desc="AMIGOS videos", unit="video")

    parts, dropped = [], []
    for participant, video, relative in iterator:
        if not _inside(root / relative, root):
            warnings.warn(f"skipped {relative}: a link leading out of {str(root)!r}", stacklevel=2)
            dropped.append((participant, video, np.nan, "path leaves root"))
            continue
        try:
            faces, times, has_face, n_expected = _extract_video(
                root / relative, relative, every_seconds, cropper, cache_folder
            )
        except OSError as error:
            warnings.warn(f"skipped {relative}: {error}", stacklevel=2)
            dropped.append((participant, video, np.nan, "unreadable video"))
            continue
        if not len(times):
            warnings.warn(f"skipped {relative}: no frame could be decoded", stacklevel=2)
            dropped.append((participant, video, np.nan, "no frame could be decoded"))
            continue
        # A truncated video promises samples it does not have: each is reported.
        promised = np.arange(n_expected) * float(every_seconds)
        lost = promised[~np.isin(promised, times)]
        if len(lost):
            warnings.warn(
                f"{relative}: {len(lost)} of the {n_expected} sampled frames could not be "
                "decoded (a truncated or damaged video?)",
                stacklevel=2,
            )
            dropped.extend((participant, video, t, "frame not decoded") for t in lost)
        part = _label_frames(participant, video, faces, times, has_face, lookup, dropped)
        if part is not None:
            parts.append(part)
    bunch = _gather(parts, image_size)
    bunch.dropped = pd.DataFrame(dropped, columns=["participant", "video", "time_s", "reason"])
    bunch.DESCR = DESCR.format(every=every_seconds, size=image_size)
    return bunch
