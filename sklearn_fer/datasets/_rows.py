"""The rows of a file list of labelled faces: label checks, the faces they name, and the
table of rows dropped with their reasons.

Shared by the loaders whose data is a CSV of image paths and labels (AffectNet's file
lists, a folder of a user's own labelled faces), so that both apply the same rules: paths
must stay inside the root, labels must be finite and on [-1, 1], and every row that is
not loaded is listed with the reason.
"""

from __future__ import annotations

import os
import warnings
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from ._lazy import LazyImages, crop_and_resize, read_rgb

_SHOWN = 5
FILE_PROBLEMS = ("missing image", "unreadable image")


def label_reasons(labels):
    """Masks of the rows whose labels are missing/non-numeric, and of those outside [-1, 1].

    Parameters
    ----------
    labels : ndarray of shape (n, k), float
        Parsed labels, NaN where a value was empty or not a number.

    Returns
    -------
    missing, out_of_range : ndarray of bool
    """
    missing = ~np.all(np.isfinite(labels), axis=1)
    out_of_range = ~missing & np.any(np.abs(labels) > 1, axis=1)
    return missing, out_of_range


def mark(reasons, masks_and_reasons):
    """Give each row the first reason whose mask holds for it (rows with one keep it)."""
    for mask, reason in masks_and_reasons:
        reasons[mask & (reasons == "")] = reason
    return reasons


def load_faces(image_dir, paths, boxes, reasons, image_size, *, lazy):
    """The faces of the rows still kept, eagerly or lazily; ``reasons`` gains file problems.

    Parameters
    ----------
    image_dir : pathlib.Path
        Folder the paths are relative to.
    paths : ndarray of str
        Relative paths (already checked to stay inside ``image_dir``).
    boxes : ndarray of shape (n, 4) or None
        Face box ``(x, y, w, h)`` of each row; None uses whole images.
    reasons : ndarray of object
        ``""`` for rows to load; rows that cannot be loaded get their reason here.
    image_size : int
        Side of the square faces.
    lazy : bool
        Return a :class:`LazyImages` (decoding errors then surface on access).

    Returns
    -------
    images : ndarray or LazyImages
    rows : ndarray of int
        The rows the images come from.
    """
    keep = np.flatnonzero(reasons == "")
    files = [image_dir / PurePosixPath(paths[i].replace("\\", "/")) for i in keep]
    # A symbolic link (to a file or through a folder) may lead outside the root: never read.
    inside = image_dir.resolve()
    escapes = np.array([not f.resolve().is_relative_to(inside) for f in files], dtype=bool)
    reasons[keep[escapes]] = "path leaves root"
    keep, files = keep[~escapes], [f for f, out in zip(files, escapes) if not out]
    exists = np.array([os.path.isfile(f) for f in files], dtype=bool)
    reasons[keep[~exists]] = "missing image"
    if lazy:
        keep, files = keep[exists], [f for f, ok in zip(files, exists) if ok]
        kept_boxes = None if boxes is None else boxes[keep]
        return LazyImages(files, boxes=kept_boxes, image_size=image_size), keep
    loaded, kept = [], []
    for index, file, ok in zip(keep, files, exists):
        if not ok:
            continue
        image = read_rgb(file)
        if image is None:
            reasons[index] = "unreadable image"
            continue
        face = crop_and_resize(image, None if boxes is None else boxes[index], image_size)
        if face is None:
            reasons[index] = "invalid face box"
            continue
        loaded.append(face)
        kept.append(index)
    images = (
        np.stack(loaded) if loaded else np.empty((0, image_size, image_size, 3), dtype=np.uint8)
    )
    return images, np.asarray(kept, dtype=np.int64)


def dropped_table(paths, reasons, dataset, *, stacklevel=3):
    """The dropped rows with their reasons; missing or unreadable images also warn.

    Parameters
    ----------
    paths : ndarray of str
    reasons : ndarray of object
    dataset : str
        Named in the warning ("AffectNet", "labelled face").
    stacklevel : int, default=3
        Of the warning: 3 points at the caller of the loader that calls this.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (0-based over data rows), ``path``, ``reason``.
    """
    dropped_rows = np.flatnonzero(reasons != "")
    dropped = pd.DataFrame(
        {
            "row": dropped_rows,
            "path": paths[dropped_rows].astype(str),
            "reason": reasons[dropped_rows].astype(str),
        }
    )
    file_problems = dropped[dropped["reason"].isin(FILE_PROBLEMS)]
    if len(file_problems):
        shown = ", ".join(file_problems["path"].head(_SHOWN))
        more = ", ..." if len(file_problems) > _SHOWN else ""
        warnings.warn(
            f"skipped {len(file_problems)} {dataset} image(s) that are missing or unreadable: "
            f"{shown}{more} (see the 'dropped' table).",
            stacklevel=stacklevel,
        )
    return dropped
