"""The lock a running ``reproduce`` holds on its output folder (issue 25: removed after a
clean finish, still exclusive while held)."""

import sys
import threading

import pytest

from sklearn_fer._locking import FolderBusyError, file_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX flock")


def test_removed_after_a_clean_exit_and_exclusive_while_held(tmp_path):
    lock = tmp_path / ".reproduce.lock"
    with file_lock(lock, wait=False, remove=True):
        assert lock.is_file()
        with pytest.raises(FolderBusyError, match="is locked by process"):
            with file_lock(lock, wait=False):
                pass
    assert not lock.exists()


def test_kept_without_remove_and_after_an_exception(tmp_path):
    kept = tmp_path / "kept.lock"
    with file_lock(kept, wait=False):
        pass
    assert kept.is_file()
    failed = tmp_path / "failed.lock"
    with pytest.raises(RuntimeError):
        with file_lock(failed, wait=False, remove=True):
            raise RuntimeError("boom")
    assert failed.is_file()
    with file_lock(failed, wait=False):  # no longer held: a new run may take it
        pass
    refused = tmp_path / "refused.lock"
    with pytest.raises(ValueError):
        with file_lock(refused, wait=False, remove=True, remove_on=ValueError):
            raise ValueError("another configuration")
    assert not refused.exists()  # a refusal leaves nothing behind


def test_a_waiter_on_the_removed_file_takes_a_new_one(tmp_path):
    """A process blocked on the file the holder deletes must not hold a lock on the
    deleted file: it would run beside the next process that creates a new one."""
    lock = tmp_path / ".reproduce.lock"
    holding = threading.Event()
    release = threading.Event()
    waiter_holds = threading.Event()
    waiter_done = threading.Event()
    busy = []

    def first():
        with file_lock(lock, remove=True):
            holding.set()
            release.wait(10)

    def waiter():
        with file_lock(lock, remove=True):
            waiter_holds.set()
            waiter_done.wait(10)

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=waiter)
    two.start()
    two.join(0.3)  # let it open the file and block on it
    assert not waiter_holds.is_set()
    release.set()
    one.join(10)
    assert waiter_holds.wait(10)
    try:
        assert lock.is_file()  # the waiter holds the file now at the path...
        with file_lock(lock, wait=False):  # ...so a third taker is refused
            pass
    except FolderBusyError as error:
        busy.append(error)
    finally:
        waiter_done.set()
        two.join(10)
    assert len(busy) == 1
    assert not lock.exists()
