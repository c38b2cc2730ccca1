import dataclasses

import pytest
import torch

from sklearn_fer import _general_nets as pretraining_module
from sklearn_fer.datasets import make_faces
from sklearn_fer.persistence import load_pretrained, read_manifest
from sklearn_fer.study import make_config
from sklearn_fer.workflow import _pretrain as workflow_pretrain
from sklearn_fer.workflow._pretrain import PretrainError, data_fingerprint, pretrain

CONFIG = dataclasses.replace(
    make_config("smoke", seed=2),
    pretraining=dataclasses.replace(
        make_config("smoke").pretraining,
        wild_subjects=6,
        wild_images_per_subject=2,
        epochs=2,
        hidden_units=16,
    ),
)
FINGERPRINT = data_fingerprint("synthetic")


class Loader:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        faces = make_faces(6, 2, domain="wild", image_size=64, random_state=0)
        return faces.images, {"valence": faces.valence, "arousal": faces.arousal}


def _train(out, config=CONFIG, loader=None):
    return pretrain(
        loader or Loader(), out, config=config, fingerprint=FINGERPRINT, log=lambda m: None
    )


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("pretrain") / "general")


def test_a_general_model_folder_and_nothing_else(finished):
    manifest = read_manifest(finished)
    assert manifest["kind"] == "general" and manifest["target_order"] == ["valence", "arousal"]
    assert manifest["metadata"]["config"]["pretrain_epochs"] == 2
    assert sorted(p.name for p in finished.iterdir()) == ["arousal.pt", "model.json", "valence.pt"]


def test_the_same_command_again_does_nothing(finished):
    loader = Loader()
    before = (finished / "valence.pt").read_bytes()
    _train(finished, loader=loader)
    assert loader.calls == 0 and (finished / "valence.pt").read_bytes() == before


def test_an_interrupted_run_resumes_to_the_same_model(finished, tmp_path, monkeypatch):
    original = pretraining_module.EpochCheckpoint.on_epoch_end
    epochs = []

    def stop_after_three_epochs(self, net, **kwargs):
        original(self, net, **kwargs)
        epochs.append(1)
        if len(epochs) == 3:  # valence finished, arousal's first epoch saved
            raise KeyboardInterrupt

    monkeypatch.setattr(pretraining_module.EpochCheckpoint, "on_epoch_end", stop_after_three_epochs)
    with pytest.raises(KeyboardInterrupt):
        _train(tmp_path / "general")
    assert (tmp_path / "general" / "pretrain.json").is_file()
    monkeypatch.setattr(pretraining_module.EpochCheckpoint, "on_epoch_end", original)
    trained = []
    monkeypatch.setattr(
        pretraining_module.EpochCheckpoint,
        "on_epoch_end",
        lambda self, net, **kw: (trained.append(1), original(self, net, **kw)),
    )
    resumed = _train(tmp_path / "general")
    assert len(trained) == 1  # only arousal's second epoch was left
    nets, _ = load_pretrained(resumed)
    reference, _ = load_pretrained(finished)
    for target in ("valence", "arousal"):
        for name, tensor in reference[target].module_.state_dict().items():
            torch.testing.assert_close(nets[target].module_.state_dict()[name], tensor)


def test_other_settings_never_touch_a_folder(finished, tmp_path, monkeypatch):
    other = dataclasses.replace(CONFIG, pretraining=dataclasses.replace(CONFIG.pretraining, lr=0.5))
    with pytest.raises(PretrainError, match="holds another model"):
        _train(finished, config=other)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(PretrainError, match="is not empty"):
        _train(tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow_pretrain, "fit_resumably", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _train(tmp_path / "unfinished")
    with pytest.raises(PretrainError, match="unfinished pre-training with other settings"):
        _train(tmp_path / "unfinished", config=other)
