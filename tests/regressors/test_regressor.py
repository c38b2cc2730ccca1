"""What _SklearnNetRegressor adds to skorch.

True MSE for 1-D targets, per-epoch seeding, interrupts that propagate, read-only input,
device=None.
"""

import numpy as np
import pytest
import torch

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer

from .._helpers import tiny_regressor


def test_repr_shows_only_changed_parameters():
    assert repr(AlexNetRegressor()) == "AlexNetRegressor()"
    assert repr(AlexNetRegressor(lr=0.01, module__hidden_units=8)) == (
        "AlexNetRegressor(lr=0.01, module__hidden_units=8)"
    )


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


def test_read_only_images_fit_and_predict_without_torch_warning():
    # joblib hands workers read-only memmaps; torch warns once per process when its collate
    # step wraps them, so a fresh process is the only place to see the warning.
    import subprocess
    import sys

    code = (
        "import warnings, numpy as np\n"
        "warnings.simplefilter('error')\n"
        "from tests._helpers import tiny_regressor\n"
        "X = np.random.default_rng(0).integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)\n"
        "X.flags.writeable = False\n"
        "net = tiny_regressor(random_state=0).fit(X, np.linspace(-1, 1, 4))\n"
        "print(net.predict(X).shape)\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(4,)"
