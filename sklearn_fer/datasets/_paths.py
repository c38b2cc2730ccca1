"""Where data sets live and where derived data (caches) may be written."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["DatasetNotFoundError", "check_root", "get_data_home", "is_safe_relative"]


class DatasetNotFoundError(FileNotFoundError, ValueError):
    """A data set folder or file is missing.

    Both a ``FileNotFoundError`` (what it is) and a ``ValueError`` (the argument naming it
    is wrong), so either ``except`` clause catches it.

    Examples
    --------
    >>> from sklearn_fer.datasets import DatasetNotFoundError, load_affectnet
    >>> try:
    ...     load_affectnet("/no/such/folder")
    ... except ValueError as error:
    ...     print(type(error).__name__, isinstance(error, FileNotFoundError))
    DatasetNotFoundError True
    """


def check_root(root, dataset):
    """Return ``root`` as a Path, or raise a clear error when it is not a folder."""
    if root is None:
        raise DatasetNotFoundError(f"{dataset} root is None; pass the folder holding the data.")
    path = Path(os.fspath(root)).expanduser()
    if not path.exists():
        raise DatasetNotFoundError(
            f"{dataset} root {os.fspath(root)!r} does not exist; expected the folder holding "
            f"the {dataset} files."
        )
    if not path.is_dir():
        raise DatasetNotFoundError(f"{dataset} root {os.fspath(root)!r} is not a folder.")
    return path


def is_safe_relative(path_text):
    """True for a relative path that stays inside its root (no '..', not absolute).

    Checked in both POSIX and Windows spelling, so ``C:\\x`` and ``..\\x`` are refused on
    every system. The rule every loader applies to the paths its file lists name.
    """
    if not path_text or "\x00" in path_text:
        return False
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(path_text)
        if path.is_absolute() or path.drive or path.root or ".." in path.parts:
            return False
    return True


def get_data_home(data_home=None):
    """Folder for sklearn-fer's caches: ``data_home``, ``$SKLEARN_FER_DATA``, or
    ``~/sklearn_fer_data``. Never inside a data set's own folder.

    Parameters
    ----------
    data_home : path-like or None, default=None
        Explicit folder.

    Returns
    -------
    pathlib.Path
        The folder (created if needed).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> get_data_home(folder).is_dir()
    True
    """
    if data_home is None:
        data_home = os.environ.get("SKLEARN_FER_DATA", os.path.join("~", "sklearn_fer_data"))
    path = Path(os.fspath(data_home)).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path
