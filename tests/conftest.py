"""Shared fixtures: small 64-px images, tiny nets fitted once per module, seeded tests."""

import numpy as np
import pytest
import torch

from ._helpers import IMAGE_SIZE, tiny_regressor


@pytest.fixture(autouse=True)
def _seed_everything():
    # Tests must not depend on order: every test starts from the same global RNG state.
    np.random.seed(0)  # noqa: NPY002 - the legacy global state is what code may draw from
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)


@pytest.fixture(scope="session")
def targets(images):
    rng = np.random.default_rng(1)
    return rng.uniform(-1, 1, size=len(images)).astype(np.float32)


@pytest.fixture(scope="session")
def tiny_pretrained(images, targets):
    return tiny_regressor().fit(images, targets)
