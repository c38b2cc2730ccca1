"""evaluate_robustness and compare_selections: the robustness study of Zhou & Shi (2017)."""

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.evaluation import ROBUSTNESS_COLUMNS, compare_selections, evaluate_robustness

SETTINGS = dict(ks=(4, 256), perturbations=("occlusion", "noise"), strengths=(0.5, 1.0), cv=2)


@pytest.fixture(scope="module")
def robustness(twins, lab):
    return evaluate_robustness(
        twins, lab.images, lab.target, subjects=lab.subject, aus=lab.aus, **SETTINGS
    )


def test_one_row_per_subject_fold_target_shift_selection_and_k(robustness, lab):
    assert list(robustness.columns) == ROBUSTNESS_COLUMNS
    assert (robustness["study"] == "robustness").all()
    n_shifts = 1 + 2 * 2  # the clean images, two perturbations at two strengths
    n_models = 1 + 2 * 3  # every map, then top / random / bottom at each k
    assert len(robustness) == 3 * 2 * 2 * n_shifts * n_models
    clean = robustness[robustness["perturbation"] == "none"]
    assert set(clean["strength"]) == {0.0}
    assert set(robustness.loc[robustness["selection"] == "all", "k"]) == {256}  # conv5's maps
    assert robustness.groupby(["subject", "fold"])["n_train"].first().sum() == len(lab.images)


def test_keeping_every_map_is_the_same_model_whatever_the_ranking(robustness):
    # k = all 256 maps: top, bottom and random keep the same features as "all".
    everything = robustness[robustness["k"] == 256]
    by_selection = {
        s: block.sort_values(["subject", "fold", "target", "perturbation", "strength"])[
            "rmse"
        ].to_numpy()
        for s, block in everything.groupby("selection")
    }
    for selection in ("top", "bottom", "random"):
        np.testing.assert_allclose(by_selection[selection], by_selection["all"], rtol=1e-6)
    few = robustness[robustness["k"] == 4].pivot_table(
        index=["subject", "fold", "target", "perturbation", "strength"],
        columns="selection",
        values="rmse",
    )
    assert not np.allclose(few["top"], few["random"])
    assert not np.allclose(few["top"], few["bottom"])


def test_stronger_shifts_hurt_the_model_of_every_map(robustness):
    every = robustness[robustness["selection"] == "all"]
    mean = every.groupby(["perturbation", "strength"])["rmse"].mean()
    assert mean[("occlusion", 1.0)] > mean[("none", 0.0)]
    assert mean[("noise", 1.0)] > mean[("noise", 0.5)]


def test_clean_rows_and_seeds_do_not_depend_on_the_shifts_tested(robustness, twins, lab):
    other = evaluate_robustness(
        twins,
        lab.images,
        lab.target,
        subjects=lab.subject,
        aus=lab.aus,
        **{**SETTINGS, "perturbations": ("blur",), "strengths": (1.0,)},
    )
    clean = robustness[robustness["perturbation"] == "none"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        other[other["perturbation"] == "none"].reset_index(drop=True), clean
    )


def test_the_cache_resumes(twins, lab, tmp_path):
    settings = dict(ks=(4,), perturbations=("noise",), strengths=(1.0,), cv=2)
    args = (twins, lab.images, lab.target)
    first = evaluate_robustness(
        *args, subjects=lab.subject, aus=lab.aus, cache_dir=tmp_path, **settings
    )
    assert len(list((tmp_path / "robustness").glob("*.csv"))) == 3 * 2 * 2
    again = evaluate_robustness(
        *args, subjects=lab.subject, aus=lab.aus, cache_dir=tmp_path, **settings
    )
    pd.testing.assert_frame_equal(first, again, check_dtype=False)
    with pytest.raises(ValueError, match="holds results of another configuration"):
        evaluate_robustness(
            *args, subjects=lab.subject, aus=lab.aus[:, ::-1], cache_dir=tmp_path, **settings
        )


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(ks=(257,)), r"ks=\(257,\) asks for more maps than conv5 has \(256\)"),
        (dict(ks=(0,)), "ks must be a non-empty sequence of positive ints"),
        (dict(ks=()), "ks must be a non-empty sequence of positive ints"),
        (dict(strengths=(0.0,)), r"strengths must be a non-empty sequence of numbers in \(0, 1\]"),
        (dict(strengths=(1.5,)), r"strengths must be"),
        (dict(selections=("best",)), r"selections must be a non-empty subset of \['all', 'top'"),
        (
            dict(perturbations=("fog",)),
            r"perturbations must be a non-empty subset of \['occlusion'",
        ),
        (dict(layer="conv9"), "unknown layer 'conv9'"),
    ],
)
def test_bad_settings_are_named(twins, lab, change, match):
    with pytest.raises(ValueError, match=match):
        evaluate_robustness(
            twins,
            lab.images,
            lab.target,
            subjects=lab.subject,
            aus=lab.aus,
            **{**SETTINGS, **change},
        )


def test_au_labels_of_the_wrong_shape_are_named(twins, lab):
    with pytest.raises(ValueError, match=r"aus must have shape \(n_samples, n_aus\) = \(36"):
        evaluate_robustness(
            twins, lab.images, lab.target, subjects=lab.subject, aus=lab.aus[:10], **SETTINGS
        )


def _rows():
    rows = []
    rng = np.random.default_rng(0)
    for subject in range(6):
        for selection, clean, shifted in (
            ("all", 0.20, 0.40),
            ("top", 0.25, 0.30),
            ("random", 0.22, 0.38),
        ):
            k = 64 if selection == "all" else 8
            for perturbation, strength, value in (("none", 0.0, clean), ("noise", 1.0, shifted)):
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
                        rmse=value + 0.01 * rng.normal(),
                    )
                )
    return pd.DataFrame(rows)


def test_compare_selections_pairs_subjects_and_pairs_all_at_every_k():
    table = compare_selections(_rows())
    noise = table[table["perturbation"] == "noise"].set_index("selection")
    assert sorted(noise.index) == ["all", "top"] and (table["k"] == 8).all()
    assert noise.loc["top", "mean_difference"] == pytest.approx(0.30 - 0.38, abs=0.02)
    assert noise.loc["top", "p_value"] == pytest.approx(2 / 2**6)  # every subject agrees
    assert noise.loc["top", "ci_high"] < 0
    assert (table["p_holm"] >= table["p_value"]).all()
    assert noise.loc["top", "min_p"] == pytest.approx(2 / 64)


def test_relative_compares_the_degradation_from_clean():
    table = compare_selections(_rows(), relative=True, baseline="all").set_index("selection")
    assert set(table["perturbation"]) == {"noise"}
    # top loses 0.05, all loses 0.20: top degrades 0.15 less.
    assert table.loc["top", "mean_difference"] == pytest.approx(-0.15, abs=0.02)
    assert table.loc["random", "mean_difference"] == pytest.approx(-0.04, abs=0.02)


def test_compare_selections_refuses_other_tables():
    with pytest.raises(ValueError, match="baseline must be one of"):
        compare_selections(_rows(), baseline="best")
    with pytest.raises(ValueError, match=r"missing \['perturbation'"):
        compare_selections(_rows().drop(columns="perturbation"))
    with pytest.raises(ValueError, match="no robustness rows"):
        compare_selections(_rows().assign(study="transfer"))
