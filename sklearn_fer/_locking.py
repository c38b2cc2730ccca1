"""An exclusive lock on a file, between processes (POSIX ``flock``) and threads."""

from __future__ import annotations

import contextlib
import os

try:  # POSIX: a lock between processes as well as threads
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock between processes
    fcntl = None

__all__ = ["FolderBusyError", "file_lock"]


class FolderBusyError(OSError):
    """Another process (or another open of the file) holds the lock."""


@contextlib.contextmanager
def file_lock(path, *, wait=True, remove=False, remove_on=()):
    """Hold an exclusive lock on ``path`` (created if needed) for the ``with`` block.

    Parameters
    ----------
    path : path-like
        The lock file; its content is the holder's process id.
    wait : bool, default=True
        Wait for the lock; False raises :class:`FolderBusyError` at once when it is held.
    remove : bool, default=False
        Delete the lock file when the block ends without an exception, while still
        holding the lock. A process that opened the file before it was deleted finds,
        once it holds the lock, that the file is gone and starts again on a new one, so
        two holders never coexist. After an exception the file stays, as a trace,
        unless the exception is one of ``remove_on``.
    remove_on : tuple of exception classes, default=()
        With ``remove``: exceptions that are refusals rather than interruptions (a
        configuration refused before any work), after which the file is deleted too.

    Examples
    --------
    >>> import tempfile, os
    >>> lock = os.path.join(tempfile.mkdtemp(), ".lock")
    >>> with file_lock(lock):
    ...     with file_lock(lock, wait=False):
    ...         pass
    Traceback (most recent call last):
    ...
    sklearn_fer._locking.FolderBusyError: ... is locked by process ...
    """
    if fcntl is None:  # pragma: no cover
        yield
        return
    while True:
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise FolderBusyError(
                    f"{os.fspath(path)!r} is locked by process {holder}"
                ) from None
            try:
                if not _still_at(handle, path):  # removed by the holder we waited for
                    continue
                handle.seek(0)
                handle.truncate()
                handle.write(str(os.getpid()))
                handle.flush()
                try:
                    yield
                except remove_on:
                    if remove:
                        os.unlink(path)
                    raise
                if remove:
                    os.unlink(path)
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _still_at(handle, path):
    """Whether the open ``handle`` is still the file at ``path``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(handle.fileno())
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
