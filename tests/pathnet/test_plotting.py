"""The two figures: evolved paths on the module grid, and the fitness history."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sklearn_fer.pathnet import PathNetRegressor, plot_fitness_history, plot_paths  # noqa: E402

from .conftest import TINY  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _boxes(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_plot_paths_draws_the_grid_marks_frozen_modules_and_each_path():
    general = np.zeros((3, 4), bool)
    general[[0, 1, 2], [1, 1, 2]] = True
    personal = np.zeros((3, 4), bool)
    personal[[0, 0, 1, 2], [1, 3, 0, 0]] = True
    fig, ax = plt.subplots()
    out = plot_paths([general, personal], frozen=general, task_names=["wild", "person"], ax=ax)
    assert out is ax
    boxes = _boxes(ax)
    assert len(boxes) == 12  # layers x modules
    hatched = [b for b in boxes if b.get_hatch()]
    assert len(hatched) == general.sum()
    hatched_cells = {(round(b.get_x() + 0.3), round(b.get_y() + 0.4)) for b in hatched}
    assert hatched_cells == {(0, 1), (1, 1), (2, 2)}  # (layer, module)
    dots = [c.get_offsets() for c in ax.collections]
    assert [len(d) for d in dots] == [general.sum(), personal.sum()]
    # A path's lines join every active module of a layer to every one of the next.
    assert len(ax.lines) == (1 * 1 + 1 * 1) + (2 * 1 + 1 * 1)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["wild", "person", "frozen"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["layer 1", "layer 2", "layer 3"]


def test_plot_paths_reads_a_fitted_estimator(general_data):
    X, y = general_data
    general = PathNetRegressor(random_state=0, **TINY).fit(X, y)
    personal_settings = {k: v for k, v in TINY.items() if k not in ("n_layers", "n_modules")}
    personal_settings.pop("module_units")
    personal = PathNetRegressor(source=general, random_state=0, **personal_settings).fit(X, -y)
    ax = plot_paths(personal)
    assert len([b for b in _boxes(ax) if b.get_hatch()]) == personal.frozen_.sum()
    assert [len(c.get_offsets()) for c in ax.collections] == list(personal.paths_.sum(axis=(1, 2)))


def test_plot_paths_refuses_bad_input():
    with pytest.raises(ValueError, match="not fitted yet"):
        plot_paths(PathNetRegressor())
    with pytest.raises(ValueError, match=r"boolean array of shape \(n_tasks, n_layers"):
        plot_paths(np.zeros(5, bool))
    with pytest.raises(ValueError, match=r"frozen must have shape .* = \(2, 3\), got \(3, 2\)"):
        plot_paths(np.zeros((2, 3), bool), frozen=np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match="task_names has 2 names for 1 task"):
        plot_paths(np.zeros((2, 3), bool), task_names=["a", "b"])


def test_plot_fitness_history_draws_every_evaluation_and_the_best_so_far():
    history = pd.DataFrame(
        {
            "generation": [1, 1, 2, 2, 3, 3],
            "individual": [0, 1, 2, 0, 1, 3],
            "fitness": [-0.5, -0.4, -0.45, -0.6, -0.3, -0.35],
            "winner": [False, True, True, False, True, False],
        }
    )
    ax = plot_fitness_history(history)
    losers, winners = (c.get_offsets() for c in ax.collections)
    assert len(losers) == 3 and len(winners) == 3
    best = ax.lines[0].get_ydata()
    assert list(best) == [-0.4, -0.4, -0.3]


def test_plot_fitness_history_reads_a_fitted_estimator(general_data):
    X, y = general_data
    model = PathNetRegressor(random_state=0, **TINY).fit(X, y)
    fig, ax = plt.subplots()
    assert plot_fitness_history(model, ax=ax) is ax
    points = sum(len(c.get_offsets()) for c in ax.collections)
    assert points == len(model.fitness_history_)


def test_plot_fitness_history_refuses_bad_input():
    with pytest.raises(ValueError, match="not fitted yet"):
        plot_fitness_history(PathNetRegressor())
    with pytest.raises(TypeError, match="history must be a fitted PathNet estimator or a"):
        plot_fitness_history([1, 2])
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['winner'\]"):
        plot_fitness_history(pd.DataFrame({"generation": [1], "fitness": [0.0]}))
