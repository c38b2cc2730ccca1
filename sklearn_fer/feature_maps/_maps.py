"""Which feature map each column of a feature matrix belongs to.

:class:`~sklearn_fer.FrozenConvFeaturizer` flattens maps map-major (all positions of map
0, then of map 1, ...) and names its features ``conv5_map017_r2c3`` (a named layer) or
``ch17_y2_x3`` (the whole frozen part); pooled, ``conv5_map017`` or ``ch17``.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

__all__ = ["map_layout"]

_POSITION = re.compile(r"^(?P<map>.+_map\d+|ch\d+)(?:_r\d+c\d+|_y\d+_x\d+)?$")


def _from_names(names):
    maps = []
    for name in names:
        match = _POSITION.match(str(name))
        if match is None:
            return None
        maps.append(match.group("map"))
    return maps


def map_layout(n_maps, n_features, feature_names):
    """Map index of every feature and a name per map.

    Parameters
    ----------
    n_maps : "auto" or int
        ``"auto"``: read maps off the featurizer's feature names when ``feature_names``
        are such names, else every feature is its own map. An int: ``n_features`` is
        that many equal, consecutive blocks (the featurizer's map-major order).
    n_features : int
    feature_names : ndarray of str or None
        The input's column names (``feature_names_in_``), if any.

    Returns
    -------
    map_index : ndarray of int, shape (n_features,)
    map_names : ndarray of object, shape (n_maps,)
    """
    if isinstance(n_maps, str):
        if n_maps != "auto":
            raise ValueError(f"n_maps must be 'auto' or a positive int, got {n_maps!r}.")
        maps = _from_names(feature_names) if feature_names is not None else None
        if maps is None:
            names = (
                np.asarray(feature_names, dtype=object)
                if feature_names is not None
                else np.asarray([f"x{i}" for i in range(n_features)], dtype=object)
            )
            return np.arange(n_features), names
        names = list(dict.fromkeys(maps))
        index = {name: i for i, name in enumerate(names)}
        return np.array([index[m] for m in maps]), np.asarray(names, dtype=object)
    if not isinstance(n_maps, numbers.Integral) or isinstance(n_maps, bool) or n_maps < 1:
        raise ValueError(f"n_maps must be 'auto' or a positive int, got {n_maps!r}.")
    if n_features % n_maps:
        raise ValueError(
            f"n_maps={n_maps} does not divide the {n_features} features into equal maps: "
            "give the layer's number of channels (the featurizer's feature_map_shape_[0])."
        )
    size = n_features // n_maps
    return np.repeat(np.arange(n_maps), size), np.asarray(
        [f"map{i}" for i in range(n_maps)], dtype=object
    )
