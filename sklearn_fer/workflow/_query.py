"""Choose the frames of a person's video to label (``sklearn-fer query``)."""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .._model_crop import default_crop
from ..datasets._rows import load_faces
from ..datasets._video import VideoFrames, format_seconds, video_sha256
from ..evaluation import default_samplers
from ._face_files import (  # noqa: F401
    LABEL_SIZE,
    FaceCuts,
    FaceFiles,
    consecutive_frames,
    model_input,
    resolve_detector,
)
from ._general import general_model
from ._labels import LABEL_COLUMNS, locked, read_labels, read_table, write_table
from ._personalise import labelled_model_inputs
from ._pool import featurizers, pool_features, regression_function

__all__ = ["SAMPLERS", "query_video"]

#: ``sklearn-fer query --sampler`` names: GSx, reduced GSy, reduced iGS, MCDUE, random
#: (Rescigno et al. 2020, Tables 2-4).
SAMPLERS = ("gsx", "gsy", "igs", "mcdue", "random")


def _check_amount(n, fraction):
    if (n is None) == (fraction is None):
        raise ValueError("give exactly one of n (a number of frames) and fraction.")
    if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1):
        raise ValueError(f"n must be an int >= 1, got {n!r}.")
    if fraction is not None and (
        isinstance(fraction, bool)
        or not isinstance(fraction, numbers.Real)
        or not 0 < fraction <= 1
    ):
        raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}.")


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def video_pool(frames, cropper, *, crop=None, label_size=None, batch_size=32, progress=False):
    """The sampled frames of a :class:`VideoFrames` that show a face, and their faces.

    Parameters
    ----------
    frames : VideoFrames
    cropper : object with ``detect(images)``
        Finds the largest face of each frame (a :class:`~sklearn_fer.FaceCropper`, or
        any detector of :mod:`sklearn_fer.detection`).
    crop : ModelCrop or None, default=None
        The model's crop; None: FaceCropper's at ``cropper.output_size``.
    label_size : int or None, default=None
        Cut each face in colour at this size (the size ``query`` saves) and make the
        model's input from that face (:func:`model_input`), as ``personalise`` does from
        the saved file; None cuts straight at the model's input (as ``predict`` does).
    batch_size : int, default=32
        Frames held in memory at once.
    progress : bool, default=False

    Returns
    -------
    pool : sklearn.utils.Bunch
        ``index`` (decoded frame indices), ``time_s`` (their own timestamps), ``boxes``
        (``(n, 4)`` face boxes ``x, y, w, h``), ``faces`` (the model's inputs) of the
        frames with a face, and ``n_sampled`` (frames sampled, with a face or not).

    Raises
    ------
    ValueError
        No frame can be decoded, or none shows a face.
    """
    crop = crop if crop is not None else default_crop(int(cropper.output_size))
    cuts = FaceCuts(cropper, crop, label_size=label_size, consecutive=consecutive_frames(frames))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=frames.n_expected or None, desc="frames", unit="frame")
    index, times, boxes, faces, n_sampled = [], [], [], [], 0
    try:
        for batch in _batches(frames.iter_frames(), batch_size):
            found = cuts.detect([frame for _, _, frame in batch])
            kept = [(item, box) for item, box in zip(batch, found) if box is not None]
            n_sampled += len(batch)
            if kept:
                faces += list(cuts.crop([item[2] for item, _ in kept], [box for _, box in kept]))
                index += [item[0] for item, _ in kept]
                times += [item[1] for item, _ in kept]
                boxes += [box for _, box in kept]
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    name = os.fspath(frames.path)
    if n_sampled == 0:
        raise ValueError(f"video {name!r} has no frames that can be decoded.")
    if not index:
        every = frames.every_seconds
        every = "every frame" if every is None else f"every {every:g} s"
        raise ValueError(
            f"no face found in any of the {n_sampled} frames sampled {every} from {name!r}."
        )
    return Bunch(
        index=np.asarray(index, dtype=np.int64),
        time_s=np.asarray(times, dtype=np.float64),
        boxes=np.asarray(boxes, dtype=np.int64).reshape(-1, 4),
        faces=np.stack(faces),
        n_sampled=n_sampled,
    )


def _earlier_faces(folder, table, crop):
    """The model's inputs of the frames already in the folder (the labelled set)."""
    paths = table["path"].astype(str).str.strip().to_numpy()
    reasons = np.full(len(paths), "", dtype=object)
    faces, _ = load_faces(folder, paths, None, reasons, max(LABEL_SIZE, crop.size), lazy=True)
    return labelled_model_inputs(faces, crop)


def _choose(nets, pool, labelled, count, sampler, random_state, device):
    strategy = default_samplers(random_state=random_state)[sampler]
    fitted = featurizers(nets)
    X_pool = pool_features(fitted, pool)
    X_labelled = pool_features(fitted, labelled) if len(labelled) else None
    needs_estimator = getattr(strategy, "needs_estimator", True)
    estimator = regression_function(nets, device=device) if needs_estimator else None
    picks = strategy.select(X_pool, count, estimator=estimator, X_labeled=X_labelled)
    return np.asarray(picks, dtype=np.int64)


def _next_round(table, folder):
    """The round of a new query: one more than the last; refuses a deleted ``round``."""
    if not len(table):
        return 1
    rounds = pd.to_numeric(table.get("round", pd.Series(dtype=str)), errors="coerce")
    if not rounds.notna().any():
        raise ValueError(
            f"{str(Path(folder) / 'labels.csv')!r} has {len(table)} row(s) but no round "
            "numbers (was the 'round' column deleted or emptied?): put back the rounds so "
            "far (or 1 on every row) before querying again; nothing was written."
        )
    return int(rounds.max()) + 1


def _add_rows(folder, rows):
    """Append rows under the lock; earlier rows are never changed. Returns the round."""
    with locked(folder):
        table = read_table(folder)
        present = set(table["path"].astype(str).str.strip())
        rows = [row for row in rows if row["path"] not in present]
        this_round = _next_round(table, folder)
        for row in rows:
            row["round"] = str(this_round)
        new = pd.DataFrame(rows, columns=list(LABEL_COLUMNS), dtype=object)
        columns = list(table.columns) + [c for c in LABEL_COLUMNS if c not in table.columns]
        table = pd.concat([table.reindex(columns=columns, fill_value=""), new], ignore_index=True)
        write_table(folder, table.reindex(columns=columns).fillna(""))
    return this_round


def _already_chosen(earlier, pool, video_name, sha256, fps):
    """Which frames of the pool the folder already holds: same video, same frame.

    A row written by this version names its frame by the video's SHA-256 and the frame's
    index. A row without them (a folder from an earlier version) counts as the same frame
    when it names a video of the same file name and a time within half a frame interval:
    leaving a frame out is safer than labelling it twice.
    """
    text = {
        c: earlier.get(c, pd.Series("", index=earlier.index)).astype(str).str.strip()
        for c in ("video_sha256", "frame", "video", "time_s")
    }
    identified = (text["video_sha256"] != "") & (text["frame"] != "")
    same = text["video_sha256"][identified] == sha256
    frames = pd.to_numeric(text["frame"][identified][same], errors="coerce").dropna()
    done = np.isin(pool.index, frames.astype(np.int64).to_numpy())
    legacy = ~identified & (text["video"] == video_name)
    legacy_times = pd.to_numeric(text["time_s"][legacy], errors="coerce").dropna().to_numpy()
    if len(legacy_times):
        gap = np.abs(pool.time_s[:, None] - legacy_times[None, :]).min(axis=1)
        done |= gap <= 0.5 / fps
    return done


def _save_chosen(frames, pool, chosen, files, earlier, cuts):
    """Cut the chosen frames' faces again at LABEL_SIZE, add them to ``files``, write.

    The faces are those the pool's inputs were made from: the same frames (read again by
    index), boxes and crop. Returns ``(face names, context names)``.
    """
    boxes = dict(zip(pool.index[chosen].tolist(), pool.boxes[chosen]))
    names = {}
    for index, _, frame in frames.at_indices(boxes):
        box = tuple(int(v) for v in boxes[index])
        names[index] = files.add(index, cuts.labelling_face(frame, box), frame, box)
    missing = sorted(set(boxes) - set(names))
    if missing:  # pragma: no cover - the same decoder read them a moment ago
        raise OSError(f"frames {missing} of {os.fspath(frames.path)!r} cannot be read again")
    files.check(earlier["path"].astype(str))
    files.write()
    return [names[i][0] for i in pool.index[chosen]], [names[i][1] for i in pool.index[chosen]]


def query_video(
    video,
    model,
    folder,
    *,
    n=None,
    fraction=None,
    sampler="gsx",
    every_seconds=4.0,
    random_state=0,
    cropper=None,
    detector=None,
    device="cpu",
    progress=False,
):
    """Choose frames of a video for a person to label, and add them to a labelling folder.

    The frames at 0, ``every_seconds``, 2 ``every_seconds``, ... are read (streamed; each
    the first frame at or after its time, at its own timestamp: see
    :class:`~sklearn_fer.datasets.VideoFrames`), the face of each is found
    (:class:`~sklearn_fer.FaceCropper`), and a sampler picks the frames to label among
    those with a face, on the model's conv features (the pool-based sampling of Rescigno
    et al. 2020, Section 3.4). Each chosen face is saved to ``folder/faces/`` at
    224 px a side (or the model's size when larger), large enough for a
    person to judge, beside the whole frame, small, with the face's box drawn; the
    model's input is made from the saved face by resizing, so what is labelled is what
    is trained on. Each is listed in ``folder/labels.csv`` with empty ``valence`` and
    ``arousal``, the video's name, the frame's own time, the round, the sampler, the
    frame's index and the SHA-256 of the video's bytes.

    Files are named by the video's identity (its bytes' SHA-256) and the frame's index,
    so videos whose names clean to the same text never share a file; a query that would
    change any existing file refuses before writing anything.

    A folder can be queried again, from the same video or another: every frame already in
    it (the same frame of the same video, by content and index, labelled or not) is left
    out of the pool and counts as the labelled set of the greedy samplers, as modAL's
    ``X_training`` does, and nothing already in ``labels.csv`` is changed. A video of the
    same name from another folder is another video; a finer ``every_seconds`` never
    picks a frame again. Give the personal model of the previous round as ``model`` for
    GSy, iGS and MCDUE to query the retrained regression function.

    Parameters
    ----------
    video : path-like
        The person's video.
    model : path-like or "fer2013-mini-xception"
        A model folder (general or personal), or :data:`FER2013_MODEL`: the real FER2013
        mini-Xception as a valence-arousal model (expression probabilities through a
        published map, :func:`~sklearn_fer.nets.load_fer2013_valence_arousal`), whose
        conv features and regression function (with dropout) every sampler can query.
        The faces are cut as the model's crop says (its manifest's, or ``fer``'s for the
        FER2013 model).
    folder : path-like
        The labelling folder; created if needed.
    n : int or None, default=None
        How many frames to choose.
    fraction : float in (0, 1] or None, default=None
        Or what fraction of the video's frames with a face (rounded up). Give exactly one
        of ``n`` and ``fraction``; fewer are chosen when fewer are left.
    sampler : {"gsx", "gsy", "igs", "mcdue", "random"}, default="gsx"
        Greedy sampling on the conv features (GSx), on the outputs of the model (reduced
        GSy), on both (reduced iGS), Monte-Carlo dropout uncertainty (MCDUE, T=50,
        p=0.5), or at random.
    every_seconds : float or None, default=4.0
        Sampling period (the paper: 4 s); None, or less than the frame interval: every
        frame.
    random_state : int, default=0
        Seeds the random sampler and MCDUE's dropout masks.
    cropper : FaceCropper or None, default=None
        Haar cascade settings (its detection only: the crop is the model's).
    detector : {"haar", "mtcnn"}, object with ``detect`` or None, default=None
        The face detector (see :func:`iter_video_predictions`); None: Haar, the paper's.
    device : str, default="cpu"
        Torch device of the model.
    progress : bool, default=False
        Show a progress bar over the video's frames.

    Returns
    -------
    chosen : pandas.DataFrame
        The rows added to ``labels.csv`` (as :func:`read_labels` types them). Its
        ``attrs`` say what happened to the others: ``n_sampled`` (frames read),
        ``n_faces`` (of those, with a face), ``n_already`` (of those, already in the
        folder), ``n_wanted`` (asked for) and ``round``.

    Raises
    ------
    OSError
        The video cannot be opened.
    ValueError
        No face in the video, every frame with a face already in the folder, a file that
        would be overwritten, a ``labels.csv`` with bad rows or without its ``round``
        column, a model folder that is not one, or bad arguments.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer.workflow import query_video
    >>> query_video("no-such-video.mp4", "model", tempfile.mkdtemp(), n=5)
    Traceback (most recent call last):
    ...
    OSError: cannot open video 'no-such-video.mp4' (missing, or not a video)
    """
    _check_amount(n, fraction)
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}.")
    frames = VideoFrames(video, every_seconds=every_seconds)  # fail fast on a bad video
    general = general_model(model, device=device)
    nets, crop = general.nets, general.crop
    folder = Path(os.fspath(folder))
    earlier = read_labels(folder) if (folder / "labels.csv").is_file() else read_table(folder)
    _next_round(earlier, folder)  # a deleted round column: refused before any work
    found_by = resolve_detector(detector, cropper)
    cuts = FaceCuts(found_by, crop, label_size=LABEL_SIZE)
    sha256 = video_sha256(frames.path)
    pool = video_pool(frames, found_by, crop=crop, label_size=LABEL_SIZE, progress=progress)
    name = frames.path.name
    fresh = ~_already_chosen(earlier, pool, name, sha256, frames.fps)
    if not fresh.any():
        raise ValueError(
            f"every one of the {len(pool.index)} frames with a face in {name!r} is already "
            f"in {str(folder)!r} (the same frames of the same video): there is nothing left "
            "to choose."
        )
    wanted = n if n is not None else math.ceil(fraction * len(pool.index) - 1e-9)
    count = min(int(wanted), int(fresh.sum()))
    folder.mkdir(parents=True, exist_ok=True)
    labelled = _earlier_faces(folder, earlier, crop)
    picks = _choose(nets, pool.faces[fresh], labelled, count, sampler, random_state, device)
    chosen = np.flatnonzero(fresh)[np.sort(picks)]  # in time order, for the labeller
    files = FaceFiles(folder, name, sha256)
    paths, contexts = _save_chosen(frames, pool, chosen, files, earlier, cuts)
    rows = [
        dict(
            path=path,
            valence="",
            arousal="",
            expression="",
            video=name,
            time_s=format_seconds(pool.time_s[i]),
            sampler=sampler,
            frame=str(pool.index[i]),
            video_sha256=sha256,
            context=context,
        )
        for path, context, i in zip(paths, contexts, chosen)
    ]
    this_round = _add_rows(folder, rows)
    labels = read_labels(folder)
    result = labels[labels["round"] == this_round].reset_index(drop=True)
    result.attrs.update(
        n_sampled=pool.n_sampled,
        n_faces=len(pool.index),
        n_already=int((~fresh).sum()),
        n_wanted=int(wanted),
        round=this_round,
    )
    return result
