import json
import os
import pickle

import pytest

from sklearn_fer.persistence import ModelFolderError, load_pretrained, read_manifest

from .conftest import Payload


def _edit(folder, change):
    manifest = json.loads((folder / "model.json").read_text())
    change(manifest)
    (folder / "model.json").write_text(json.dumps(manifest))


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ModelFolderError, match="no model.json"):
        load_pretrained(tmp_path)
    with pytest.raises(ModelFolderError, match="does not exist"):
        load_pretrained(tmp_path / "nothing")
    (tmp_path / "model.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ModelFolderError, match="is not a sklearn-fer/model v2 manifest"):
        load_pretrained(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelFolderError, match="not valid JSON"):
        load_pretrained(tmp_path)
    (tmp_path / "model.json").write_text("[1, 2]")
    with pytest.raises(ModelFolderError, match="JSON object"):
        load_pretrained(tmp_path)


def test_a_labelling_folder_is_named_as_such(tmp_path):
    (tmp_path / "labels.csv").write_text("path,valence,arousal\n")
    with pytest.raises(ModelFolderError, match="labelling folder"):
        read_manifest(tmp_path)


@pytest.mark.parametrize(
    "name",
    ["../outside.pt", "/etc/passwd", "sub/valence.pt", "..", ".hidden.pt", "valence.pkl", 7],
)
def test_a_weights_file_named_outside_the_folder_is_refused(folder, tmp_path, name):
    marker = tmp_path / "payload-ran"
    with open(tmp_path / "outside.pt", "wb") as stream:
        pickle.dump(Payload(marker), stream)
    _edit(folder, lambda m: m["targets"]["valence"].update(file=name))
    with pytest.raises(ModelFolderError, match="only plain file names"):
        load_pretrained(folder)
    assert not marker.exists()


def test_a_symbolic_link_leading_outside_is_refused(folder, tmp_path):
    marker = tmp_path / "payload-ran"
    outside = tmp_path / "elsewhere.pt"
    with open(outside, "wb") as stream:
        pickle.dump(Payload(marker), stream)
    os.unlink(folder / "valence.pt")
    os.symlink(outside, folder / "valence.pt")
    with pytest.raises(ModelFolderError, match="leads outside the model folder"):
        load_pretrained(folder)
    assert not marker.exists()


def test_a_missing_weights_file(folder):
    os.unlink(folder / "arousal.pt")
    with pytest.raises(ModelFolderError, match="is missing"):
        read_manifest(folder)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda m: m["targets"]["valence"]["architecture"].update(hidden_units=10**9),
            "hidden_units",
        ),
        (lambda m: m["targets"]["valence"]["architecture"].update(n_outputs=0), "n_outputs"),
        (lambda m: m["targets"]["valence"]["architecture"].update(dropout=1.5), "dropout"),
        (lambda m: m["targets"]["valence"]["architecture"].update(std=[0, 1, 1]), "std"),
        (lambda m: m["targets"]["valence"].update(architecture="big"), "architecture"),
        (lambda m: m["targets"]["valence"].update(y_ndim=3), "y_ndim"),
        (lambda m: m.update(image_size=10**6), "image_size"),
        (lambda m: m.update(image_size="64"), "image_size"),
        (lambda m: m.update(kind="celebrity"), "kind"),
        (lambda m: m.update(target_order=["valence"]), "target_order"),
        (lambda m: m.update(targets={}), "targets"),
        (lambda m: m.update(metadata=[1]), "metadata"),
    ],
)
def test_absurd_manifests_are_refused_before_any_weights_are_read(folder, change, message):
    _edit(folder, change)
    with pytest.raises(ModelFolderError, match=message):
        load_pretrained(folder)


def test_an_unknown_backbone_is_named(folder):
    _edit(folder, lambda m: m.update(backbone="resnet-9000"))
    with pytest.raises(ModelFolderError, match="backbone 'resnet-9000'.*known: alexnet"):
        read_manifest(folder)
