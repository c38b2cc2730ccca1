"""Atomic writes: a file or a folder appears whole, or not at all.

Every result, cache entry, checkpoint and model folder the package writes goes through
these two functions, so an interrupted run (Ctrl-C, SIGKILL, a full disk) leaves either
the previous content or the new one, never a truncated mix that a later run would read
as finished work.

``tempfile`` makes its files 0600 and its folders 0700 whatever the umask, and
``os.replace`` keeps those modes: both functions give what they create the modes that
``open`` and ``mkdir`` would have given it (0666 and 0777 less the umask), so a study or a
model folder is as readable by others as any other file its owner writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

__all__ = [
    "atomic_write",
    "folder_written_whole",
    "old_folder",
    "replace_folder",
    "staging_folder",
    "umask",
]

# os.umask can only be read by setting it: two threads reading it at once would each
# restore what the other set. The lock serialises the package's own readers.
_UMASK_LOCK = threading.Lock()


def umask():
    """The process's umask, read without changing it.

    Linux says it in ``/proc/self/status``; elsewhere reading it means setting it: to
    0o077 for an instant (a file created meanwhile by another thread is then more
    private, never less), then back.

    Returns
    -------
    int

    Examples
    --------
    >>> import os
    >>> previous = os.umask(0o027)
    >>> oct(umask())
    '0o27'
    >>> _ = os.umask(previous)
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        current = os.umask(0o077)
        os.umask(current)
    return current


def _as_open_would(path, *, folder=False):
    """Give ``path`` the mode that ``open`` (0666) or ``mkdir`` (0777) would give it."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def atomic_write(path, write, *, binary=False):
    """Write ``path`` through ``write`` and a uniquely named temporary file beside it.

    The temporary file is in the same folder (so the final rename stays on one file
    system and is atomic) and has a unique name (so two writers never share it). It is
    removed if ``write`` fails.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist.
    write : callable or str or bytes
        Called with an open stream (text, UTF-8, or binary) to write the content; a
        ``str`` or ``bytes`` is written as is.
    binary : bool, default=False
        Open the stream in binary mode (implied by ``bytes`` content).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "results.csv"
    >>> atomic_write(target, "a,b\\n1,2\\n").read_text()
    'a,b\\n1,2\\n'
    """
    path = Path(os.fspath(path))
    if isinstance(write, (str, bytes)):
        content = write
        binary = isinstance(content, bytes)

        def write(stream):
            stream.write(content)

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        _as_open_would(temporary)
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as stream:
            write(stream)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def staging_folder(folder):
    """A new, uniquely named, empty folder beside ``folder`` to fill before
    :func:`replace_folder` puts it in place.

    Its mode is 0777 less the umask, as ``mkdir`` gives (``tempfile.mkdtemp`` gives 0700).

    Parameters
    ----------
    folder : path-like
        The folder the staging folder will replace; its parent is created if needed.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> staging = staging_folder(Path(tempfile.mkdtemp()) / "model")
    >>> staging.name.startswith(".model-"), list(staging.iterdir())
    (True, [])
    """
    folder = Path(os.fspath(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        _as_open_would(staging, folder=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def replace_folder(staging, folder):
    """Put a filled staging folder in the place of ``folder``, replacing any old one.

    The old folder is first renamed aside (``.<name>-old``), then the staging folder is
    renamed into place, then the old one is deleted: at every moment one complete
    version exists under ``folder`` or under :func:`old_folder`.
    On failure the staging folder is removed and the old folder is left in place.

    Parameters
    ----------
    staging : path-like
        From :func:`staging_folder`.
    folder : path-like
        Destination.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp()) / "model"
    >>> staging = staging_folder(folder)
    >>> _ = (staging / "weights.pt").write_bytes(b"new")
    >>> sorted(p.name for p in replace_folder(staging, folder).iterdir())
    ['weights.pt']
    """
    staging, folder = Path(os.fspath(staging)), Path(os.fspath(folder))
    try:
        if folder.exists():
            backup = old_folder(folder)
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(folder, backup)
            os.replace(staging, folder)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


@contextlib.contextmanager
def folder_written_whole(folder):
    """Fill the yielded staging folder; on success it replaces ``folder``
    (:func:`replace_folder`), on any exception it is removed and ``folder`` is untouched.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp()) / "model"
    >>> with folder_written_whole(folder) as staging:
    ...     _ = (staging / "weights.pt").write_text("w")
    >>> sorted(p.name for p in folder.iterdir())
    ['weights.pt']
    """
    staging = staging_folder(folder)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_folder(staging, folder)


def old_folder(folder):
    """Where :func:`replace_folder` keeps the previous version while it swaps.

    A reader that finds no ``folder`` after a crash looks here.

    Examples
    --------
    >>> old_folder("out/model").name
    '.model-old'
    """
    folder = Path(os.fspath(folder))
    return folder.with_name(f".{folder.name}-old")
