"""The regressors with every backbone: names, Transfer 0%, image sizes, MCDUE's dropout."""

import numpy as np
import pytest
from torch import nn

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer
from sklearn_fer.active import MCDropoutSampler
from sklearn_fer.nets import ImageInput, MiniXception


@pytest.fixture(scope="module")
def faces():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(8, 71, 71, 3), dtype=np.uint8)
    return images, rng.uniform(-1, 1, size=(8, 2)).astype(np.float32)


@pytest.mark.parametrize("name", ["mini_xception", "xception"])
def test_a_backbone_by_name_trains_and_transfers(faces, name):
    images, y = faces
    general = AlexNetRegressor(name, max_epochs=1, batch_size=4, random_state=0).fit(images, y)
    assert general.n_outputs_ == 2 and general.predict(images).shape == (8, 2)
    features = FrozenConvFeaturizer(general).fit_transform(images)
    head = DenseHeadRegressor(general).initialize()
    np.testing.assert_allclose(head.predict(features), general.predict(images), atol=1e-5)
    tuned = DenseHeadRegressor(general, max_epochs=2, lr=0.01, random_state=0).fit(features, y)
    assert not np.allclose(tuned.predict(features), head.predict(features))


def test_image_size_is_checked_against_the_backbone(faces):
    images, y = faces
    small = images[:, :64, :64]
    with pytest.raises(ValueError, match="at least 71x71"):
        AlexNetRegressor("xception", max_epochs=1).fit(small, y)
    mini = AlexNetRegressor("mini_xception", max_epochs=1, random_state=0).fit(small[:, :40], y)
    assert mini.predict(small[:, :40]).shape == (8, 2)  # resized to 64 px inside


def test_mcdue_needs_head_dropout_with_any_backbone(faces):
    images, y = faces
    dry = AlexNetRegressor(MiniXception, module__n_outputs=2, max_epochs=1).fit(images, y)
    wet = AlexNetRegressor(
        MiniXception, module__n_outputs=2, module__dropout=0.5, max_epochs=1
    ).fit(images, y)
    features = FrozenConvFeaturizer(wet).fit_transform(images)
    sampler = MCDropoutSampler(n_iter=5, random_state=0)
    assert len(sampler.select(features, 3, estimator=DenseHeadRegressor(wet))) == 3
    with pytest.raises(ValueError, match="MCDUE needs dropout layers"):
        sampler.select(features, 3, estimator=DenseHeadRegressor(dry))


class OwnBackbone(nn.Module):
    """A user's module following the protocol: a conv part, a head, named layers."""

    min_image_size = 32

    def __init__(self, n_outputs=1):
        super().__init__()
        self.input = ImageInput()
        self.conv = nn.Sequential(nn.Conv2d(3, 4, 5, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(3))
        self.head = nn.Sequential(nn.Dropout(0.5), nn.Linear(36, n_outputs))

    def forward(self, x):
        return self.head(self.conv_part()(x))

    def conv_part(self):
        return nn.Sequential(self.input, self.conv, nn.Flatten())

    def dense_part(self):
        return self.head

    def conv_layers(self):
        return {"relu": self.conv[1]}


def test_a_users_own_backbone_works_everywhere(faces):
    images, y = faces
    general = AlexNetRegressor(OwnBackbone, max_epochs=1, random_state=0).fit(images, y[:, 0])
    features = FrozenConvFeaturizer(general).fit_transform(images)
    assert features.shape == (8, 36)
    maps = FrozenConvFeaturizer(general, layer="relu", pooling="max").fit(images)
    assert maps.transform(images).shape == (8, 4)
    head = DenseHeadRegressor(general, max_epochs=1).fit(features, y[:, 0])
    assert head.predict(features).shape == (8,)
    assert len(MCDropoutSampler(n_iter=4).select(features, 2, estimator=head)) == 2
    with pytest.raises(ValueError, match="at least 32x32"):
        general.predict(images[:, :30, :30])


def test_a_module_off_the_protocol_is_a_type_error_for_the_head(faces):
    images, y = faces
    plain = nn.Sequential(ImageInput(), nn.Flatten(), nn.LazyLinear(1))
    general = AlexNetRegressor(plain, max_epochs=1).fit(images, y[:, 0])
    with pytest.raises(TypeError, match="does not follow the backbone protocol"):
        DenseHeadRegressor(general).initialize()
