"""Fixtures of the sampling tests: conv features of the shared tiny net."""

import pytest

from sklearn_fer import FrozenConvFeaturizer


@pytest.fixture(scope="module")
def features(tiny_pretrained, images):
    return FrozenConvFeaturizer(tiny_pretrained).fit_transform(images)
