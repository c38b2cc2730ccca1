"""The labelling folder: face crops and ``labels.csv``, changed only cell by cell.

``sklearn-fer query`` adds rows (one per chosen frame, valence and arousal empty),
``sklearn-fer label`` and :func:`set_label` fill in one row's valence and arousal, and
``sklearn-fer personalise`` reads the labelled rows. Every change re-reads the file under
a lock, changes only what it must and writes the whole file atomically, so two writers
(the labelling page and a new round of ``query``) never lose each other's changes, an
interrupted write leaves the previous file, and columns a user added by hand are kept.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import posixpath
import threading
from pathlib import Path

import pandas as pd

from .._atomic import atomic_write
from .._locking import file_lock
from ..datasets._labelled import NOT_LABELLED, check_label_rows

__all__ = ["FACES", "LABELS", "LABEL_COLUMNS", "normalised_path", "read_labels", "set_label"]

LABELS = "labels.csv"
FACES = "faces"
#: The columns ``query`` writes: the loader's ``path, valence, arousal, expression``, then
#: where each frame comes from: the video's file name, the frame's own timestamp, the
#: round and sampler that chose it, the decoded frame's index and the SHA-256 of the
#: video's bytes (together, which frame of which video it is, whatever the file is
#: called), and ``context``: the whole frame, small, with the face's box drawn.
LABEL_COLUMNS = (
    "path",
    "valence",
    "arousal",
    "expression",
    "video",
    "time_s",
    "round",
    "sampler",
    "frame",
    "video_sha256",
    "context",
)
_LOCK_FILE = ".labels.lock"
_THREAD_LOCK = threading.RLock()
_SHOWN = 5


@contextlib.contextmanager
def locked(folder):
    """Hold the folder's labels lock (threads of this process and other processes)."""
    with _THREAD_LOCK, file_lock(Path(folder) / _LOCK_FILE):
        yield


def read_table(folder):
    """``labels.csv`` as text, exactly as written (an empty table when there is none)."""
    path = Path(folder) / LABELS
    if not path.is_file():
        return pd.DataFrame({column: pd.Series(dtype=object) for column in LABEL_COLUMNS})
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read {str(path)!r} as a labels CSV: {error}") from None
    table.columns = [str(column).strip() for column in table.columns]
    missing = [column for column in ("path", "valence", "arousal") if column not in table]
    if missing:
        raise ValueError(
            f"{str(path)!r} lacks the column(s) {', '.join(missing)}; a labels file has "
            f"{', '.join(LABEL_COLUMNS)}."
        )
    return table


def write_table(folder, table):
    """Write the table as ``labels.csv``, atomically."""
    return atomic_write(Path(folder) / LABELS, table.to_csv(index=False, lineterminator="\n"))


def normalised_path(path):
    r"""A labels row's path as the loader reads it: ``./faces/a.png``, ``faces\a.png``
    and ``faces/a.png`` are one file.

    Examples
    --------
    >>> normalised_path(" ./faces\\a.png")
    'faces/a.png'
    """
    return posixpath.normpath(str(path).strip().replace("\\", "/"))


def duplicated_rows(paths):
    """Messages for the rows whose path (normalised) an earlier row already lists."""
    first = {}
    messages = []
    for i, path in enumerate(paths):
        key = normalised_path(path)
        if path.strip() and key in first:
            messages.append(
                f"line {i + 2} ({path.strip()}): the same file as line {first[key] + 2}"
            )
        first.setdefault(key, i)
    return messages


def _problems(folder, table):
    paths, _, _, reasons = check_label_rows(table)
    bad = [i for i, reason in enumerate(reasons) if reason not in ("", NOT_LABELLED)]
    messages = [f"line {i + 2} ({paths[i] or 'no path'}): {reasons[i]}" for i in bad]
    messages += duplicated_rows(table["path"].tolist())
    if messages:
        shown = "; ".join(messages[:_SHOWN])
        more = f"; and {len(messages) - _SHOWN} more" if len(messages) > _SHOWN else ""
        raise ValueError(f"{str(Path(folder) / LABELS)!r} has bad rows: {shown}{more}.")


def read_labels(folder):
    """The rows of a labelling folder's ``labels.csv``, checked and typed.

    Parameters
    ----------
    folder : path-like
        A folder written by :func:`query_video` (``sklearn-fer query``).

    Returns
    -------
    labels : pandas.DataFrame
        One row per chosen frame: ``path`` (of its face crop, relative to ``folder``),
        ``valence`` and ``arousal`` (float, NaN until labelled), ``expression`` (text,
        carried through, not trained on yet), ``video``, ``time_s``, ``round``, ``sampler``,
        ``frame`` (Int64), ``video_sha256``, ``context`` and any column added by hand, as
        text.

    Raises
    ------
    ValueError
        The file has a row with a path that leaves the folder, a label missing on one of
        the two targets, non-numeric or outside [-1, 1], or a file listed twice (the
        same path once normalised: ``./faces/a.png`` is ``faces/a.png``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "labels.csv").write_text("path,valence,arousal\\nfaces/a.png,0.5,-0.1\\n")
    >>> read_labels(folder)[["path", "valence", "arousal"]].values.tolist()
    [['faces/a.png', 0.5, -0.1]]
    """
    folder = Path(os.fspath(folder))
    table = read_table(folder)
    _problems(folder, table)
    typed = table.copy()
    for column in ("valence", "arousal", "time_s"):
        if column in typed:
            typed[column] = pd.to_numeric(typed[column].str.strip(), errors="coerce")
    for column in ("round", "frame"):
        if column in typed:
            typed[column] = pd.to_numeric(typed[column], errors="coerce").astype("Int64")
    return typed


def _check_value(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not -1.0 <= value <= 1.0
    ):
        raise ValueError(f"{name} must be a number in [-1, 1], got {value!r}.")
    return float(value)


def set_label(folder, path, valence, arousal):
    """Write one frame's valence and arousal into ``labels.csv`` (None, None clears them).

    The file is re-read under the folder's lock, only this row's two cells change, and the
    whole file is replaced atomically: a click on the labelling page is on disk when this
    returns.

    Parameters
    ----------
    folder : path-like
        The labelling folder.
    path : str
        The frame's ``path`` as ``labels.csv`` lists it.
    valence, arousal : float in [-1, 1] or None
        The labels (rounded to 3 decimals); both None marks the frame not labelled.

    Returns
    -------
    row : dict
        The row as written (text).

    Raises
    ------
    KeyError
        ``labels.csv`` lists no frame ``path``.
    ValueError
        A value outside [-1, 1], or only one of the two given.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "labels.csv").write_text("path,valence,arousal\\nfaces/a.png,,\\n")
    >>> set_label(folder, "faces/a.png", 0.25, -0.5)["valence"]
    '0.250'
    >>> print((folder / "labels.csv").read_text().strip())
    path,valence,arousal
    faces/a.png,0.250,-0.500
    """
    if (valence is None) != (arousal is None):
        raise ValueError("give both valence and arousal, or neither (to clear the label).")
    cells = ("", "")
    if valence is not None:
        cells = (
            f"{_check_value('valence', valence):.3f}",
            f"{_check_value('arousal', arousal):.3f}",
        )
    folder = Path(os.fspath(folder))
    with locked(folder):
        table = read_table(folder)
        rows = (table["path"].str.strip() == str(path)).to_numpy().nonzero()[0]
        if not len(rows):
            raise KeyError(f"{str(folder / LABELS)!r} lists no frame {path!r}.")
        table.loc[rows[0], ["valence", "arousal"]] = cells
        write_table(folder, table)
        return table.loc[rows[0]].to_dict()
