import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sklearn_fer.plotting import plot_over_time, plot_sampling, plot_transfer  # noqa: E402


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
    figure = plot_transfer(_transfer_rows())
    ax = figure.axes[0]
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
    figure = plot_sampling(results)
    assert [ax.get_title() for ax in figure.axes] == ["valence", "arousal"]
    ax = figure.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_ydata(), 0.15)
    random_curve = [line for line in ax.get_lines() if line.get_label() == "Random"][0]
    np.testing.assert_allclose(random_curve.get_xdata(), [10, 50, 90])
    np.testing.assert_allclose(random_curve.get_ydata(), [0.28, 0.2, 0.12])


def test_figures_reject_results_without_the_study():
    with pytest.raises(ValueError, match="no rows of the 'sampling' study"):
        plot_sampling(_transfer_rows())
    with pytest.raises(ValueError, match="lack the column"):
        plot_transfer(pd.DataFrame({"x": [1]}))


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
    figure = plot_over_time(rows, title="clip")
    ax = figure.axes[0]
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
