import json
import pickle

import numpy as np
import pytest
import torch

from sklearn_fer.persistence import load_pretrained, save_pretrained

from ._helpers import tiny_regressor


class Payload:
    """Unpickling this would run code of the file's choosing; weights-only loading refuses."""

    def __reduce__(self):
        return (print, ("this should never run",))


@pytest.fixture
def folder(tmp_path, tiny_pretrained):
    joint = tiny_regressor(random_state=3).initialize()
    nets = {"valence": tiny_pretrained, "arousal": joint}
    return save_pretrained(nets, tmp_path / "model", image_size=64, metadata={"note": "test"})


def test_round_trip_predicts_the_same(folder, tiny_pretrained, images):
    nets, image_size = load_pretrained(folder)
    assert image_size == 64 and sorted(nets) == ["arousal", "valence"]
    np.testing.assert_allclose(
        nets["valence"].predict(images), tiny_pretrained.predict(images), rtol=1e-6
    )
    assert nets["valence"].predict(images).shape == (len(images),)
    manifest = json.loads((folder / "model.json").read_text())
    assert manifest["metadata"] == {"note": "test"}
    assert manifest["targets"]["valence"]["architecture"]["hidden_units"] == 32


def test_saving_again_replaces_the_folder_whole(folder, tiny_pretrained):
    save_pretrained({"valence": tiny_pretrained}, folder, image_size=96)
    nets, image_size = load_pretrained(folder)
    assert sorted(nets) == ["valence"] and image_size == 96
    assert not (folder / "arousal.pt").exists()
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())


def test_a_pickle_in_place_of_weights_is_refused(folder, capsys):
    with open(folder / "valence.pt", "wb") as stream:
        pickle.dump(Payload(), stream)
    with pytest.raises(ValueError, match="not a weights file"):
        load_pretrained(folder)
    assert "should never run" not in capsys.readouterr().out


def test_torch_saved_objects_other_than_tensors_are_refused(folder):
    torch.save({"model": Payload()}, folder / "arousal.pt")
    with pytest.raises(ValueError, match="not a weights file"):
        load_pretrained(folder)


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ValueError, match="no model.json"):
        load_pretrained(tmp_path)
    (tmp_path / "model.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="is not a sklearn-fer/alexnet-weights v1"):
        load_pretrained(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_pretrained(tmp_path)
