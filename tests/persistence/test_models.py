import json
import pickle

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sklearn_fer import DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.persistence import (
    ModelFolderError,
    load_pipeline,
    load_pretrained,
    read_manifest,
    save_pretrained,
)

from .conftest import Payload


def test_round_trip_predicts_the_same(folder, tiny_pretrained, images):
    nets, image_size = load_pretrained(folder)
    assert image_size == 64 and list(nets) == ["valence", "arousal"]
    np.testing.assert_allclose(
        nets["valence"].predict(images), tiny_pretrained.predict(images), rtol=1e-6
    )
    assert nets["valence"].predict(images).shape == (len(images),)
    manifest = read_manifest(folder)
    assert manifest["metadata"] == {"note": "test"}
    assert manifest["kind"] == "general" and manifest["backbone"] == "alexnet"
    assert manifest["targets"]["valence"]["architecture"]["hidden_units"] == 32


def test_saving_again_replaces_the_folder_whole(folder, tiny_pretrained):
    save_pretrained({"valence": tiny_pretrained}, folder, image_size=96)
    nets, image_size = load_pretrained(folder)
    assert sorted(nets) == ["valence"] and image_size == 96
    assert not (folder / "arousal.pt").exists()
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())


def test_a_folder_of_the_first_format_loads_as_a_general_alexnet(folder, images):
    manifest = json.loads((folder / "model.json").read_text())
    legacy = {
        "format": "sklearn-fer/alexnet-weights",
        "version": 1,
        "image_size": 64,
        "target_order": manifest["target_order"],
        "metadata": {},
        "targets": {
            name: {
                "file": entry["file"],
                "y_ndim": 1,
                "architecture": {
                    key: entry["architecture"][key]
                    for key in ("n_outputs", "hidden_units", "dropout")
                },
            }
            for name, entry in manifest["targets"].items()
        },
    }
    before = load_pretrained(folder)[0]["valence"].predict(images)
    (folder / "model.json").write_text(json.dumps(legacy))
    assert read_manifest(folder)["kind"] == "general"
    np.testing.assert_allclose(load_pretrained(folder)[0]["valence"].predict(images), before)


@pytest.fixture(scope="module")
def personal(tiny_pretrained, images, targets):
    """A head fine-tuned on features, and the pipeline it sits in."""
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit()
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=3, lr=0.05, random_state=0)
    head.fit(featurizer.transform(images), targets)
    return featurizer, head


def test_a_fine_tuned_head_saves_as_the_network_it_amounts_to(
    personal, tiny_pretrained, images, tmp_path
):
    featurizer, head = personal
    expected = head.predict(featurizer.transform(images))
    assert not np.allclose(expected, tiny_pretrained.predict(images), atol=1e-4)
    folder = save_pretrained({"valence": head}, tmp_path / "personal", image_size=64)
    assert read_manifest(folder)["kind"] == "personal"
    nets, _ = load_pretrained(folder, kind="personal")
    np.testing.assert_allclose(nets["valence"].predict(images), expected, rtol=1e-5, atol=1e-6)


def test_a_pipeline_saves_with_its_featurizers_conv_layers(personal, images, tmp_path):
    featurizer, head = personal
    pipeline = make_pipeline(featurizer, head)
    expected = pipeline.predict(images)
    # The featurizer holds a private copy: a later change to the general net's conv
    # layers must not leak into the saved personal model.
    saved_conv = head.pretrained.module_.features[0].weight.detach().clone()
    with torch.no_grad():
        head.pretrained.module_.features[0].weight.add_(1.0)
    try:
        folder = save_pretrained({"valence": pipeline}, tmp_path / "p", image_size=64)
    finally:
        with torch.no_grad():
            head.pretrained.module_.features[0].weight.copy_(saved_conv)
    nets, _ = load_pretrained(folder)
    np.testing.assert_allclose(nets["valence"].predict(images), expected, rtol=1e-5, atol=1e-6)


def test_load_pipeline_predicts_as_saved_and_fine_tunes_only_the_head(
    folder, images, targets, tiny_pretrained
):
    pipelines = load_pipeline(folder)
    valence = pipelines["valence"]
    np.testing.assert_allclose(
        valence.predict(images), tiny_pretrained.predict(images), rtol=1e-5, atol=1e-6
    )
    conv_before = {
        k: v.clone() for k, v in valence.named_steps["featurizer"].conv_.state_dict().items()
    }
    valence.set_params(head__max_epochs=2, head__lr=0.05, head__random_state=0)
    valence.fit(images, targets)
    assert not np.allclose(valence.predict(images), tiny_pretrained.predict(images), atol=1e-4)
    for name, tensor in valence.named_steps["featurizer"].conv_.state_dict().items():
        torch.testing.assert_close(tensor, conv_before[name])


def test_an_unfitted_head_is_a_clear_error(tiny_pretrained, tmp_path):
    with pytest.raises(ValueError, match="'valence' is not fitted"):
        save_pretrained(
            {"valence": DenseHeadRegressor(tiny_pretrained)}, tmp_path / "m", image_size=64
        )
    assert not (tmp_path / "m").exists()


class _TorchvisionLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(16, 1))


@pytest.mark.parametrize(
    "make_model, error, message",
    [
        (lambda net: Ridge(), TypeError, "expected an AlexNetRegressor"),
        (lambda net: make_pipeline(StandardScaler(), Ridge()), TypeError, "FrozenConvFeaturizer"),
        (
            lambda net: DenseHeadRegressor(_TorchvisionLike()).initialize(),
            TypeError,
            "hold the backbones alexnet",
        ),
    ],
)
def test_models_that_cannot_be_saved_say_why(make_model, error, message, tiny_pretrained, tmp_path):
    with pytest.raises(error, match=message):
        save_pretrained({"valence": make_model(tiny_pretrained)}, tmp_path / "m", image_size=64)


@pytest.mark.parametrize(
    "models, kwargs, message",
    [
        ({}, {}, "non-empty dict"),
        ({"../evil": None}, {}, "target names"),
        ({"valence": None}, {"image_size": 32}, "image_size"),
        ({"valence": None}, {"metadata": {"f": print}}, "JSON-serialisable"),
        ({"valence": None}, {"kind": "private"}, "kind"),
    ],
)
def test_bad_save_arguments(models, kwargs, message, tiny_pretrained, tmp_path):
    models = {name: tiny_pretrained for name in models}
    kwargs = {"image_size": 64, **kwargs}
    with pytest.raises((TypeError, ValueError), match=message):
        save_pretrained(models, tmp_path / "m", **kwargs)
    assert not (tmp_path / "m").exists()


def test_a_pickle_in_place_of_weights_is_refused_and_runs_nothing(folder, tmp_path):
    marker = tmp_path / "payload-ran"
    with open(folder / "valence.pt", "wb") as stream:
        pickle.dump(Payload(marker), stream)
    with pytest.raises(ModelFolderError, match="not a weights file"):
        load_pretrained(folder)
    assert not marker.exists()


def test_torch_saved_objects_other_than_tensors_are_refused(folder, tmp_path):
    marker = tmp_path / "payload-ran"
    torch.save({"model": Payload(marker)}, folder / "arousal.pt")
    with pytest.raises(ModelFolderError, match="not a weights file"):
        load_pretrained(folder)
    assert not marker.exists()


def test_weights_of_another_architecture_are_refused(folder):
    manifest = json.loads((folder / "model.json").read_text())
    manifest["targets"]["valence"]["architecture"]["hidden_units"] = 16
    (folder / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFolderError, match="not a weights file for this architecture"):
        load_pretrained(folder)


def test_a_model_of_the_wrong_kind_is_refused(folder):
    with pytest.raises(ModelFolderError, match="holds a general model; a personal model"):
        load_pretrained(folder, kind="personal")
    with pytest.raises(ValueError, match="kind must be one of"):
        load_pretrained(folder, kind="other")
