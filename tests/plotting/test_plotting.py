import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sklearn_fer.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_over_time,
    plot_sampling,
    plot_transfer,
)


def _transfer_rows():
    rows = []
    for subject, offset in ((1, 0.0), (2, 0.1), (3, 0.05)):
        for target in ("valence", "arousal"):
            for condition, value in (
                ("no_transfer", 0.4),
                ("transfer_0", 0.3),
                ("transfer_100", 0.1),
            ):
                for fold in range(2):
                    rows.append(
                        dict(
                            subject=subject,
                            fold=fold,
                            target=target,
                            study="transfer",
                            condition=condition,
                            sampler="none",
                            fraction=0.0 if condition == "transfer_0" else 1.0,
                            rmse=value + offset,
                        )
                    )
    return pd.DataFrame(rows)


def _sampling_rows():
    rows = []
    for subject in (1, 2):
        for target in ("valence", "arousal"):
            for sampler in ("random", "gsx"):
                for fraction in (0.1, 0.5, 0.9):
                    rows.append(
                        dict(
                            subject=subject,
                            fold=0,
                            target=target,
                            study="sampling",
                            condition="fine_tuned",
                            sampler=sampler,
                            fraction=fraction,
                            rmse=0.3 - 0.2 * fraction,
                        )
                    )
    return pd.DataFrame(rows)


def test_transfer_figure_shows_the_means_with_subject_error_bars():
    ax = plot_transfer(_transfer_rows())
    heights = sorted(round(p.get_height(), 3) for p in ax.patches)
    # 2 targets x 3 conditions; each the mean over subjects 0.0, 0.1, 0.05 offsets.
    assert heights == sorted([0.45, 0.45, 0.35, 0.35, 0.15, 0.15])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "No Transfer",
        "Transfer 0%",
        "Transfer 100%",
    ]
    assert "RMSE" in ax.get_ylabel()


def test_sampling_figure_has_a_panel_per_target_and_the_transfer_100_line():
    results = pd.concat([_sampling_rows(), _transfer_rows()], ignore_index=True)
    axes = plot_sampling(results)
    assert [ax.get_title() for ax in axes] == ["valence", "arousal"]
    ax = axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_ydata(), 0.15)
    random_curve = [line for line in ax.get_lines() if line.get_label() == "Random"][0]
    np.testing.assert_allclose(random_curve.get_xdata(), [10, 50, 90])
    np.testing.assert_allclose(random_curve.get_ydata(), [0.28, 0.2, 0.12])


def test_figures_reject_results_without_the_study():
    with pytest.raises(ValueError, match="no rows of the 'sampling' study"):
        plot_sampling(_transfer_rows())
    with pytest.raises(ValueError, match=r"results lacks the column\(s\) study, target, subject"):
        plot_transfer(pd.DataFrame({"x": [1]}))


def test_sampling_bands_span_one_std_across_subjects_and_axes_are_not_shared():
    rows = _sampling_rows()
    rows.loc[(rows["subject"] == 2) & (rows["target"] == "arousal"), "rmse"] += 1.0
    axes = plot_sampling(rows)
    # Arousal: subjects at r and r + 1, so mean r + 0.5 and std (ddof=1) sqrt(0.5); the
    # random band runs from the top at 10% (mean 0.78) to the bottom at 90% (mean 0.62).
    band = axes[1].collections[0].get_paths()[0].vertices
    assert np.isclose(band[:, 1].max() - band[:, 1].min(), 0.16 + 2 * np.sqrt(0.5), atol=1e-6)
    assert axes[0].get_shared_y_axes().get_siblings(axes[0]) == [axes[0]]
    assert axes[1].get_ylim()[1] > 1.0 > axes[0].get_ylim()[1]


def test_figures_draw_into_the_axes_they_are_given():
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3)
    assert plot_transfer(_transfer_rows(), ax=left) is left
    axes = plot_sampling(_sampling_rows(), ax=[middle, right])
    assert list(axes) == [middle, right] and middle.get_title() == "valence"
    with pytest.raises(ValueError, match="one Axes per target"):
        plot_sampling(_sampling_rows(), ax=left)
    plt.close(figure)


def _cells(ax):
    """The numbers written in the matrix cells, row by row."""
    texts = [t for t in ax.texts if t.get_text()]
    texts.sort(key=lambda t: (round(t.get_position()[1]), round(t.get_position()[0])))
    return [t.get_text() for t in texts]


def test_confusion_matrix_names_affectnet_codes_and_normalises_rows():
    y_true = [0, 0, 0, 1, 1, 7, 7, 7, 7]
    y_pred = [0, 0, 1, 1, 1, 7, 7, 0, 1]
    ax = plot_confusion_matrix(y_true, y_pred)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["neutral", "happiness", "contempt"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["neutral", "happiness", "contempt"]
    # Rows are true classes, each summing to 1: neutral 2/3 right, contempt 2/4.
    assert _cells(ax) == ["0.67", "0.33", "0.00", "0.00", "1.00", "0.00", "0.25", "0.25", "0.50"]
    assert "each row" in ax.get_title()
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"


def test_confusion_matrix_counts_draws_on_a_given_axes_and_keeps_a_fixed_layout():
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2)
    ax = plot_confusion_matrix([2, 2, 3], [2, 3, 3], labels=range(8), normalize=None, ax=right)
    assert ax is right and ax.figure is figure
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names[2:4] == ["sadness", "surprise"] and len(names) == 8
    cells = _cells(ax)
    assert len(cells) == 64 and cells[2 * 8 + 2] == "1" and cells[2 * 8 + 3] == "1"
    assert not left.texts
    plt.close(figure)


def test_confusion_matrix_shows_other_labels_as_they_are():
    ax = plot_confusion_matrix(["sad", "happy", "happy"], ["sad", "sad", "happy"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["happy", "sad"]
    ax = plot_confusion_matrix([0, 12], [0, 12])  # 12 is no AffectNet code
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "12"]
    ax = plot_confusion_matrix([0, 1], [0, 1], display_labels=["calm", "joy"], title="mine")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["calm", "joy"]
    assert ax.get_title() == "mine"


def test_confusion_matrix_rejects_bad_arguments():
    with pytest.raises(ValueError, match="normalize must be one of"):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="display_labels has 1 names for 2 classes"):
        plot_confusion_matrix([0, 1], [0, 1], display_labels=["only"])


def test_plot_over_time_draws_each_target_and_its_smoothed_line():
    rows = pd.DataFrame(
        {
            "time_s": [0.0, 4.0, 8.0, 12.0],
            "face_found": [True, False, True, True],
            "valence": [0.2, np.nan, 0.4, 0.1],
            "arousal": [-0.1, np.nan, 0.3, 0.0],
            "valence_smoothed": [0.2, 0.3, 0.3, 0.25],
            "arousal_smoothed": [-0.1, 0.1, 0.1, 0.15],
        }
    )
    ax = plot_over_time(rows, title="clip")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:4] == ["valence", "valence (smoothed)", "arousal", "arousal (smoothed)"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), rows["time_s"])
    assert np.isnan(ax.get_lines()[0].get_ydata()[1])  # a gap where no face was found
    assert ax.get_title() == "clip" and ax.get_ylim() == (-1.05, 1.05)


@pytest.mark.parametrize(
    "rows, message",
    [
        (pd.DataFrame({"valence": [0.1]}), "time_s"),
        (pd.DataFrame({"time_s": [0.0], "face_found": [True]}), "no target column"),
    ],
)
def test_plot_over_time_needs_times_and_a_target(rows, message):
    with pytest.raises(ValueError, match=message):
        plot_over_time(rows)
