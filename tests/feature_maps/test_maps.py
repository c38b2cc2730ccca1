"""How feature columns group into maps."""

import numpy as np
import pytest

from sklearn_fer.feature_maps._maps import map_layout


def test_names_of_a_flattening_featurizer_group_by_map():
    names = np.array(
        ["conv5_map000_r0c0", "conv5_map000_r0c1", "conv5_map001_r0c0", "conv5_map001_r0c1"],
        dtype=object,
    )
    index, map_names = map_layout("auto", 4, names)
    assert index.tolist() == [0, 0, 1, 1]
    assert map_names.tolist() == ["conv5_map000", "conv5_map001"]
    index, map_names = map_layout("auto", 2, np.array(["ch0_y0_x0", "ch1_y0_x0"]))
    assert index.tolist() == [0, 1] and map_names.tolist() == ["ch0", "ch1"]


def test_other_names_or_none_make_each_feature_a_map():
    index, names = map_layout("auto", 3, None)
    assert index.tolist() == [0, 1, 2] and names.tolist() == ["x0", "x1", "x2"]
    index, names = map_layout("auto", 2, np.array(["age", "height"]))
    assert names.tolist() == ["age", "height"]


def test_an_int_splits_into_equal_consecutive_blocks():
    index, names = map_layout(3, 6, None)
    assert index.tolist() == [0, 0, 1, 1, 2, 2]
    assert names.tolist() == ["map0", "map1", "map2"]


@pytest.mark.parametrize(
    "n_maps, match",
    [
        (4, "n_maps=4 does not divide the 6 features"),
        (0, "n_maps must be 'auto' or a positive"),
        ("some", "n_maps must be 'auto'"),
        (True, "n_maps must be 'auto'"),
    ],
)
def test_bad_layouts_are_named(n_maps, match):
    with pytest.raises(ValueError, match=match):
        map_layout(n_maps, 6, None)
