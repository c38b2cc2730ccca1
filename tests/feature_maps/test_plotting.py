"""The heatmap and the per-layer figure of AU selectivity."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sklearn_fer.feature_maps import (  # noqa: E402
    plot_au_selectivity,
    plot_layer_selectivity,
    plot_robustness,
)


def _table():
    rows = []
    for depth, layer, n_maps, strength in ((1, "conv1", 6, 0.1), (2, "conv2", 4, 0.8)):
        for m in range(n_maps):
            for au in ("AU1", "AU12", "AU25"):
                value = strength * (m + 1) / n_maps * (-1 if au == "AU12" else 1)
                rows.append(
                    dict(
                        layer=layer,
                        depth=depth,
                        map=m,
                        feature=f"{layer}_map{m:03d}",
                        au=au,
                        selectivity=value,
                        selective=abs(value) > 0.5,
                    )
                )
    return pd.DataFrame(rows)


def test_the_heatmap_shows_the_deepest_layer_most_selective_maps_first():
    ax = plot_au_selectivity(_table(), max_maps=3)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "conv2_map003",
        "conv2_map002",
        "conv2_map001",
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["AU1", "AU12", "AU25"]
    cells = ax.images[0].get_array()
    assert cells.shape == (3, 3)
    np.testing.assert_allclose(cells[0], [0.8, -0.8, 0.8])
    # Selective cells (|value| > 0.5 here): maps 3 and 2 of conv2, all three AUs.
    assert len(ax.collections[0].get_offsets()) == 6
    assert "3 most AU-selective of 4 maps" in ax.get_title()


def test_the_heatmap_of_a_named_layer_and_bad_settings():
    ax = plot_au_selectivity(_table(), layer="conv1")
    assert len(ax.get_yticklabels()) == 6 and ax.get_title().startswith("conv1")
    with pytest.raises(
        ValueError, match=r"layer 'conv7' is not in the table; its layers are \['conv1', 'conv2'\]"
    ):
        plot_au_selectivity(_table(), layer="conv7")
    with pytest.raises(ValueError, match="max_maps must be a positive int, got 0"):
        plot_au_selectivity(_table(), max_maps=0)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['selectivity'\]"):
        plot_au_selectivity(_table().drop(columns="selectivity"))


def test_the_layer_figure_shows_fractions_in_forward_order():
    table = _table()
    shuffled = table.sample(frac=1, random_state=0)
    ax = plot_layer_selectivity(shuffled)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "conv2"]
    # conv1: no map selective; conv2: maps 2 and 3 (values 0.6, 0.8) of 4.
    assert [p.get_height() for p in ax.patches] == pytest.approx([0.0, 0.5])


def _robustness_rows():
    rows = []
    for subject in (0, 1):
        for selection, k, slope in (
            ("all", 64, 0.3),
            ("top", 4, 0.1),
            ("top", 16, 0.2),
            ("random", 4, 0.25),
        ):
            for perturbation, strength in (
                ("none", 0.0),
                ("noise", 0.5),
                ("noise", 1.0),
                ("blur", 1.0),
            ):
                rows.append(
                    dict(
                        study="robustness",
                        subject=subject,
                        fold=0,
                        target="valence",
                        selection=selection,
                        k=k,
                        perturbation=perturbation,
                        strength=strength,
                        rmse=0.2 + slope * strength + 0.01 * subject,
                    )
                )
    return pd.DataFrame(rows)


def test_robustness_curves_start_at_the_clean_images_in_every_panel():
    axes = plot_robustness(_robustness_rows())
    assert [ax.get_title() for ax in axes] == ["noise", "blur"]
    lines = {line.get_label(): line for line in axes[0].get_lines()}
    assert sorted(lines) == ["every map", "k most AU-selective", "k random"]
    top = lines["k most AU-selective"]
    assert top.get_xdata().tolist() == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(top.get_ydata(), [0.205, 0.255, 0.305])  # k=4, mean of subjects
    assert axes[1].get_lines()[0].get_xdata().tolist() == [0.0, 1.0]
    assert axes[0].get_legend().get_title().get_text() == "k = 4"


def test_robustness_curves_of_another_k_and_bad_input():
    axes = plot_robustness(_robustness_rows(), k=16)
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert labels == ["every map", "k most AU-selective"]
    with pytest.raises(ValueError, match=r"k=8 was not evaluated; the results have k in \[4, 16\]"):
        plot_robustness(_robustness_rows(), k=8)
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['strength'\]"):
        plot_robustness(_robustness_rows().drop(columns="strength"))
    clean = _robustness_rows().query("perturbation == 'none'")
    with pytest.raises(ValueError, match="no perturbation to plot"):
        plot_robustness(clean)


def test_the_layer_figure_counts_responsive_maps_when_it_can():
    table = _table()
    table["responsive"] = table["map"] != 0  # map 0 of each layer is dead
    ax = plot_layer_selectivity(table)
    # conv2: maps 2 and 3 selective of its 3 responsive maps.
    assert [p.get_height() for p in ax.patches] == pytest.approx([0.0, 2 / 3])
    assert ax.get_ylabel() == "fraction of responsive maps AU-selective"
