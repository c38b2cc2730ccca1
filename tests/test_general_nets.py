"""The general nets' settings, key and resumable fit (sklearn_fer/_general_nets.py)."""

import dataclasses
import hashlib
import json

import pytest
import torch

from sklearn_fer._general_nets import (
    EpochCheckpoint,
    PretrainConfig,
    fit_resumably,
    flat_settings,
    pretrain_key,
)
from sklearn_fer.datasets import make_faces
from sklearn_fer.study import StudyConfig, ZhouShiConfig, make_config, make_zhou_shi_config


def test_the_key_is_the_hash_of_the_eleven_flat_pretraining_settings():
    # The key the model caches of earlier versions were written under: a sha256 of the
    # sorted JSON of these eleven settings (so a cached general model is still found).
    config = make_config("smoke", seed=4)
    expected = {
        "dataset": "synthetic",
        "seed": 4,
        "device": "cpu",
        "image_size": 64,
        "wild_subjects": 40,
        "wild_images_per_subject": 2,
        "pretrain_hidden_units": 32,
        "pretrain_optimizer": "adam",
        "pretrain_lr": 1e-3,
        "pretrain_batch_size": 16,
        "pretrain_epochs": 1,
    }
    text = json.dumps(expected, sort_keys=True)
    assert pretrain_key(config) == hashlib.sha256(text.encode()).hexdigest()[:16]
    other = dataclasses.replace(config, folds=2, head_lr=0.5)  # not pre-training settings
    assert pretrain_key(other) == pretrain_key(config)
    assert pretrain_key(make_zhou_shi_config("quick")) != pretrain_key(
        make_zhou_shi_config("quick", seed=1)
    )


def test_studies_contain_the_pretraining_settings_instead_of_repeating_them():
    for config_class in (StudyConfig, ZhouShiConfig):
        names = {field.name for field in dataclasses.fields(config_class)}
        assert "pretraining" in names
        assert not names & set(PretrainConfig.FLAT_NAMES.values()), config_class
        assert not hasattr(config_class, "key")
    # equal pre-training settings, equal key, whichever study holds them
    rescigno = StudyConfig(profile="a", pretraining=PretrainConfig(epochs=3))
    zhou_shi = ZhouShiConfig(profile="b", pretraining=PretrainConfig(epochs=3))
    assert pretrain_key(rescigno) == pretrain_key(zhou_shi)


def test_flat_settings_keep_the_names_and_order_of_config_json():
    names = list(flat_settings(make_config("smoke")))
    assert names[:12] == [
        "profile",
        "dataset",
        "seed",
        "device",
        "image_size",
        "wild_subjects",
        "wild_images_per_subject",
        "pretrain_hidden_units",
        "pretrain_optimizer",
        "pretrain_lr",
        "pretrain_batch_size",
        "pretrain_epochs",
    ]
    assert names[12] == "lab_subjects" and "pretraining" not in names


def test_pretraining_resumes_from_its_last_epoch(tmp_path, monkeypatch):
    smoke = make_config("smoke", seed=5)
    config = dataclasses.replace(
        smoke, pretraining=dataclasses.replace(smoke.pretraining, epochs=3)
    )
    wild = make_faces(12, 2, domain="wild", image_size=64, random_state=0)
    whole = fit_resumably(config, 0, wild.images, wild.valence, tmp_path / "a", False)

    original = EpochCheckpoint.on_epoch_end

    def stop_after_two(self, net, **kwargs):
        original(self, net, **kwargs)
        if len(net.history) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(EpochCheckpoint, "on_epoch_end", stop_after_two)
    with pytest.raises(KeyboardInterrupt):
        fit_resumably(config, 0, wild.images, wild.valence, tmp_path / "b", False)
    monkeypatch.setattr(EpochCheckpoint, "on_epoch_end", original)
    resumed = fit_resumably(config, 0, wild.images, wild.valence, tmp_path / "b", False)
    assert len(resumed.history) == 3
    for name, tensor in whole.module_.state_dict().items():
        torch.testing.assert_close(resumed.module_.state_dict()[name], tensor, rtol=1e-5, atol=1e-6)
