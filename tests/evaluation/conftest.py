"""Small lab data and twin general nets, made once for all evaluation tests."""

import pytest

from sklearn_fer.datasets import make_faces

from .._helpers import tiny_regressor
from ._runs import run_curve, run_transfer


@pytest.fixture(scope="package")
def lab():
    return make_faces(3, 12, random_state=2)


@pytest.fixture(scope="package")
def twins(lab):
    wild = make_faces(20, 2, domain="wild", random_state=3)
    return {
        "valence": tiny_regressor(random_state=1).fit(wild.images, wild.valence),
        "arousal": tiny_regressor(random_state=2).fit(wild.images, wild.arousal),
    }


@pytest.fixture(scope="package")
def transfer(twins, lab):
    return run_transfer(twins, lab)


@pytest.fixture(scope="package")
def curve(twins, lab):
    return run_curve(twins, lab)
