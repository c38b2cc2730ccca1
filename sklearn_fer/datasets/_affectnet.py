"""Loader for AffectNet's manually annotated images (Mollahosseini et al. 2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._validation import positive_int
from ..nets import MIN_IMAGE_SIZE
from ._expressions import AFFECTNET_EXPRESSIONS
from ._paths import DatasetNotFoundError, check_root, is_safe_relative
from ._rows import dropped_table, label_reasons, load_faces, mark

__all__ = ["load_affectnet", "AFFECTNET_COLUMNS", "AFFECTNET_EXPRESSIONS"]

AFFECTNET_COLUMNS = (
    "subDirectory_filePath",
    "face_x",
    "face_y",
    "face_width",
    "face_height",
    "facial_landmarks",
    "expression",
    "valence",
    "arousal",
)

_SUBSETS = ("training", "validation")
_UNCERTAIN = -2.0  # AffectNet's valence/arousal for uncertain and non-face images

DESCR = """\
AffectNet (manually annotated subset)
=====================================

Facial images collected from the Internet with emotion-related queries in six languages,
manually annotated with one of eleven expression codes and with valence and arousal on
[-1, 1] (Mollahosseini, Hasani & Mahoor, 2017). Rescigno et al. (2020) pre-train their
general AlexNet on it (Section 3.1). The data set is licensed by its authors and is not
distributed with sklearn-fer.

Each face is cut out by its annotated box and resized to {size}x{size} px. Rows whose
valence or arousal is -2 (uncertain, non-face) or whose box is invalid were dropped, as
were rows whose image is missing or unreadable: ``dropped`` lists them with the reason.
"""


def _read_file_list(csv_path):
    """Read a file list, with or without its header row (validation.csv may lack one)."""
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    has_header = "subDirectory_filePath" in first_line
    if not first_line.strip():
        raise ValueError(f"{csv_path} is empty: expected AffectNet's file list.")
    try:
        if has_header:
            table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            n_fields = len(first_line.rstrip("\r\n").split(","))
            if n_fields != len(AFFECTNET_COLUMNS):
                raise ValueError(
                    f"{csv_path} has no header row and {n_fields} columns; expected the "
                    f"{len(AFFECTNET_COLUMNS)} columns {', '.join(AFFECTNET_COLUMNS)}."
                )
            table = pd.read_csv(
                csv_path,
                header=None,
                names=list(AFFECTNET_COLUMNS),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
    except pd.errors.ParserError as error:
        raise ValueError(f"cannot parse {csv_path} as AffectNet's CSV file list: {error}") from None
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in AFFECTNET_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{csv_path} lacks the column(s) {', '.join(missing)}; expected "
            f"{', '.join(AFFECTNET_COLUMNS)}."
        )
    return table


def _check_rows(table):
    """Parsed columns of the file list, and each row's reason to be dropped ('' to keep)."""
    reasons = np.full(len(table), "", dtype=object)
    paths = table["subDirectory_filePath"].str.strip().to_numpy()
    labels = table[["valence", "arousal"]].apply(pd.to_numeric, errors="coerce").to_numpy()
    box_columns = ["face_x", "face_y", "face_width", "face_height"]
    boxes = table[box_columns].apply(pd.to_numeric, errors="coerce").to_numpy()
    expression = pd.to_numeric(table["expression"], errors="coerce").to_numpy()

    unsafe = np.array([not is_safe_relative(p) for p in paths], dtype=bool)
    uncertain = np.any(labels == _UNCERTAIN, axis=1)
    missing_label, out_of_range = label_reasons(labels)
    bad_box = ~np.all(np.isfinite(boxes), axis=1) | np.any(boxes[:, 2:] <= 0, axis=1)
    bad_expression = ~np.isfinite(expression)
    mark(
        reasons,
        (
            (unsafe, "path leaves root"),
            (uncertain, "uncertain or no face (valence/arousal = -2)"),
            (missing_label, "missing or non-numeric label"),
            (out_of_range & ~uncertain, "label outside [-1, 1]"),
            (bad_box, "invalid face box"),
            (bad_expression, "missing or non-numeric expression"),
        ),
    )
    return paths, labels, boxes, expression, reasons


@validate_params(
    {"image_size": [positive_int(MIN_IMAGE_SIZE)]}, prefer_skip_nested_validation=False
)
def load_affectnet(root, *, subset="training", image_size=227, lazy=False):
    """Load AffectNet's manually annotated faces with their valence and arousal.

    Reads ``Manually_Annotated_file_lists/{subset}.csv`` under ``root`` (columns
    ``subDirectory_filePath, face_x, face_y, face_width, face_height, facial_landmarks,
    expression, valence, arousal``; a file without its header row is read too), cuts each
    face out of its image under ``Manually_Annotated_Images/`` by the annotated box, and
    resizes it. Nothing under ``root`` is written or modified.

    Rows are dropped, and listed in ``dropped`` with the reason, when valence or arousal is
    -2 (uncertain or no face), a label is missing or outside [-1, 1], the box is invalid
    (non-numeric, non-positive size, or outside the image), the path leaves ``root``
    (absolute or with ``..``), or the image is missing or cannot be decoded. Missing and
    unreadable images also raise a warning with their count and first names.

    Parameters
    ----------
    root : path-like
        The folder holding ``Manually_Annotated_file_lists`` and
        ``Manually_Annotated_Images``.
    subset : {"training", "validation"}, default="training"
        Which file list to read.
    image_size : int, default=227
        Side of the square face images; at least 63.
    lazy : bool, default=False
        False loads every face into one array. True returns a
        :class:`~sklearn_fer.datasets.LazyImages` that reads each face when accessed (the
        real set has about 300k images); existence of the files is still checked up front,
        while decoding errors surface on access.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``images`` (uint8 ``(n, image_size, image_size, 3)`` array, or ``LazyImages``),
        ``valence``, ``arousal`` (float32), ``target`` (``(n, 2)``), ``expression`` (int,
        see ``AFFECTNET_EXPRESSIONS``), ``path`` (relative paths), ``row`` (line of each
        face in the CSV, 0-based over data rows), ``dropped`` (DataFrame with ``row``,
        ``path``, ``reason``), ``DESCR``.

    Raises
    ------
    DatasetNotFoundError
        ``root`` or the file list does not exist (a ``ValueError`` and a
        ``FileNotFoundError``).
    ValueError
        Unknown subset, bad image size, or a CSV without the expected columns.

    References
    ----------
    Mollahosseini, Hasani & Mahoor (2017). AffectNet: a database for facial expression,
    valence, and arousal computing in the wild. IEEE Transactions on Affective Computing.

    Examples
    --------
    >>> from sklearn_fer.datasets import load_affectnet
    >>> load_affectnet("/no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn_fer.datasets._paths.DatasetNotFoundError: AffectNet root '/no/such/folder' ...
    """
    root = check_root(root, "AffectNet")
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}.")
    csv_path = root / "Manually_Annotated_file_lists" / f"{subset}.csv"
    if not csv_path.is_file():
        raise DatasetNotFoundError(
            f"AffectNet file list {str(csv_path)!r} does not exist; expected "
            f"<root>/Manually_Annotated_file_lists/{subset}.csv."
        )
    table = _read_file_list(csv_path)
    paths, labels, boxes, expression, reasons = _check_rows(table)
    images, keep = load_faces(
        root / "Manually_Annotated_Images", paths, boxes, reasons, image_size, lazy=lazy
    )
    dropped = dropped_table(paths, reasons, "AffectNet")
    targets = labels[keep].astype(np.float32)
    return Bunch(
        images=images,
        valence=targets[:, 0].copy(),
        arousal=targets[:, 1].copy(),
        target=targets,
        expression=expression[keep].astype(np.int64),
        path=paths[keep].astype(str),
        row=keep,
        dropped=dropped,
        feature_names=["valence", "arousal"],
        DESCR=DESCR.format(size=image_size),
    )
