"""Small data and net factories shared by the tests."""

import numpy as np

from sklearn_fer import AlexNetRegressor

IMAGE_SIZE = 64


def brightness_images(n, rng, size=IMAGE_SIZE):
    """Images whose overall brightness g in [0.1, 0.9] is the signal; returns (images, g)."""
    g = rng.uniform(0.1, 0.9, n)
    noise = rng.normal(0.0, 10.0, (n, size, size, 3))
    images = np.clip(g[:, None, None, None] * 255.0 + noise, 0, 255).astype(np.uint8)
    return images, g.astype(np.float32)


def tiny_regressor(**params):
    """An AlexNetRegressor with narrow dense layers: same conv stack, much faster."""
    defaults = dict(max_epochs=1, module__hidden_units=32, random_state=0)
    defaults.update(params)
    return AlexNetRegressor(**defaults)
