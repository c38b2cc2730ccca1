"""What the package writes is as readable as the owner's umask says (issue 25).

``tempfile`` makes 0600 files and 0700 folders whatever the umask and ``os.replace`` keeps
those modes, so these tests fail when the atomic writers pass them through.
"""

import contextlib
import os
import stat
import sys

import pytest

from sklearn_fer._atomic import atomic_write, folder_written_whole, staging_folder, umask
from sklearn_fer.persistence import save_pretrained

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")

UMASKS = [0o022, 0o077, 0o027]
IDS = [oct(mask) for mask in UMASKS]


@contextlib.contextmanager
def process_umask(value):
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", UMASKS, ids=IDS)
def test_umask_is_read_without_being_changed(mask):
    with process_umask(mask):
        assert umask() == mask
        assert umask() == mask  # reading it left it as it was


@pytest.mark.parametrize("mask", UMASKS, ids=IDS)
@pytest.mark.parametrize("content", ["text\n", b"bytes", lambda stream: stream.write("cb")])
def test_atomic_write_gives_the_mode_open_gives(tmp_path, mask, content):
    with process_umask(mask):
        written = atomic_write(tmp_path / "results.csv", content)
        with open(tmp_path / "plain.csv", "w") as stream:  # what open() gives, for reference
            stream.write("x")
    assert mode(written) == 0o666 & ~mask
    assert mode(written) == mode(tmp_path / "plain.csv")


@pytest.mark.parametrize("mask", UMASKS, ids=IDS)
def test_atomic_write_replacing_a_file_gives_the_current_umask(tmp_path, mask):
    target = tmp_path / "report.md"
    target.write_text("old")
    os.chmod(target, 0o600)
    with process_umask(mask):
        atomic_write(target, "new")
    assert mode(target) == 0o666 & ~mask


@pytest.mark.parametrize("mask", UMASKS, ids=IDS)
def test_folders_get_the_mode_mkdir_gives(tmp_path, mask):
    with process_umask(mask):
        staging = staging_folder(tmp_path / "a")
        with folder_written_whole(tmp_path / "model") as filling:
            (filling / "weights.pt").write_bytes(b"w")
        (tmp_path / "plain").mkdir()
    assert mode(staging) == 0o777 & ~mask
    assert mode(tmp_path / "model") == 0o777 & ~mask
    assert mode(tmp_path / "model") == mode(tmp_path / "plain")
    assert mode(tmp_path / "model" / "weights.pt") == 0o666 & ~mask


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["0o22", "0o77"])
def test_model_folder_and_its_files_follow_the_umask(tmp_path, tiny_pretrained, mask):
    with process_umask(mask):
        folder = save_pretrained({"valence": tiny_pretrained}, tmp_path / "model", image_size=64)
    assert mode(folder) == 0o777 & ~mask
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert mode(path) == 0o666 & ~mask, path.name


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["0o22", "0o77"])
def test_a_cached_model_copied_into_a_study_follows_the_umask(tmp_path, mask):
    from sklearn_fer.study._pretraining import _copy_folder

    cache = tmp_path / "cache"  # as an older version wrote it: private whatever the umask
    cache.mkdir()
    (cache / "valence.pt").write_bytes(b"w")
    os.chmod(cache / "valence.pt", 0o600)
    os.chmod(cache, 0o700)
    with process_umask(mask):
        _copy_folder(cache, tmp_path / "out" / "model")
    assert mode(tmp_path / "out" / "model") == 0o777 & ~mask
    assert mode(tmp_path / "out" / "model" / "valence.pt") == 0o666 & ~mask
    assert (tmp_path / "out" / "model" / "valence.pt").read_bytes() == b"w"


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["0o22", "0o77"])
def test_umask_without_proc_is_read_by_setting_it_back(monkeypatch, mask):
    import builtins

    real_open = builtins.open

    def no_proc(path, *args, **kwargs):
        if str(path).startswith("/proc/"):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_proc)
    with process_umask(mask):
        assert umask() == mask
        assert os.umask(mask) == mask  # left as it was
