import cv2
import numpy as np
import pytest
from sklearn.model_selection import KFold, cross_val_score

from sklearn_fer import FrozenConvFeaturizer
from sklearn_fer.datasets import LazyImages

from .._helpers import tiny_regressor


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    arrays = rng.integers(0, 256, size=(8, 70, 90, 3), dtype=np.uint8)
    paths = []
    for index, array in enumerate(arrays):
        path = folder / f"{index}.png"  # lossless, so pixels can be compared
        cv2.imwrite(str(path), cv2.cvtColor(array, cv2.COLOR_RGB2BGR))
        paths.append(path)
    return paths, arrays


def test_indexing_behaves_like_an_array(files):
    paths, arrays = files
    images = LazyImages(paths, image_size=64)
    assert images.shape == (8, 64, 64, 3) and images.dtype == np.uint8 and len(images) == 8
    expected = cv2.resize(arrays[3], (64, 64), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(images[3], expected)
    np.testing.assert_array_equal(images[-1], images[7])
    subset = images[np.array([1, 3])]
    assert isinstance(subset, LazyImages) and len(subset) == 2
    np.testing.assert_array_equal(subset[1], images[3])
    mask = np.zeros(8, bool)
    mask[[0, 5]] = True
    np.testing.assert_array_equal(np.asarray(images[mask]), np.asarray(images[[0, 5]]))
    np.testing.assert_array_equal(np.asarray(images[2:4]), np.stack([images[2], images[3]]))
    with pytest.raises(IndexError):
        images[8]
    with pytest.raises(IndexError):
        images[np.zeros(3, bool)]


def test_boxes_crop_before_resizing(files):
    paths, arrays = files
    images = LazyImages(paths[:1], boxes=[(10, 5, 40, 30)], image_size=64)
    expected = cv2.resize(arrays[0][5:35, 10:50], (64, 64), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(images[0], expected)
    with pytest.raises(ValueError, match=r"boxes must have shape \(1, 4\)"):
        LazyImages(paths[:1], boxes=[(1, 2, 3)])


def test_estimators_consume_lazy_images_like_arrays(files):
    paths, _ = files
    lazy = LazyImages(paths, image_size=64)
    eager = np.asarray(lazy)
    y = np.linspace(-1, 1, len(paths))
    from_lazy = tiny_regressor(max_epochs=2).fit(lazy, y)
    from_eager = tiny_regressor(max_epochs=2).fit(eager, y)
    np.testing.assert_allclose(from_lazy.predict(lazy), from_eager.predict(eager), atol=1e-5)
    assert from_lazy.predict(lazy).shape == (8,)
    features = FrozenConvFeaturizer(from_lazy, batch_size=3).fit_transform(lazy)
    np.testing.assert_allclose(
        features, FrozenConvFeaturizer(from_lazy).fit_transform(eager), atol=1e-5
    )


def test_cross_validation_splits_stay_lazy(files):
    paths, _ = files
    lazy = LazyImages(paths, image_size=64)
    scores = cross_val_score(tiny_regressor(), lazy, np.linspace(-1, 1, 8), cv=KFold(2))
    assert scores.shape == (2,) and np.all(np.isfinite(scores))


def test_lazy_images_with_wrong_number_of_targets(files):
    paths, _ = files
    with pytest.raises(ValueError, match="inconsistent lengths: 8 images but 3"):
        tiny_regressor().fit(LazyImages(paths, image_size=64), np.zeros(3))
