"""Pre-trained nets reach worker processes as weights and are rebuilt there the same."""

import pickle

import numpy as np

from sklearn_fer import BackboneClassifier
from sklearn_fer.evaluation._shared_net import _PROCESS_NETS, SharedNet

from .._helpers import tiny_regressor


def _in_a_worker(shared):
    """What a worker process gets: the pickled SharedNet, without the original net."""
    _PROCESS_NETS.clear()
    return pickle.loads(pickle.dumps(shared))


def test_a_rebuilt_regressor_predicts_as_the_original(images, targets):
    net = tiny_regressor().fit(images, targets)
    rebuilt = _in_a_worker(SharedNet(net)).get()
    assert rebuilt is not net
    np.testing.assert_allclose(rebuilt.predict(images), net.predict(images), rtol=1e-6)


def test_a_rebuilt_classifier_keeps_the_classes_it_learnt_from_y(images):
    # Fitted without classes=: its labels came from y, which a worker never sees.
    labels = np.array(["sad", "happy", "neutral"] * 4)
    net = BackboneClassifier("mini_xception", max_epochs=1, random_state=0).fit(images, labels)
    rebuilt = _in_a_worker(SharedNet(net)).get()
    assert rebuilt.classes_.tolist() == ["happy", "neutral", "sad"]
    np.testing.assert_allclose(rebuilt.predict_proba(images), net.predict_proba(images), rtol=1e-5)
    assert net.classes is None  # the original's parameters are left alone
