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
def file_lock(path, *, wait=True):
    """Hold an exclusive lock on ``path`` (created if needed) for the ``with`` block.

    Parameters
    ----------
    path : path-like
        The lock file; its content is the holder's process id.
    wait : bool, default=True
        Wait for the lock; False raises :class:`FolderBusyError` at once when it is held.

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
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise FolderBusyError(f"{os.fspath(path)!r} is locked by process {holder}") from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
