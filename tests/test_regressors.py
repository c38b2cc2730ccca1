import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from torch.utils.data import TensorDataset

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, NesterovSGD
from sklearn_fer.nets import AlexNet

from ._helpers import brightness_images, tiny_regressor


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# -- defaults ---------------------------------------------------------------------------


def test_defaults_are_the_papers():
    net = AlexNetRegressor()
    assert net.module is AlexNet
    assert net.optimizer is NesterovSGD
    assert (net.lr, net.batch_size, net.max_epochs) == (0.001, 16, 50)
    assert net.criterion is torch.nn.MSELoss
    assert net.iterator_train__shuffle is True
    net.initialize()
    group = net.optimizer_.param_groups[0]
    assert (group["lr"], group["momentum"], group["nesterov"]) == (0.001, 0.9, True)
    assert net.module_.classifier[-1].out_features == 1
    assert net.module_.classifier[1].out_features == 4096


def test_other_optimizer_needs_no_unsetting_of_momentum(images, targets):
    net = tiny_regressor(optimizer=torch.optim.Adam, lr=1e-4).fit(images, targets)
    assert isinstance(net.optimizer_, torch.optim.Adam)


def test_repr_shows_only_changed_parameters():
    assert repr(AlexNetRegressor()) == "AlexNetRegressor()"
    assert repr(AlexNetRegressor(lr=0.01, module__hidden_units=8)) == (
        "AlexNetRegressor(lr=0.01, module__hidden_units=8)"
    )


# -- targets ----------------------------------------------------------------------------


def test_one_dimensional_y_gives_one_dimensional_predictions(tiny_pretrained, images):
    prediction = tiny_pretrained.predict(images)
    assert prediction.shape == (len(images),)
    assert tiny_pretrained.n_outputs_ == 1


def test_two_column_y_trains_one_two_output_net(images, targets):
    y = np.column_stack([targets, -targets])
    net = tiny_regressor().fit(images, y)
    assert net.module_.classifier[-1].out_features == 2
    assert net.predict(images).shape == (len(images), 2)


def test_column_vector_y_keeps_its_shape(images, targets):
    net = tiny_regressor().fit(images, targets.reshape(-1, 1))
    assert net.predict(images).shape == (len(images), 1)


def test_loss_of_1d_targets_is_the_mse_not_a_broadcast_matrix():
    net = AlexNetRegressor(module__hidden_units=8).initialize()
    y_pred = torch.tensor([[0.0], [1.0], [2.0]])
    y_true = torch.tensor([0.0, 0.0, 0.0])
    # The broadcast (3, 1) - (3,) -> (3, 3) would give mean of [0,0,0,1,1,1,4,4,4] = 5/3.
    assert net.get_loss(y_pred, y_true).item() == pytest.approx(5 / 3)
    assert net.get_loss(y_pred, y_true).item() == pytest.approx(np.mean([0, 1, 4]))


def test_training_loss_matches_the_true_mse(images, targets):
    # lr=0 and no dropout: the recorded loss of the single full batch is the MSE of the
    # predictions; the (n, 1) - (n,) broadcast would record a much larger value.
    net = tiny_regressor(lr=0.0, batch_size=len(images), module__dropout=0.0)
    net.fit(images, targets)
    recorded = net.history[-1, "batches", 0, "train_loss"]
    assert recorded == pytest.approx(np.mean((net.predict(images) - targets) ** 2), rel=1e-4)


def test_dataset_input_trains_like_arrays(images, targets):
    from_arrays = tiny_regressor(max_epochs=2).fit(images, targets)
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(targets))
    from_dataset = tiny_regressor(max_epochs=2).fit(dataset, None)
    np.testing.assert_allclose(from_dataset.predict(dataset), from_arrays.predict(images))
    assert from_dataset.predict(dataset).shape == (len(images),)


# -- randomness -------------------------------------------------------------------------


def test_same_random_state_same_predictions(images, targets):
    first = tiny_regressor(max_epochs=2, random_state=7).fit(images, targets).predict(images)
    second = tiny_regressor(max_epochs=2, random_state=7).fit(images, targets).predict(images)
    other = tiny_regressor(max_epochs=2, random_state=8).fit(images, targets).predict(images)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_random_state_leaves_global_torch_rng_alone(images, targets):
    state = torch.get_rng_state()
    tiny_regressor(random_state=3).fit(images, targets)
    assert torch.equal(torch.get_rng_state(), state)


def test_successive_partial_fits_draw_fresh_but_reproducible_batches(images, targets):
    def run():
        net = tiny_regressor(random_state=1, batch_size=4)
        net.partial_fit(images, targets)
        net.partial_fit(images, targets)
        return net

    first, second = run(), run()
    np.testing.assert_array_equal(first.predict(images), second.predict(images))
    assert len(first.history) == 2


# -- scikit-learn protocol --------------------------------------------------------------


def test_clone_gives_an_unfitted_copy_with_equal_params(tiny_pretrained):
    copy = clone(tiny_pretrained)
    assert not copy.initialized_
    assert copy.get_params()["module__hidden_units"] == 32
    assert copy.get_params()["random_state"] == 0


def test_set_params_round_trip():
    net = AlexNetRegressor().set_params(lr=0.05, max_epochs=3, module__hidden_units=8)
    params = net.get_params()
    assert (params["lr"], params["max_epochs"], params["module__hidden_units"]) == (0.05, 3, 8)


def test_cross_val_score_on_raw_images(images, targets):
    scores = cross_val_score(
        tiny_regressor(), images, targets, cv=KFold(3), scoring="neg_root_mean_squared_error"
    )
    assert scores.shape == (3,) and np.all(np.isfinite(scores))


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((4, 64, 64), np.uint8), r"\(n_samples, height, width, 3\)"),
        (np.zeros((4, 64, 64, 4), np.uint8), r"\(n_samples, height, width, 3\)"),
        (np.zeros((4, 3, 64, 64), np.uint8), r"\(n_samples, height, width, 3\)"),
        (np.zeros((4, 62, 64, 3), np.uint8), "at least 63x63"),
        (np.zeros((0, 64, 64, 3), np.uint8), "empty"),
        (np.full((4, 64, 64, 3), 255.0), r"\[0, 1\] scale"),
        (np.full((4, 64, 64, 3), np.nan), "NaN"),
    ],
)
def test_bad_images_are_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        tiny_regressor().fit(X, np.zeros(len(X)))


def test_integer_images_of_other_dtypes_get_a_type_error():
    with pytest.raises(TypeError, match="astype"):
        tiny_regressor().fit(np.zeros((4, 64, 64, 3), np.int64), np.zeros(4))


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(3), "inconsistent lengths: 4 images but 3"),
        (np.array([0.0, np.nan, 0.0, 0.0]), "NaN or infinity"),
        (np.array([0.0, np.inf, 0.0, 0.0]), "NaN or infinity"),
        (np.zeros((4, 2, 1)), "shape"),
        (None, "requires y to be passed"),
        (np.array(["a", "b", "c", "d"]), "Unknown label type"),
    ],
)
def test_bad_targets_are_rejected(y, match):
    with pytest.raises(ValueError, match=match):
        tiny_regressor().fit(np.zeros((4, 64, 64, 3), np.uint8), y)


def test_predict_validates_images(tiny_pretrained):
    with pytest.raises(ValueError, match="at least 63x63"):
        tiny_pretrained.predict(np.zeros((2, 32, 32, 3), np.uint8))


def test_y_wider_than_the_module_is_rejected(images, targets):
    net = tiny_regressor(module=AlexNet(n_outputs=1, hidden_units=8))
    with pytest.raises(ValueError, match="2 target column"):
        net.fit(images, np.column_stack([targets, targets]))


# -- the dense head ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_pretrained():
    """Full-width AlexNet (4096 hidden units), briefly fitted: the paper's architecture."""
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, size=(16, 64, 64, 3), dtype=np.uint8)
    y = rng.uniform(-1, 1, size=16)
    return AlexNetRegressor(max_epochs=1, random_state=0).fit(images, y), images


def test_transfer_0_head_reproduces_pretrained_predictions(full_pretrained):
    pretrained, images = full_pretrained
    features = FrozenConvFeaturizer(pretrained).fit_transform(images)
    head = DenseHeadRegressor(pretrained).initialize()
    difference = np.abs(head.predict(features) - pretrained.predict(images))
    assert head.predict(features).shape == (len(images),)
    assert difference.max() < 1e-4


def test_transfer_0_identity_with_two_outputs(images, targets):
    pretrained = tiny_regressor().fit(images, np.column_stack([targets, targets**2]))
    features = FrozenConvFeaturizer(pretrained).fit_transform(images)
    head = DenseHeadRegressor(pretrained).initialize()
    assert head.predict(features).shape == (len(images), 2)
    assert np.abs(head.predict(features) - pretrained.predict(images)).max() < 1e-4


def _snapshot(module):
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def test_fitting_the_head_changes_no_pretrained_tensor(tiny_pretrained, images, targets):
    before = _snapshot(tiny_pretrained.module_)
    featurizer = FrozenConvFeaturizer(tiny_pretrained).fit(images)
    features_before = featurizer.transform(images)
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=3, lr=0.1).fit(features_before, targets)
    after = _snapshot(tiny_pretrained.module_)
    assert before.keys() == after.keys()
    for name in before:
        assert torch.equal(before[name], after[name]), name
    np.testing.assert_array_equal(featurizer.transform(images), features_before)
    # ...while the head did move away from the pre-trained weights.
    assert not torch.equal(head.module_[-1].weight, tiny_pretrained.module_.classifier[-1].weight)


def test_every_fit_restarts_from_the_pretrained_weights(tiny_pretrained, images, targets):
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=2, lr=0.05, random_state=0)
    first = head.fit(features, targets).predict(features)
    second = head.fit(features, targets).predict(features)
    np.testing.assert_array_equal(first, second)
    warm = head.set_params(warm_start=True).fit(features, targets).predict(features)
    assert not np.allclose(warm, first)


def test_fine_tuning_learns_what_the_images_encode():
    rng = np.random.default_rng(0)
    source_images, g = brightness_images(96, rng)
    general = tiny_regressor(max_epochs=3, lr=0.01).fit(source_images, 2 * g - 1)
    # One person's frames: same cue, their own gain and offset.
    train_images, g_train = brightness_images(64, rng)
    test_images, g_test = brightness_images(64, rng)
    y_train, y_test = 0.5 * g_train + 0.4, 0.5 * g_test + 0.4

    personal = make_pipeline(
        FrozenConvFeaturizer(general),
        DenseHeadRegressor(general, max_epochs=40, lr=0.03, random_state=0),
    )
    transfer_0 = rmse(general.predict(test_images), y_test)
    constant = rmse(np.full_like(y_test, y_train.mean()), y_test)
    transfer_100 = rmse(personal.fit(train_images, y_train).predict(test_images), y_test)
    assert transfer_100 < 0.5 * constant
    assert transfer_100 < 0.5 * transfer_0


def test_head_clone_shares_the_pretrained_net(tiny_pretrained):
    head = DenseHeadRegressor(tiny_pretrained, lr=0.01)
    copy = clone(head)
    assert copy.pretrained is tiny_pretrained
    assert copy.lr == 0.01
    assert "pretrained__lr" not in head.get_params(deep=True)
    assert "module" not in head.get_params(deep=False)


def test_head_in_grid_search_keeps_the_pretraining(tiny_pretrained, images, targets):
    pipeline = make_pipeline(
        FrozenConvFeaturizer(tiny_pretrained),
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
    )
    search = GridSearchCV(pipeline, {"denseheadregressor__lr": [0.0, 0.01]}, cv=KFold(2))
    search.fit(images, targets)
    assert search.best_estimator_[0].pretrained is tiny_pretrained
    # lr=0 leaves the head at the pre-trained weights: Transfer 0% predictions.
    zero_lr = clone(pipeline).set_params(denseheadregressor__lr=0.0).fit(images, targets)
    np.testing.assert_allclose(zero_lr.predict(images), tiny_pretrained.predict(images), atol=1e-4)


def test_fitted_pipeline_pickles_and_predicts_the_same(tiny_pretrained, images, targets):
    pipeline = make_pipeline(
        FrozenConvFeaturizer(tiny_pretrained),
        DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0),
    ).fit(images, targets)
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(restored.predict(images), pipeline.predict(images))
    assert repr(restored) == repr(pipeline)


def test_head_rejects_features_of_the_wrong_width(tiny_pretrained):
    head = DenseHeadRegressor(tiny_pretrained)
    expected = "X has 10 features, but DenseHeadRegressor is expecting 9216"
    with pytest.raises(ValueError, match=expected):
        head.fit(np.zeros((4, 10), np.float32), np.zeros(4))


def test_head_rejects_nan_features(tiny_pretrained):
    features = np.zeros((4, 9216), np.float32)
    features[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DenseHeadRegressor(tiny_pretrained).fit(features, np.zeros(4))


def test_head_rejects_more_targets_than_pretrained_outputs(tiny_pretrained):
    with pytest.raises(ValueError, match="2 target column"):
        DenseHeadRegressor(tiny_pretrained).fit(np.zeros((4, 9216), np.float32), np.zeros((4, 2)))


def test_head_needs_a_fitted_pretrained_net():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        DenseHeadRegressor(AlexNetRegressor()).initialize()
    with pytest.raises(TypeError, match="got str"):
        DenseHeadRegressor("alexnet").initialize()


def test_head_accepts_a_plain_torch_module():
    module = AlexNet(hidden_units=8).eval()
    images = torch.randint(0, 256, (3, 64, 64, 3), dtype=torch.uint8)
    features = FrozenConvFeaturizer(module).fit_transform(images.numpy())
    head = DenseHeadRegressor(module).initialize()
    with torch.no_grad():
        expected = module(images).numpy().ravel()
    np.testing.assert_allclose(head.predict(features), expected, atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_device_end_to_end(images, targets):
    general = tiny_regressor(device="cuda").fit(images, targets)
    features = FrozenConvFeaturizer(general).fit_transform(images)
    head = DenseHeadRegressor(general, device="cuda").initialize()
    assert next(head.module_.parameters()).is_cuda
    np.testing.assert_allclose(head.predict(features), general.predict(images), atol=1e-4)


def test_set_params_swaps_the_pretrained_net(tiny_pretrained, images):
    head = DenseHeadRegressor(AlexNet(hidden_units=4))
    head.set_params(pretrained=tiny_pretrained, lr=0.5)
    assert head.pretrained is tiny_pretrained and head.lr == 0.5
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    np.testing.assert_allclose(
        head.initialize().predict(features), tiny_pretrained.predict(images), atol=1e-4
    )
    head.set_params(pretrained=AlexNet(hidden_units=4))
    assert isinstance(head.pretrained, AlexNet)


def test_frozen_estimator_wrapper_is_accepted(tiny_pretrained, images):
    FrozenEstimator = pytest.importorskip("sklearn.frozen").FrozenEstimator  # sklearn >= 1.6

    frozen = FrozenEstimator(tiny_pretrained)
    features = FrozenConvFeaturizer(frozen).fit_transform(images)
    head = DenseHeadRegressor(frozen).initialize()
    np.testing.assert_allclose(head.predict(features), tiny_pretrained.predict(images), atol=1e-4)
    assert clone(head).pretrained is frozen


def test_nesterov_sgd_fused_default_matches_the_plain_loop():
    torch.manual_seed(0)
    fused_model = torch.nn.Linear(20, 1)
    plain_model = torch.nn.Linear(20, 1)
    plain_model.load_state_dict(fused_model.state_dict())
    fused = NesterovSGD(fused_model.parameters(), lr=0.05)
    plain = NesterovSGD(plain_model.parameters(), lr=0.05, foreach=False)
    assert fused.defaults["fused"] is True
    x, y = torch.randn(32, 20), torch.randn(32, 1)
    for _ in range(10):
        for model, optimizer in ((fused_model, fused), (plain_model, plain)):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
    torch.testing.assert_close(fused_model.weight, plain_model.weight, rtol=1e-5, atol=1e-6)
    assert not torch.equal(fused_model.weight, torch.zeros_like(fused_model.weight))


def test_keyboard_interrupt_propagates_instead_of_returning_a_half_trained_net(images, targets):
    from skorch.callbacks import Callback

    class InterruptAfterFirstEpoch(Callback):
        def on_epoch_end(self, net, **kwargs):
            raise KeyboardInterrupt

    net = tiny_regressor(max_epochs=3, callbacks=[InterruptAfterFirstEpoch()])
    with pytest.raises(KeyboardInterrupt):
        net.fit(images, targets)


def test_resuming_epoch_by_epoch_replays_the_uninterrupted_fit(images, targets):
    # Per-epoch random streams: three epochs in one call equal 1 + 2 epochs resumed.
    whole = tiny_regressor(max_epochs=3, random_state=5, batch_size=4).fit(images, targets)
    part = tiny_regressor(max_epochs=1, random_state=5, batch_size=4).fit(images, targets)
    part.set_params(max_epochs=2).partial_fit(images, targets)
    np.testing.assert_allclose(part.predict(images), whole.predict(images), rtol=1e-5, atol=1e-6)


def test_read_only_targets_are_copied_before_torch_sees_them(
    tiny_pretrained, images, targets, monkeypatch
):
    # pandas >= 3 hands out read-only arrays (copy-on-write); torch warns on those once
    # per process, so the test spies on the conversion instead of catching the warning.
    frozen = targets.copy()
    frozen.flags.writeable = False
    features = FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
    original, writeable = torch.as_tensor, []

    def spy(data, *args, **kwargs):
        if isinstance(data, np.ndarray):
            writeable.append(data.flags.writeable)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(torch, "as_tensor", spy)
    head = DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0)
    head.fit(features, frozen)
    assert writeable and all(writeable), "torch was handed read-only memory"
    monkeypatch.undo()
    reference = DenseHeadRegressor(tiny_pretrained, max_epochs=1, random_state=0)
    np.testing.assert_array_equal(
        head.predict(features), reference.fit(features, targets).predict(features)
    )
    assert not frozen.flags.writeable


def test_device_none_leaves_placement_to_the_caller(images, targets):
    # skorch's AccelerateMixin sets device=None and lets accelerate place the module;
    # seeding and the featurizer must not need a device name then.
    first = tiny_regressor(device=None, max_epochs=2).fit(images, targets)
    second = tiny_regressor(device=None, max_epochs=2).fit(images, targets)
    np.testing.assert_array_equal(first.predict(images), second.predict(images))
    features = FrozenConvFeaturizer(first).fit_transform(images)
    head = DenseHeadRegressor(first, max_epochs=1, random_state=0).initialize()
    np.testing.assert_allclose(head.predict(features), first.predict(images), atol=1e-4)
