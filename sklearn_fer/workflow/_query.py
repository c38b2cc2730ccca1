"""Choose the frames of a person's video to label (``sklearn-fer query``)."""

from __future__ import annotations

import math
import numbers
import os
import re
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from sklearn.base import clone

from .._atomic import atomic_write
from ..cropping import FaceCropper
from ..datasets._rows import load_faces
from ..datasets._video import VideoFrames, faces_in_batches
from ..evaluation import default_samplers
from ._general import NEEDS_REGRESSION_FUNCTION, general_nets, is_fer2013
from ._labels import FACES, LABEL_COLUMNS, locked, read_labels, read_table, write_table
from ._pool import featurizers, pool_features, regression_function

__all__ = ["SAMPLERS", "query_video"]

#: ``sklearn-fer query --sampler`` names: GSx, reduced GSy, reduced iGS, MCDUE, random
#: (Rescigno et al. 2020, Tables 2-4).
SAMPLERS = ("gsx", "gsy", "igs", "mcdue", "random")


def _frame_key(video, time_s):
    return str(video), int(round(float(time_s) * 1000))


def _crop_name(video, time_s):
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(video).stem) or "video"
    return f"{FACES}/{stem}_{int(round(time_s * 1000)):09d}ms.png"


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


def video_pool(frames, cropper, *, batch_size=32, progress=False):
    """Times and faces of the sampled frames (a :class:`VideoFrames`) that show a face.

    Returns ``(times, faces, n_sampled)``; raises ValueError when no frame has a face.
    """
    video, every_seconds = frames.path, frames.every_seconds
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=frames.n_expected or None, desc="frames", unit="frame")
    times, faces, n_sampled = [], [], 0
    try:
        for batch_times, found, batch_faces in faces_in_batches(frames, cropper, batch_size):
            n_sampled += len(batch_times)
            times.append(batch_times[found])
            faces.append(batch_faces)
            if bar is not None:
                bar.update(len(batch_times))
    finally:
        if bar is not None:
            bar.close()
    if n_sampled == 0:
        raise ValueError(f"video {os.fspath(video)!r} has no frames that can be decoded.")
    times = np.concatenate(times)
    if not len(times):
        raise ValueError(
            f"no face found in any of the {n_sampled} frames sampled every {every_seconds:g} s "
            f"from {os.fspath(video)!r}."
        )
    return times, np.concatenate(faces), n_sampled


def _earlier_faces(folder, table, image_size):
    """The crops of the frames already in the folder (the labelled set), as one array."""
    paths = table["path"].astype(str).str.strip().to_numpy()
    reasons = np.full(len(paths), "", dtype=object)
    faces, _ = load_faces(folder, paths, None, reasons, image_size, lazy=False)
    return faces


def _choose(nets, pool, labelled, count, sampler, random_state, device):
    strategy = default_samplers(random_state=random_state)[sampler]
    fitted = featurizers(nets)
    X_pool = pool_features(fitted, pool)
    X_labelled = pool_features(fitted, labelled) if len(labelled) else None
    needs_estimator = getattr(strategy, "needs_estimator", True)
    estimator = regression_function(nets, device=device) if needs_estimator else None
    picks = strategy.select(X_pool, count, estimator=estimator, X_labeled=X_labelled)
    return np.asarray(picks, dtype=np.int64)


def _write_faces(folder, names, faces):
    (folder / FACES).mkdir(parents=True, exist_ok=True)
    for name, face in zip(names, faces):
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(face, cv2.COLOR_RGB2BGR))
        if not ok:  # pragma: no cover - PNG encoding of a uint8 image does not fail
            raise OSError(f"cannot encode the face crop {name!r}")
        atomic_write(folder / name, encoded.tobytes())


def _add_rows(folder, rows):
    """Append rows under the lock; earlier rows are never changed. Returns the round."""
    with locked(folder):
        table = read_table(folder)
        present = set(table["path"].astype(str).str.strip())
        rows = [row for row in rows if row["path"] not in present]
        rounds = pd.to_numeric(table.get("round", pd.Series(dtype=str)), errors="coerce")
        this_round = int(rounds.max()) + 1 if rounds.notna().any() else 1
        for row in rows:
            row["round"] = str(this_round)
        new = pd.DataFrame(rows, columns=list(LABEL_COLUMNS), dtype=object)
        columns = list(table.columns) + [c for c in LABEL_COLUMNS if c not in table.columns]
        table = pd.concat([table.reindex(columns=columns, fill_value=""), new], ignore_index=True)
        write_table(folder, table.reindex(columns=columns).fillna(""))
    return this_round


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
    device="cpu",
    progress=False,
):
    """Choose frames of a video for a person to label, and add them to a labelling folder.

    One frame every ``every_seconds`` is read (streamed), the face of each is found and
    cropped (:class:`~sklearn_fer.FaceCropper`, at the model's image size), and a sampler
    picks the frames to label among those with a face, on the model's conv features (the
    pool-based sampling of Rescigno et al. 2020, Section 3.4). The chosen faces are
    written to ``folder/faces/`` and listed in ``folder/labels.csv`` with empty
    ``valence`` and ``arousal``, the video's name, the frame's time, the round and the
    sampler.

    A folder can be queried again, from the same video or another: every frame already in
    it (labelled or not) is left out of the pool and counts as the labelled set of the
    greedy samplers, as modAL's ``X_training`` does, and nothing already in
    ``labels.csv`` is changed. Give the personal model of the previous round as ``model``
    for GSy, iGS and MCDUE to query the retrained regression function.

    Parameters
    ----------
    video : path-like
        The person's video.
    model : path-like or "fer2013-mini-xception"
        A model folder (general or personal), or :data:`FER2013_MODEL`: the conv
        features of the real FER2013 mini-Xception (GSx and random sampling only: it
        predicts no valence or arousal for the other samplers to query).
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
    every_seconds : float, default=4.0
        Sampling period (the paper: 4 s).
    random_state : int, default=0
        Seeds the random sampler and MCDUE's dropout masks.
    cropper : FaceCropper or None, default=None
        Face detector settings; its ``output_size`` is set to the model's image size.
    device : str, default="cpu"
        Torch device of the model.
    progress : bool, default=False
        Show a progress bar over the video's frames.

    Returns
    -------
    chosen : pandas.DataFrame
        The rows added to ``labels.csv`` (as :func:`read_labels` types them).

    Raises
    ------
    OSError
        The video cannot be opened.
    ValueError
        No face in the video, every frame with a face already in the folder, a model
        folder that is not one, a ``labels.csv`` with bad rows, or bad arguments.

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
    if is_fer2013(model) and sampler in NEEDS_REGRESSION_FUNCTION:
        raise ValueError(
            f"sampler {sampler!r} queries the model's valence and arousal, which the FER2013 "
            "model does not predict (it knows seven expressions): choose 'gsx' (its conv "
            "features) or 'random'; after a first personalise, query with the personal model."
        )
    frames = VideoFrames(video, every_seconds=every_seconds)  # fail fast on a bad video
    nets, image_size, _ = general_nets(model, device=device, random_state=random_state)
    folder = Path(os.fspath(folder))
    earlier = read_labels(folder) if (folder / "labels.csv").is_file() else read_table(folder)
    cropper = clone(cropper if cropper is not None else FaceCropper())
    cropper.set_params(output_size=image_size)
    times, faces, _ = video_pool(frames, cropper, progress=progress)
    name = frames.path.name
    done = {_frame_key(v, t) for v, t in zip(earlier.get("video", []), earlier.get("time_s", []))}
    fresh = np.array([_frame_key(name, t) not in done for t in times], dtype=bool)
    if not fresh.any():
        raise ValueError(
            f"every one of the {len(times)} frames with a face in {name!r} is already in "
            f"{str(folder)!r}: there is nothing left to choose."
        )
    wanted = n if n is not None else math.ceil(fraction * len(times) - 1e-9)
    count = min(int(wanted), int(fresh.sum()))
    folder.mkdir(parents=True, exist_ok=True)
    labelled = _earlier_faces(folder, earlier, image_size)
    picks = _choose(nets, faces[fresh], labelled, count, sampler, random_state, device)
    chosen = np.flatnonzero(fresh)[np.sort(picks)]  # in time order, for the labeller
    names = [_crop_name(name, times[i]) for i in chosen]
    _write_faces(folder, names, faces[chosen])
    rows = [
        dict(
            path=p,
            valence="",
            arousal="",
            expression="",
            video=name,
            time_s=f"{times[i]:.3f}",
            sampler=sampler,
        )
        for p, i in zip(names, chosen)
    ]
    this_round = _add_rows(folder, rows)
    labels = read_labels(folder)
    return labels[labels["round"] == this_round].reset_index(drop=True)
