"""PathNetRegressor: fitting, reproducibility, and what a fitted one exposes."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_fer.pathnet import PathNetRegressor

from .conftest import TINY


def test_fit_exposes_the_path_the_history_and_the_curves(general, general_data):
    X, y = general_data
    assert general.paths_.shape == (1, 2, 5) and general.paths_.dtype == bool
    assert (general.paths_[0].sum(axis=1) >= 1).all()
    assert (general.paths_[0].sum(axis=1) <= TINY["max_active"]).all()
    assert not general.frozen_.any()  # a first task freezes nothing
    assert general.genotype_.shape == (2, 2) and general.population_.shape == (4, 2, 2)
    history = general.fitness_history_
    assert isinstance(history, pd.DataFrame)
    assert list(history.columns) == ["generation", "individual", "fitness", "winner"]
    assert len(history) == 2 * TINY["n_generations"] == 2 * general.n_generations_
    assert history.groupby("generation")["winner"].sum().eq(1).all()
    assert (history["fitness"] <= 0).all()  # minus an MSE
    assert 1 <= general.n_epochs_ == len(general.loss_curve_) <= TINY["max_epochs"]
    assert general.validation_loss_curve_ is None
    assert general.n_features_in_ == 12 and general.task_ == 0
    assert general.tasks_ == [{"kind": "regression", "n_outputs": 1, "y_ndim": 1}]
    prediction = general.predict(X)
    assert prediction.shape == (len(X),) and prediction.dtype == np.float64


def test_the_genotype_encodes_the_path(general):
    mask = np.zeros((2, 5), dtype=bool)
    for layer, row in enumerate(general.genotype_):
        mask[layer, row] = True
    assert np.array_equal(general.paths_[-1], mask)


def test_it_learns(general_data):
    X, y = general_data
    model = PathNetRegressor(**{**TINY, "max_epochs": 60}, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8


def test_the_same_seed_gives_bit_identical_paths_and_predictions(general_data):
    X, y = general_data
    a = PathNetRegressor(random_state=3, **TINY).fit(X, y)
    b = PathNetRegressor(random_state=3, **TINY).fit(X, y)
    assert np.array_equal(a.paths_, b.paths_)
    assert np.array_equal(a.population_, b.population_)
    pd.testing.assert_frame_equal(a.fitness_history_, b.fitness_history_)
    assert np.array_equal(a.predict(X), b.predict(X))
    c = PathNetRegressor(random_state=4, **TINY).fit(X, y)
    assert not np.array_equal(a.predict(X), c.predict(X))


def test_a_random_state_instance_advances(general_data):
    X, y = general_data
    model = PathNetRegressor(random_state=np.random.RandomState(0), **TINY)
    first = model.fit(X, y).predict(X)
    second = model.fit(X, y).predict(X)
    assert not np.array_equal(first, second)


def test_seeded_fits_leave_the_global_generators_alone(general_data):
    import torch

    X, y = general_data
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002 - the state checked
    torch_state = torch.random.get_rng_state()
    PathNetRegressor(random_state=0, **TINY).fit(X, y)
    assert np.array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.equal(torch.random.get_rng_state(), torch_state)


def test_two_column_targets_predict_two_columns(general_data):
    X, y = general_data
    Y = np.c_[y, -y]
    model = PathNetRegressor(random_state=0, **TINY).fit(X, Y)
    assert model.predict(X).shape == (len(X), 2)
    assert model.tasks_[0]["n_outputs"] == 2


def test_a_fitness_target_stops_the_evolution_early(general_data):
    X, y = general_data
    model = PathNetRegressor(
        **{**TINY, "n_generations": 50}, target_fitness=-1e6, random_state=0
    ).fit(X, y)
    assert model.n_generations_ == 1 and len(model.fitness_history_) == 2
    winner = model.fitness_history_.query("winner").iloc[0]
    assert np.array_equal(model.genotype_, model.population_[winner["individual"]])


def test_zero_generations_and_zero_epochs_are_allowed(general_data):
    X, y = general_data
    model = PathNetRegressor(**{**TINY, "n_generations": 0, "max_epochs": 0}, random_state=0).fit(
        X, y
    )
    assert model.fitness_history_.empty and model.n_epochs_ == 0
    assert np.isfinite(model.predict(X)).all()


def test_early_stopping_holds_out_validation_rows(general_data):
    X, y = general_data
    model = PathNetRegressor(
        **{**TINY, "max_epochs": 30},
        early_stopping=True,
        validation_fraction=0.25,
        random_state=0,
    ).fit(X, y)
    assert len(model.validation_loss_curve_) == model.n_epochs_
    with pytest.raises(ValueError, match="leaves no training or no validation rows"):
        PathNetRegressor(early_stopping=True, validation_fraction=0.1, **TINY).fit(X[:1], y[:1])


def test_clone_keeps_the_parameters_and_drops_the_fit(general):
    fresh = clone(general)
    assert fresh.get_params() == general.get_params()
    assert not hasattr(fresh, "module_")


def test_feature_names_are_remembered(general_data):
    X, y = general_data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(12)])
    model = PathNetRegressor(random_state=0, **TINY).fit(frame, y)
    assert list(model.feature_names_in_) == list(frame.columns)
