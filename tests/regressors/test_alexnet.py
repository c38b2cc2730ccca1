"""AlexNetRegressor: the paper's defaults, targets, seeding, scikit-learn protocol, bad input."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_score
from torch.utils.data import TensorDataset

from sklearn_fer import AlexNetRegressor, NesterovSGD
from sklearn_fer.nets import AlexNet

from .._helpers import tiny_regressor


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


def test_dataset_input_trains_like_arrays(images, targets):
    from_arrays = tiny_regressor(max_epochs=2).fit(images, targets)
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(targets))
    from_dataset = tiny_regressor(max_epochs=2).fit(dataset, None)
    np.testing.assert_allclose(from_dataset.predict(dataset), from_arrays.predict(images))
    assert from_dataset.predict(dataset).shape == (len(images),)


def test_same_random_state_same_predictions(images, targets):
    first = tiny_regressor(max_epochs=2, random_state=7).fit(images, targets).predict(images)
    second = tiny_regressor(max_epochs=2, random_state=7).fit(images, targets).predict(images)
    other = tiny_regressor(max_epochs=2, random_state=8).fit(images, targets).predict(images)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


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
