"""RandomSampler: the baseline."""

import numpy as np

from sklearn_fer.active import RandomSampler


def test_random_sampler_is_reproducible_and_without_replacement():
    X = np.zeros((50, 2))
    first = RandomSampler(random_state=0).select(X, 20)
    assert first.tolist() == RandomSampler(random_state=0).select(X, 20).tolist()
    assert len(set(first.tolist())) == 20
    assert first.tolist() != RandomSampler(random_state=1).select(X, 20).tolist()
    # Larger selections extend smaller ones (nested learning curves).
    assert RandomSampler(random_state=0).select(X, 30).tolist()[:20] == first.tolist()
