"""Input checks shared by the estimators: images, targets, torch datasets."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from torch.utils.data import Dataset

from .nets import MIN_IMAGE_SIZE

__all__ = [
    "RANDOM_STATE",
    "NumberInterval",
    "check_image_size",
    "check_images",
    "check_labels",
    "check_param",
    "check_targets",
    "dataset_target_ndim",
    "dataset_yields_pairs",
    "is_dataset",
    "positive_int",
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


class NumberInterval(Interval):
    """scikit-learn's ``Interval`` constraint, without booleans.

    ``True`` is an ``Integral`` to Python and to scikit-learn's ``Interval``; here it is
    never a count, a size, a rate or a seed. Used in ``_parameter_constraints`` and
    ``validate_params`` wherever a number is meant (NaN and out-of-range infinities are
    refused by ``Interval`` itself).

    Examples
    --------
    >>> from numbers import Integral
    >>> from sklearn.utils._param_validation import validate_parameter_constraints
    >>> constraint = NumberInterval(Integral, 1, None, closed="left")
    >>> constraint.is_satisfied_by(3), constraint.is_satisfied_by(True)
    (True, False)
    >>> str(constraint)
    'an int (not a bool) in the range [1, inf)'
    >>> validate_parameter_constraints({"n_iter": [constraint]}, {"n_iter": True}, "f")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'n_iter' parameter of f ...
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)

    def __str__(self):
        text = super().__str__()
        kind, _, rest = text.partition(" in the range ")
        return f"{kind} (not a bool) in the range {rest}"


#: ``random_state``: scikit-learn's ``"random_state"`` constraint without booleans.
RANDOM_STATE = [
    NumberInterval(Integral, 0, 2**32 - 1, closed="both"),
    np.random.RandomState,
    None,
]


def positive_int(minimum=1):
    """The constraint of an int count or size of at least ``minimum`` (no bools)."""
    return NumberInterval(Integral, minimum, None, closed="left")


def check_param(value, name, constraints, caller_name):
    """Check one argument against scikit-learn constraints, raising its InvalidParameterError.

    For arguments whose valid range is only known at call time (``n_instances`` up to
    the pool's size, say); fixed ranges belong in ``_parameter_constraints`` or
    ``validate_params``.
    """
    validate_parameter_constraints({name: constraints}, {name: value}, caller_name=caller_name)
    return value
