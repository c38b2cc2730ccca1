"""The real videos and photographs ``tools/fetch_real_media.py`` unpacks (``make venv``).

Tests that need them call :func:`real_media`, which skips cleanly when the folder is
absent (an environment not built by ``make``), and fails when it is present but damaged.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

_TOOL = Path(__file__).resolve().parents[1] / "tools" / "fetch_real_media.py"
_spec = importlib.util.spec_from_file_location("fetch_real_media", _TOOL)
fetch_real_media = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch_real_media)

#: file name -> SHA-256, for every file the tool unpacks
EXPECTED = {
    Path(member).name: digest
    for members in fetch_real_media.FILES.values()
    for member, digest in members.items()
}


def real_media(name):
    """Path of the real file ``name`` (e.g. ``"WolfgangLanger_Pexels.mp4"``), or skip."""
    if name not in EXPECTED:
        raise KeyError(f"{name!r} is not one of the fetched files: {sorted(EXPECTED)}")
    folder = fetch_real_media.default_destination()
    if not (folder / fetch_real_media.COMPLETE).is_file():
        pytest.skip(f"the real videos and photographs are not in {folder} (make venv fetches them)")
    path = folder / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == EXPECTED[name], path
    return path
