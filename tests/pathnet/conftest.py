"""Small data and a general PathNet fitted once per module for the PathNet tests."""

import numpy as np
import pytest
import torch

from sklearn_fer.pathnet import PathNetRegressor


@pytest.fixture(autouse=True)
def _one_torch_thread():
    # These networks are tiny: a second intra-op thread only adds synchronisation, and on
    # a shared, oversubscribed CPU its spinning made fits here ten times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# A tiny network and budget: every fit here takes a fraction of a second.
TINY = dict(
    n_layers=2,
    n_modules=5,
    module_units=8,
    max_active=2,
    population=4,
    steps_per_path=2,
    n_generations=4,
    batch_size=16,
    lr=0.01,
    max_epochs=5,
)


def make_domain(n, shift, random_state):
    """Non-negative 'conv features' and a target that depends on them, per domain."""
    rng = np.random.default_rng(random_state)
    X = np.maximum(rng.normal(size=(n, 12)), 0).astype(np.float32)
    y = X[:, 0] - X[:, 1] + shift * X[:, 2] + 0.05 * rng.normal(size=n)
    return X, y.astype(np.float32)


@pytest.fixture(scope="module")
def general_data():
    return make_domain(120, 0.0, 0)


@pytest.fixture(scope="module")
def person_data():
    return make_domain(30, 1.0, 1)


@pytest.fixture(scope="module")
def general(general_data):
    X, y = general_data
    return PathNetRegressor(random_state=0, **TINY).fit(X, y)
