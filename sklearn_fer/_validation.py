"""Input checks shared by the estimators: images, targets, torch datasets."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_scalar
from torch.utils.data import Dataset

from .nets import MIN_IMAGE_SIZE

__all__ = [
    "check_image_size",
    "check_images",
    "check_labels",
    "check_number",
    "check_positive_int",
    "check_targets",
    "dataset_target_ndim",
    "dataset_yields_pairs",
    "is_dataset",
]


def is_dataset(X):
    """True for a torch ``Dataset`` (or any lazily indexed image sequence built on it)."""
    return isinstance(X, Dataset)


def check_images(X, *, name="X", min_size=MIN_IMAGE_SIZE):
    """Validate a batch of RGB images and return it as uint8 or float32 ndarray.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width, 3) or torch Dataset
        uint8 images with values 0..255, or floating images on the [0, 1] scale. A torch
        ``Dataset`` is returned unchanged (its items are checked when they are loaded).
    name : str, default="X"
        Name used in error messages.
    min_size : int, default=63
        Smallest accepted height and width (the backbone's ``min_image_size``; 63 is
        AlexNet's).

    Returns
    -------
    ndarray or Dataset
        uint8 images unchanged (no copy), floating images as float32.

    Raises
    ------
    ValueError
        Wrong number of dimensions or channels, too small, empty, non-finite or out-of-range
        float values.
    TypeError
        A dtype that is neither uint8 nor floating.
    """
    if is_dataset(X):
        if len(X) == 0:
            raise ValueError(f"{name} is an empty dataset: at least one image is required.")
        return X
    if hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        X = np.asarray(X)
    else:
        raise TypeError(
            f"{name} must be an array of images of shape (n_samples, height, width, 3) or a "
            f"torch Dataset, got {type(X).__name__}."
        )
    if X.ndim != 4 or X.shape[-1] != 3:
        raise ValueError(
            f"{name} must be RGB images of shape (n_samples, height, width, 3), got an array "
            f"of shape {X.shape}."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}): at least one image is required.")
    check_image_size(X, min_size, name=name)
    if X.dtype == np.uint8:
        return X
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(
            f"{name} must hold uint8 (0..255) or floating ([0, 1]) images, got dtype "
            f"{X.dtype}; convert integer images with X.astype(np.uint8)."
        )
    X = np.asarray(X, dtype=np.float32)
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    low, high = float(X.min()), float(X.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"floating {name} must be on the [0, 1] scale, got values in [{low:g}, {high:g}]; "
            "pass uint8 images (0..255) or divide by 255."
        )
    return X


def check_image_size(X, min_size, *, name="X"):
    """Raise a clear error when an image batch is smaller than ``min_size`` pixels."""
    height, width = X.shape[1:3]
    if height < min_size or width < min_size:
        raise ValueError(
            f"{name} images are {height}x{width} pixels; the network needs at least "
            f"{min_size}x{min_size}."
        )


def check_targets(y, n_samples, *, name="y"):
    """Validate regression targets and return them as a float32 ``(n, k)`` array.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Numeric targets.
    n_samples : int
        Number of samples of the matching ``X``.
    name : str, default="y"
        Name used in error messages.

    Returns
    -------
    y2d : ndarray of shape (n_samples, n_targets), float32
    was_1d : bool
        Whether ``y`` was 1-D (predictions are then returned 1-D as well).
    """
    if y is None:
        raise ValueError(
            f"this estimator requires {name} to be passed, but the target {name} is None."
        )
    y = np.asarray(y)
    if y.dtype.kind == "O":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"Unknown label type: {name} must hold numbers (valence, arousal), got "
                f"non-numeric values such as {y.flat[0]!r}."
            ) from None
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"Unknown label type: {name} must hold numbers (valence, arousal), got dtype {y.dtype}."
        )
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, n_targets), got {y.shape}."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} have inconsistent lengths: {n_samples} images but {y.shape[0]} targets."
        )
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError(f"{name} has no target columns (shape {y.shape}).")
    y = y.astype(np.float32, copy=False)
    if not y.flags.writeable:
        # pandas' copy-on-write arrays and memory maps are read-only; torch warns on them.
        y = y.copy()
    if not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    was_1d = y.ndim == 1
    return (y.reshape(-1, 1) if was_1d else y), was_1d


def check_labels(y, n_samples, *, name="y"):
    """Validate class labels and return them as a 1-D array.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels: integers or strings (a column vector is raveled with a
        ``DataConversionWarning``, as scikit-learn's classifiers do).
    n_samples : int
        Number of samples of the matching ``X``.
    name : str, default="y"
        Name used in error messages.

    Returns
    -------
    ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        None, continuous or multi-output labels, a length that is not ``n_samples``,
        or a single class.
    """
    from sklearn.utils import column_or_1d
    from sklearn.utils.multiclass import check_classification_targets

    if y is None:
        raise ValueError(
            f"this estimator requires {name} to be passed, but the target {name} is None."
        )
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} have inconsistent lengths: {n_samples} samples but {y.shape[0]} labels."
        )
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(
            f"{name} holds one class only ({classes.tolist()[0]!r}): a classifier needs "
            "samples of at least two classes."
        )
    return y


def dataset_yields_pairs(dataset):
    """Whether a dataset's items are ``(input, target)`` pairs rather than bare inputs."""
    item = dataset[0]
    return isinstance(item, (tuple, list)) and len(item) == 2


def dataset_target_ndim(dataset):
    """Number of dimensions of one target in a dataset yielding ``(input, target)`` pairs."""
    item = dataset[0]
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ValueError(
            "a Dataset passed as X must yield (image, target) pairs, or bare images together "
            f"with a y array; got an item of type {type(item).__name__}."
        )
    return int(np.ndim(item[1]))


def check_number(value, name, kind, *, min_val=None, max_val=None, include_boundaries="both"):
    """Check a numeric parameter with scikit-learn's ``check_scalar``, stricter about bools.

    ``True`` is an int to Python and to ``check_scalar``, never a count or a rate here;
    NaN and infinity are never a valid setting.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        Its name, for the message.
    kind : {"int", "real"}
        An integral count, or any real number.
    min_val, max_val : number or None, default=None
        Bounds (None: unbounded).
    include_boundaries : {"both", "left", "right", "neither"}, default="both"
        Whether the bounds are allowed values.

    Returns
    -------
    int or float

    Raises
    ------
    TypeError
        ``value`` is a bool, or not a number of the kind asked for.
    ValueError
        ``value`` is NaN, infinite or out of range.

    Examples
    --------
    >>> check_number(3, "n_iter", "int", min_val=1)
    3
    >>> check_number(True, "n_iter", "int", min_val=1)
    Traceback (most recent call last):
    ...
    TypeError: n_iter must be an int, got the bool True.
    """
    if kind not in ("int", "real"):
        raise ValueError(f"kind must be 'int' or 'real', got {kind!r}.")
    expected = "an int" if kind == "int" else "a real number"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {expected}, got the bool {value!r}.")
    target = numbers.Integral if kind == "int" else numbers.Real
    # Integers are finite (np.isfinite fails on those beyond int64).
    if (
        isinstance(value, numbers.Real)
        and not isinstance(value, numbers.Integral)
        and not np.isfinite(value)
    ):
        raise ValueError(f"{name} must be {expected} and finite, got {value!r}.")
    check_scalar(
        value,
        name,
        target,
        min_val=min_val,
        max_val=max_val,
        include_boundaries=include_boundaries,
    )
    return int(value) if kind == "int" else float(value)


def reject_bools(estimator, names):
    """Raise TypeError if any of the parameters ``names`` of ``estimator`` is a bool.

    scikit-learn's ``Interval(Integral, ...)`` and ``Real`` constraints take ``True`` for
    the number 1; here it is never a count or a rate.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> reject_bools(SimpleNamespace(k=True), ["k"])
    Traceback (most recent call last):
    ...
    TypeError: k must be a number, got the bool True.
    """
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a number, got the bool {value!r}.")


def check_positive_int(value, name, *, minimum=1):
    """Raise a clear error unless ``value`` is an int >= ``minimum``; return it as int."""
    return check_number(value, name, "int", min_val=minimum)
