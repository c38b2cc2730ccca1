"""Every public class and function: a numpydoc docstring with Examples, whose documented
parameters are exactly those of its signature (the doctests themselves run through
pytest's --doctest-modules)."""

import importlib
import inspect
import re
from pathlib import Path

import numpydoc.docscrape as numpydoc
import pytest

MODULES = [
    "sklearn_fer",
    "sklearn_fer.nets",
    "sklearn_fer.active",
    "sklearn_fer.datasets",
    "sklearn_fer.cropping",
    "sklearn_fer.evaluation",
    "sklearn_fer.feature_maps",
    "sklearn_fer.metrics",
    "sklearn_fer.plotting",
    "sklearn_fer.detection",
    "sklearn_fer.persistence",
    "sklearn_fer.workflow",
    "sklearn_fer.study",
    "sklearn_fer.cli",
    "sklearn_fer.optim",
    "sklearn_fer.pathnet",
]


def _public_objects():
    seen = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__.startswith(
                "sklearn_fer"
            ):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return sorted(seen.items())


PUBLIC = _public_objects()


def _documented(doc):
    names = []
    for parameter in doc["Parameters"]:
        for name in parameter.name.split(","):
            name = name.strip()
            if name:
                names.append(name)
    return names


def _signature(obj):
    function = obj.__init__ if inspect.isclass(obj) else obj
    names = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names.append(f"**{parameter.name}")
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            names.append(f"*{parameter.name}")
        else:
            names.append(parameter.name)
    return names


def test_the_public_api_is_covered():
    assert len(PUBLIC) > 40


def test_the_api_reference_lists_every_public_object():
    api = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
    listed, module = set(), None
    for line in api.read_text().splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
        elif re.match(r"^   [A-Za-z_]\w*$", line):
            listed.add(f"{module}.{line.strip()}")

    # Each class and function is listed under one of the modules that export it.
    def listed_object(entry):
        module_name, name = entry.rsplit(".", 1)
        if module_name not in MODULES:
            return None
        return getattr(importlib.import_module(module_name), name, None)

    found = [listed_object(entry) for entry in listed]
    missing = sorted(name for name, obj in PUBLIC if not any(obj is f for f in found))
    assert not missing, f"docs/api.rst does not list {missing}"


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_docstring_has_summary_and_examples(name, obj):
    doc = (numpydoc.ClassDoc if inspect.isclass(obj) else numpydoc.FunctionDoc)(obj)
    assert doc["Summary"], f"{name} has no summary line"
    assert doc["Examples"], f"{name} has no Examples section"
    assert any(">>>" in line for line in doc["Examples"]), f"{name}'s Examples run nothing"


# Exceptions take a message, documented by their summary: no Parameters section.
WITH_PARAMETERS = [
    (name, obj)
    for name, obj in PUBLIC
    if not (inspect.isclass(obj) and issubclass(obj, BaseException))
]


@pytest.mark.parametrize("name, obj", WITH_PARAMETERS, ids=[n for n, _ in WITH_PARAMETERS])
def test_documented_parameters_match_the_signature(name, obj):
    doc = (numpydoc.ClassDoc if inspect.isclass(obj) else numpydoc.FunctionDoc)(obj)
    assert _documented(doc) == _signature(obj), name
