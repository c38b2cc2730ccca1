"""Small labelled images: three expression classes told apart by brightness."""

import numpy as np
import pytest

from .._helpers import brightness_images


@pytest.fixture(scope="session")
def labelled():
    """64-px images in three brightness bands, with string labels (dark, mid, light)."""
    images, g = brightness_images(48, np.random.default_rng(7))
    bands = np.digitize(g, [0.37, 0.63])
    return images, np.array(["dark", "mid", "light"])[bands]
