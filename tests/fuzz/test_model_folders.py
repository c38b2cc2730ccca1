"""Model-folder attacks: generated manifests, code-running pickles, files leaving the folder.

Loading must refuse each with a ModelFolderError (a ValueError) and run nothing: a payload
would create a marker file, and the tests check that it does not exist afterwards.
"""

import copy
import json
import pickle
import shutil

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sklearn_fer.persistence import (
    ModelFolderError,
    load_pipeline,
    load_pretrained,
    read_manifest,
    save_pretrained,
)

from ._clean import accepted_or_clean, expect_clean_error
from ._public import pretrained_alexnet

FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Payload:
    """Unpickling this creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_pretrained(
        {"valence": pretrained_alexnet()}, tmp_path_factory.mktemp("saved") / "m", image_size=64
    )


@pytest.fixture
def folder(saved, tmp_path):
    """A fresh copy of the saved folder; call it again for each generated example."""
    copies = iter(range(10**6))
    return lambda: shutil.copytree(saved, tmp_path / f"model-{next(copies)}")


def _manifest(folder):
    return json.loads((folder / "model.json").read_text())


def _paths(value, prefix=()):
    """Every key path of a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["../valence.pt", "/etc/passwd", "..", "valence.pt", "model.json"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@FUZZ
@given(data=st.data())
def test_a_generated_manifest_is_loaded_or_refused_cleanly(folder, data):
    _mutate_and_load(folder(), data.draw, ModelFolderError)


def test_a_backbone_that_is_not_a_name_is_refused(folder):
    # Found by the test above: a list as backbone raised "unhashable type: 'list'".
    folder = folder()
    manifest = _manifest(folder)
    manifest["backbone"] = []
    (folder / "model.json").write_text(json.dumps(manifest))
    error = expect_clean_error("model folders", lambda: load_pretrained(folder), "backbone")
    assert isinstance(error, ModelFolderError)


def _mutate_and_load(folder, draw, error_type):
    original = _manifest(folder)
    paths = [p for p in _paths(original) if p]
    path = draw(st.sampled_from(paths))
    value = draw(JSON)
    manifest = copy.deepcopy(original)
    node = manifest
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (folder / "model.json").write_text(json.dumps(manifest))
    loaded, error = accepted_or_clean("model folders", lambda: load_pretrained(folder))
    if error is not None:
        assert isinstance(error, error_type), repr(error)
    else:
        # Accepted: what comes back is usable nets, one per target the manifest names.
        nets, _ = loaded
        assert set(nets) == set(read_manifest(folder)["targets"])
        assert all(hasattr(net, "predict") for net in nets.values())


@FUZZ
@example(garbage=b"J")  # found by this test: torch raised struct.error, not a clean error
@given(
    garbage=st.one_of(
        st.binary(max_size=64),
        st.just(b""),
        st.just(b"PK\x03\x04" + b"\0" * 30),
    )
)
def test_garbage_weights_are_refused(folder, garbage):
    folder = folder()
    (folder / "valence.pt").write_bytes(garbage)
    expect_clean_error("model folders", lambda: load_pretrained(folder), "valence.pt", "weights")


PAYLOAD_WRAPPERS = {
    "plain pickle": lambda p, path: path.write_bytes(pickle.dumps(p)),
    "pickle protocol 0": lambda p, path: path.write_bytes(pickle.dumps(p, protocol=0)),
    "torch.save object": lambda p, path: torch.save(p, path),
    "torch.save in a dict": lambda p, path: torch.save({"weight": p}, path),
    "torch.save legacy": lambda p, path: torch.save(
        {"w": p}, path, _use_new_zipfile_serialization=False
    ),
}


@pytest.mark.parametrize("wrapper", sorted(PAYLOAD_WRAPPERS))
@pytest.mark.parametrize("loader", [load_pretrained, load_pipeline])
def test_a_code_running_pickle_runs_nothing(folder, tmp_path, wrapper, loader):
    folder = folder()
    marker = tmp_path / "payload-ran"
    PAYLOAD_WRAPPERS[wrapper](Payload(marker), folder / "valence.pt")
    expect_clean_error("model folders", lambda: loader(folder), "weights", "valence.pt")
    assert not marker.exists()


@FUZZ
@given(
    name=st.one_of(
        st.sampled_from(
            ["../x.pt", "/tmp/x.pt", "..", "sub/x.pt", "x.pt\0", "x.PT", ".pt", " x.pt"]
        ),
        st.text(min_size=1, max_size=12).filter(
            lambda s: "/" in s or ".." in s or not s.endswith(".pt")
        ),
    )
)
def test_a_weights_file_name_leaving_the_folder_is_refused(folder, name):
    folder = folder()
    manifest = _manifest(folder)
    manifest["targets"]["valence"]["file"] = name
    (folder / "model.json").write_text(json.dumps(manifest))
    error = expect_clean_error("model folders", lambda: load_pretrained(folder))
    assert isinstance(error, ModelFolderError)


def test_a_symlinked_weights_file_outside_is_refused(folder, tmp_path):
    folder = folder()
    outside = tmp_path / "outside.pt"
    shutil.move(folder / "valence.pt", outside)
    (folder / "valence.pt").symlink_to(outside)
    expect_clean_error("model folders", lambda: load_pretrained(folder), "outside")
