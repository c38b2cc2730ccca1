"""map_selectivity and selectivity_summary on a net whose maps follow image brightness."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

from sklearn_fer import FrozenConvFeaturizer
from sklearn_fer.feature_maps import SELECTIVITY_COLUMNS, map_selectivity, selectivity_summary
from sklearn_fer.nets import AlexNet

from .._helpers import brightness_images


@pytest.fixture(scope="module")
def data():
    torch.manual_seed(0)
    net = AlexNet(hidden_units=8).eval()
    rng = np.random.default_rng(0)
    images, brightness = brightness_images(40, rng)
    # AU "bright" is present in the brighter half; AU "coin" is a coin flip, unrelated.
    aus = pd.DataFrame({"bright": brightness, "coin": rng.random(40)})
    table = map_selectivity(
        net,
        images,
        aus,
        layers=["conv1", "conv5"],
        threshold=0.5,
        n_permutations=200,
        random_state=0,
    )
    return net, images, aus, table


def test_the_table_is_tidy_and_its_statistic_is_the_auc(data):
    net, images, aus, table = data
    assert list(table.columns) == SELECTIVITY_COLUMNS
    assert len(table) == (64 + 256) * 2  # conv1 and conv5 maps, two AUs
    assert table.groupby(["layer", "map", "au"]).size().eq(1).all()
    assert table.set_index("layer")["depth"].to_dict() == {"conv1": 1, "conv5": 5}
    responses = FrozenConvFeaturizer(net, layer="conv5", pooling="mean").fit_transform(images)
    rows = table[(table["layer"] == "conv5") & (table["au"] == "bright")].sort_values("map")
    present = aus["bright"] > 0.5
    expected = [
        roc_auc_score(present, responses[:, m]) for m in range(256) if np.ptp(responses[:, m])
    ]
    live = [m for m in range(256) if np.ptp(responses[:, m])]
    np.testing.assert_allclose(rows["auc"].to_numpy()[live], expected)
    np.testing.assert_allclose(rows["selectivity"], 2 * rows["auc"] - 1)
    assert rows["n_present"].iloc[0] == present.sum()
    assert rows["feature"].iloc[3] == "conv5_map003"
    np.testing.assert_array_equal(rows["responsive"], np.ptp(responses, axis=0) > 0)


def test_maps_that_follow_brightness_are_found_and_a_coin_flip_is_not(data):
    table = data[3]
    bright = table[(table["au"] == "bright") & (table["layer"] == "conv1")]
    assert bright["selective"].mean() > 0.5
    assert bright["p_value"].min() == pytest.approx(1 / 201)
    coin = table[table["au"] == "coin"]
    assert coin["selective"].sum() <= 2  # the family-wise error rate is controlled
    assert (table["p_adjusted"] >= table["p_value"]).all()
    assert table["selective"].eq(table["p_adjusted"] <= 0.05 / 2).all()


def test_the_summary_counts_selective_maps_per_layer(data):
    table = data[3]
    summary = selectivity_summary(table)
    assert summary["layer"].tolist() == ["conv1", "conv5"]
    conv1 = table[table["layer"] == "conv1"]
    selective_maps = conv1.loc[conv1["selective"], "map"].nunique()
    row = summary.iloc[0]
    assert row["n_maps"] == 64 and row["n_aus"] == 2
    assert row["n_selective"] == selective_maps
    assert row["fraction_selective"] == pytest.approx(selective_maps / 64)
    assert row["best_au"] == "bright"
    with pytest.raises(ValueError, match=r"selectivity lacks the column\(s\) \['selective'\]"):
        selectivity_summary(table.drop(columns="selective"))


def test_seeds_reproduce_and_all_layers_is_the_default(data):
    net, images, aus, table = data
    again = map_selectivity(
        net, images, aus, layers="conv1", threshold=0.5, n_permutations=200, random_state=0
    )
    pd.testing.assert_frame_equal(again, table[table["layer"] == "conv1"].reset_index(drop=True))
    with pytest.warns(UserWarning, match="no map can be called selective"):
        everything = map_selectivity(
            net, images[:8], aus["bright"].to_numpy()[:8], threshold=0.5, n_permutations=10
        )
    assert everything["layer"].unique().tolist() == ["conv1", "conv2", "conv3", "conv4", "conv5"]


def test_bad_input_is_named(data):
    net, images, aus, _ = data
    with pytest.raises(ValueError, match=r"unknown layer\(s\) \['conv9'\] for AlexNet"):
        map_selectivity(net, images, aus, layers="conv9")
    with pytest.raises(ValueError, match=r"aus must have shape \(n_samples, n_aus\) = \(40"):
        map_selectivity(net, images, aus.iloc[:10], layers="conv1")
    with pytest.raises(ValueError, match="au_names has 1 names for 2 AU columns"):
        map_selectivity(net, images, aus, layers="conv1", au_names=["x"])
    with pytest.raises(ValueError, match=r"'pooling' .* a str among \{.*'max'.*\}\. Got 'flatten'"):
        map_selectivity(net, images, aus, layers="conv1", pooling="flatten")
    constant = np.zeros((40, 1))
    with pytest.raises(ValueError, match="no AU varies across these 40 images"):
        map_selectivity(net, images, constant, layers="conv1")
    with pytest.warns(UserWarning, match="no map can be called selective"):
        map_selectivity(
            net, images[:6], aus.iloc[:6], layers="conv1", threshold=0.5, n_permutations=5
        )


def test_the_summary_judges_fractions_on_responsive_maps():
    table = pd.DataFrame(
        {
            "layer": "conv5",
            "depth": 5,
            "map": [0, 1, 2, 3],
            "au": "AU12",
            "selectivity": [0.9, 0.1, 0.0, 0.0],
            "selective": [True, False, False, False],
            "responsive": [True, True, False, False],
        }
    )
    row = selectivity_summary(table).iloc[0]
    assert row["fraction_selective"] == 0.25 and row["n_responsive"] == 2
    assert row["fraction_selective_responsive"] == 0.5
    assert row["median_best_selectivity"] == pytest.approx(0.5)  # dead maps left out
    dead = selectivity_summary(table.assign(responsive=False)).iloc[0]
    assert np.isnan(dead["fraction_selective_responsive"])
