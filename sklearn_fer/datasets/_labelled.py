"""Loader for a folder of a user's own labelled face images (a CSV of paths and labels)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._validation import positive_int
from ..nets import MIN_IMAGE_SIZE
from ._paths import DatasetNotFoundError, check_root, is_safe_relative
from ._rows import dropped_table, label_reasons, load_faces, mark

__all__ = ["load_labelled_faces", "LABELLED_COLUMNS", "NOT_LABELLED"]

#: Columns a labels CSV must have; ``expression`` and a face box
#: (``face_x, face_y, face_width, face_height``) are optional.
LABELLED_COLUMNS = ("path", "valence", "arousal")
#: The reason given to rows whose valence and arousal are both empty: frames chosen for
#: labelling and not labelled yet. They are dropped, never an error.
NOT_LABELLED = "not labelled yet"

_BOX_COLUMNS = ("face_x", "face_y", "face_width", "face_height")
_ERRORS = ("raise", "drop")
_SHOWN = 5

DESCR = """\
Labelled face images
====================

A folder of face images with valence and arousal on [-1, 1] given by a CSV file of
``path, valence, arousal[, expression]`` (paths relative to the folder), such as the
folder ``sklearn-fer query`` writes and ``sklearn-fer label`` fills in. Each image is
resized to {size}x{size} px (cut out by its box first when the CSV gives
``face_x, face_y, face_width, face_height``). Rows whose valence and arousal are both
empty are frames not labelled yet and are left out; ``dropped`` lists every row that was
not loaded with the reason. The ``expression`` column, when present, is carried through
as text; no estimator of this package trains on it yet.
"""


def _read_labels_csv(csv_path):
    if not csv_path.is_file():
        raise DatasetNotFoundError(
            f"labels file {str(csv_path)!r} does not exist; expected a CSV with columns "
            f"{', '.join(LABELLED_COLUMNS)}[, expression]."
        )
    try:
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read {str(csv_path)!r} as a labels CSV: {error}") from None
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in LABELLED_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{str(csv_path)!r} lacks the column(s) {', '.join(missing)}; expected "
            f"{', '.join(LABELLED_COLUMNS)}[, expression] (found {', '.join(table.columns)})."
        )
    boxes_given = [column for column in _BOX_COLUMNS if column in table.columns]
    if boxes_given and len(boxes_given) != len(_BOX_COLUMNS):
        raise ValueError(
            f"{str(csv_path)!r} has the face-box column(s) {', '.join(boxes_given)} but not "
            f"all of {', '.join(_BOX_COLUMNS)}."
        )
    return table


def check_label_rows(table):
    """Parsed paths, labels and boxes of a labels table, and each row's reason to drop it.

    Parameters
    ----------
    table : pandas.DataFrame
        The CSV read as text (columns ``path``, ``valence``, ``arousal``, optionally a box).

    Returns
    -------
    paths : ndarray of str
    labels : ndarray of shape (n, 2), float (NaN where empty)
    boxes : ndarray of shape (n, 4) or None
    reasons : ndarray of object (``""`` to keep, :data:`NOT_LABELLED`, or a problem)
    """
    reasons = np.full(len(table), "", dtype=object)
    paths = table["path"].str.strip().to_numpy().astype(object)
    text = table[["valence", "arousal"]].apply(lambda column: column.str.strip())
    labels = text.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    empty = (text == "").to_numpy()
    boxes = None
    bad_box = np.zeros(len(table), dtype=bool)
    if all(column in table.columns for column in _BOX_COLUMNS):
        boxes = table[list(_BOX_COLUMNS)].apply(pd.to_numeric, errors="coerce").to_numpy()
        bad_box = ~np.all(np.isfinite(boxes), axis=1) | np.any(boxes[:, 2:] <= 0, axis=1)
    missing_label, out_of_range = label_reasons(labels)
    mark(
        reasons,
        (
            (paths == "", "missing path"),
            (np.array([not is_safe_relative(p) for p in paths], dtype=bool), "path leaves root"),
            (empty.all(axis=1), NOT_LABELLED),
            (missing_label, "missing or non-numeric label"),
            (out_of_range, "label outside [-1, 1]"),
            (bad_box, "invalid face box"),
        ),
    )
    return paths.astype(str), labels, boxes, reasons


def _raise_for_problems(csv_path, paths, reasons):
    problems = np.flatnonzero((reasons != "") & (reasons != NOT_LABELLED))
    if not len(problems):
        return
    # Line numbers as a spreadsheet or editor shows them: the header is line 1.
    shown = "; ".join(
        f"line {i + 2} ({paths[i] or 'no path'}): {reasons[i]}" for i in problems[:_SHOWN]
    )
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    raise ValueError(
        f"{str(csv_path)!r} has {len(problems)} bad row(s): {shown}{more}. Fix them, or pass "
        "errors='drop' to leave them out."
    )


@validate_params(
    {"image_size": [positive_int(MIN_IMAGE_SIZE)]}, prefer_skip_nested_validation=False
)
def load_labelled_faces(root, *, labels="labels.csv", image_size=227, lazy=False, errors="raise"):
    """Load a folder of labelled face images: a CSV of paths with valence and arousal.

    The CSV (``labels``, by default ``root/labels.csv``) has the columns ``path, valence,
    arousal`` and optionally ``expression`` and a face box ``face_x, face_y, face_width,
    face_height``; paths are relative to ``root`` and must stay inside it (absolute paths
    and ``..`` are refused, as by :func:`load_affectnet`). Valence and arousal are on
    [-1, 1]. Other columns are kept, as text, in ``frame``. Nothing under ``root`` is
    written or modified.

    Rows whose valence and arousal are both empty are frames chosen for labelling and not
    labelled yet (``sklearn-fer query`` writes them so): they are left out, listed in
    ``dropped`` with the reason ``"not labelled yet"``, and never an error.

    Parameters
    ----------
    root : path-like
        The folder the image paths are relative to.
    labels : path-like, default="labels.csv"
        The CSV, relative to ``root`` or absolute.
    image_size : int, default=227
        Side of the square face images; at least 63.
    lazy : bool, default=False
        True returns a :class:`~sklearn_fer.datasets.LazyImages` that reads each face when
        accessed; existence of the files is still checked up front.
    errors : {"raise", "drop"}, default="raise"
        What to do with a bad row (a path leaving ``root``, a label missing on one of the
        two targets, non-numeric or outside [-1, 1], an invalid box, a missing or unreadable
        image): ``"raise"`` raises a ``ValueError`` naming the CSV lines; ``"drop"`` leaves
        them out and lists them in ``dropped`` (missing and unreadable images also warn).

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8 ``(n, image_size, image_size, 3)`` array, or ``LazyImages``),
        ``valence``, ``arousal`` (float32), ``target`` (``(n, 2)``), ``expression`` (text,
        ``""`` where none is given), ``path``, ``row`` (0-based over the CSV's data rows),
        ``frame`` (the loaded rows of the CSV as a DataFrame of text), ``dropped``
        (DataFrame with ``row``, ``path``, ``reason``), ``feature_names``, ``DESCR``.

    Raises
    ------
    DatasetNotFoundError
        ``root`` or the CSV does not exist.
    ValueError
        The CSV lacks a column or cannot be parsed; a bad row with ``errors="raise"``.

    See Also
    --------
    load_affectnet : the same rules for AffectNet's file lists.

    Examples
    --------
    >>> import os, tempfile
    >>> import cv2
    >>> import numpy as np
    >>> from sklearn_fer.datasets import load_labelled_faces
    >>> root = tempfile.mkdtemp()
    >>> for name in ("a.png", "b.png", "c.png"):
    ...     _ = cv2.imwrite(os.path.join(root, name), np.zeros((80, 80, 3), np.uint8))
    >>> with open(os.path.join(root, "labels.csv"), "w") as f:
    ...     _ = f.write("path,valence,arousal\\na.png,0.5,-0.2\\nb.png,,\\nc.png,0.1,0.3\\n")
    >>> faces = load_labelled_faces(root, image_size=64)
    >>> faces.images.shape, faces.path.tolist(), faces.dropped["reason"].tolist()
    ((2, 64, 64, 3), ['a.png', 'c.png'], ['not labelled yet'])
    """
    root = check_root(root, "labelled faces")
    if errors not in _ERRORS:
        raise ValueError(f"errors must be one of {_ERRORS}, got {errors!r}.")
    csv_path = Path(os.fspath(labels)).expanduser()
    if not csv_path.is_absolute():
        csv_path = root / csv_path
    table = _read_labels_csv(csv_path)
    paths, labels_array, boxes, reasons = check_label_rows(table)
    images, keep = load_faces(root, paths, boxes, reasons, image_size, lazy=lazy)
    if errors == "raise":
        _raise_for_problems(csv_path, paths, reasons)
    dropped = dropped_table(paths, reasons, "labelled face")
    targets = labels_array[keep].astype(np.float32)
    expression = (
        table["expression"].str.strip().to_numpy()[keep].astype(object)
        if "expression" in table.columns
        else np.full(len(keep), "", dtype=object)
    )
    return Bunch(
        images=images,
        valence=targets[:, 0].copy(),
        arousal=targets[:, 1].copy(),
        target=targets,
        expression=expression,
        path=paths[keep],
        row=keep,
        frame=table.iloc[keep].reset_index(drop=True),
        dropped=dropped,
        feature_names=["valence", "arousal"],
        DESCR=DESCR.format(size=image_size),
    )
