"""The architecture page and the test layout follow the package: drift fails here.

``docs/architecture.rst`` draws the package as a tree (its first ``code-block``): every
module of the package must be named there, and every name there must exist. Tests
mirror the package: each folder under ``tests/`` names a subpackage of it.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sklearn_fer"
PAGE = ROOT / "docs" / "architecture.rst"

#: Test folders that are not a subpackage's mirror, and why.
CROSS_CUTTING = {
    "fuzz": "generated bad input against every public object, whatever module it is in",
    "fixtures": "data files, no tests",
}

#: Test files named after a theme rather than a module, and why.
THEMED = {
    "test_common.py": "scikit-learn's checks on every public estimator (tests/_instances.py)",
    "test_architecture.py": "this file: the page and the layout against the package",
    "test_docstrings.py": "numpydoc sections of every public object",
    "test_fetch_real_media.py": "tools/fetch_real_media.py, outside the package",
    "test_study_figures.py": "tools/study_figures.py, outside the package",
    "classifiers/test_real_backbone.py": "BackboneClassifier on the real FER2013 weights",
    "test_release.py": "the release files (licence, citation, wheel, sdist), outside the package",
    "cli/test_device.py": "every computing command's device line and early argument checks",
    "cli/test_real_videos.py": "the commands one after another on real videos",
    "cli/test_workflow.py": "pretrain, query, label, personalise, predict end to end",
    "pathnet/test_transfer.py": "_base.py's transfer from a fitted source",
    "pathnet/test_validation.py": "_base.py's parameter and input checks",
    "plotting/test_plotting.py": "the three figure modules, each drawn and checked",
    "regressors/test_backbones.py": "every registered backbone through the regressors",
    "study/test_paper_columns.py": "every report's paper column (_rescigno_config.py, _nasri.py)",
    "study/test_wild_split.py": "the general nets' wild split (_data.py, _pretraining.py, reports)",
    "workflow/test_fer2013_general.py": "the real FER2013 net as a general model",
}


def _tree_block(text):
    """Lines of the first ``code-block:: text`` (the layout tree), without its indent."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == ".. code-block:: text")
    block = []
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    return [line[3:] for line in block if line.strip()]


def named_modules(text):
    """Paths (relative to the package) of the modules and folders the tree names."""
    names, stack = set(), []
    for line in _tree_block(text):
        token = line.split()[0]
        indent = (len(line) - len(line.lstrip())) // 2
        if indent == 0:
            continue  # the root, sklearn_fer/
        stack = stack[: indent - 1]
        if token.endswith("/"):
            stack.append(token.rstrip("/"))
            names.add("/".join(stack))
        elif token.endswith(".py"):
            names.add("/".join([*stack, token]))
    return names


def package_modules():
    """Every module and subpackage of the package, as paths relative to it."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if "__pycache__" in relative.parts:
            continue
        if relative.name == "__init__.py" and len(relative.parts) > 1:
            found.add(relative.parent.as_posix())  # a subpackage: its folder line
        else:
            found.add(relative.as_posix())
    return found


def test_every_module_of_the_package_is_named_on_the_architecture_page():
    named = named_modules(PAGE.read_text(encoding="utf-8"))
    missing = sorted(package_modules() - named)
    assert not missing, f"docs/architecture.rst does not name {missing}"


def test_every_module_the_architecture_page_names_exists():
    named = named_modules(PAGE.read_text(encoding="utf-8"))
    stale = sorted(named - package_modules())
    assert not stale, f"docs/architecture.rst names modules that do not exist: {stale}"


def test_the_page_parser_sees_nested_modules():
    text = (
        "x\n\n.. code-block:: text\n\n   pkg/\n     a.py   one\n     sub/   two\n"
        "       _b.py    three\n     c.py\n\nafter\n"
    )
    assert named_modules(text) == {"a.py", "sub", "sub/_b.py", "c.py"}


def _subpackages():
    return {path.parent.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("__init__.py")}


def test_each_test_folder_names_a_subpackage_of_the_package():
    subpackages = _subpackages()
    for folder in sorted((ROOT / "tests").rglob("*")):
        if not folder.is_dir() or folder.name.startswith((".", "__")):
            continue
        relative = folder.relative_to(ROOT / "tests")
        if relative.parts[0] in CROSS_CUTTING:
            continue
        # tests/datasets/faces mirrors sklearn_fer/datasets/_faces (a private subpackage)
        candidates = {
            "/".join(parts)
            for parts in [relative.parts, [*relative.parts[:-1], "_" + relative.parts[-1]]]
        }
        assert candidates & subpackages, f"tests/{relative.as_posix()} mirrors no subpackage"


def test_test_files_are_named_after_a_module_of_their_folders_subpackage():
    # tests/<sub>/test_<module>.py tests sklearn_fer/<sub>/_<module>.py (or <module>.py,
    # or a subpackage <module>/); tests/test_<module>.py a top-level module.
    unmatched = []
    for test_file in sorted((ROOT / "tests").rglob("test_*.py")):
        relative = test_file.relative_to(ROOT / "tests")
        if relative.parts[0] in CROSS_CUTTING or relative.as_posix() in THEMED:
            continue
        stem = re.sub(r"^test_", "", test_file.stem)
        folder = PACKAGE.joinpath(*relative.parts[:-1])
        if not folder.is_dir():
            folder = PACKAGE.joinpath(*relative.parts[:-2], "_" + relative.parts[-2])
        modules = {p.stem.lstrip("_") for p in folder.glob("*.py")}
        modules |= {p.name.lstrip("_") for p in folder.iterdir() if p.is_dir()}
        if stem not in modules:
            unmatched.append(relative.as_posix())
    assert not unmatched, f"test files named after no module of their subpackage: {unmatched}"


def test_themed_test_files_exist():
    stale = [name for name in THEMED if not (ROOT / "tests" / name).is_file()]
    assert not stale, f"THEMED names test files that do not exist: {stale}"
