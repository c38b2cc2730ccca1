"""Transfer: a new task in a copy of the source's network, earlier tasks untouched."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from sklearn_fer.pathnet import PathNetClassifier, PathNetRegressor

from .conftest import TINY, make_domain

PERSONAL = {k: v for k, v in TINY.items() if k not in ("n_layers", "n_modules", "module_units")}


def _tensors(estimator):
    return {name: t.detach().clone() for name, t in estimator.module_.state_dict().items()}


@pytest.fixture(scope="module")
def personal(general, person_data):
    X, y = person_data
    return PathNetRegressor(source=general, random_state=1, **PERSONAL).fit(X, y)


def test_earlier_tasks_predict_exactly_as_before(general, personal, general_data, person_data):
    for X in (general_data[0], person_data[0]):
        assert np.array_equal(personal.predict(X, task=0), general.predict(X))


def test_personalising_does_not_modify_the_source(general, person_data):
    X, y = person_data
    tensors = _tensors(general)
    paths, history = general.paths_.copy(), general.fitness_history_.copy()
    grads = [p.requires_grad for p in general.module_.parameters()]
    PathNetRegressor(source=general, random_state=2, **PERSONAL).fit(X, y)
    after = _tensors(general)
    assert tensors.keys() == after.keys()
    for name in tensors:
        assert torch.equal(tensors[name], after[name]), name
    assert np.array_equal(general.paths_, paths)
    assert general.fitness_history_.equals(history)
    assert [p.requires_grad for p in general.module_.parameters()] == grads
    assert general.module_.n_tasks == 1


def test_the_source_paths_are_frozen_and_everything_else_reinitialised(general, personal):
    frozen = general.paths_.any(axis=0)
    assert np.array_equal(personal.frozen_, frozen)
    assert np.array_equal(personal.paths_[0], general.paths_[0])
    assert personal.paths_.shape == (2, 2, 5) and personal.task_ == 1
    for layer in range(2):
        for module in range(5):
            was = general.module_.layers[layer][module].weight
            now = personal.module_.layers[layer][module].weight
            # frozen: bit-identical; the rest: redrawn (or trained, if on the new path)
            assert torch.equal(was, now) == frozen[layer, module], (layer, module)
            assert now.requires_grad == (not frozen[layer, module])
    assert not any(p.requires_grad for p in personal.module_.heads[0].parameters())


def test_a_new_path_may_run_through_frozen_modules(general, person_data):
    X, y = person_data
    # With a path allowed as many modules as a layer has, every path uses frozen ones.
    model = PathNetRegressor(source=general, random_state=0, **{**PERSONAL, "max_active": 5})
    model.fit(X, y)
    shared = model.paths_[-1] & model.frozen_
    assert shared.any()
    assert np.array_equal(model.predict(X, task=0), general.predict(X))


def test_chained_transfers_freeze_every_earlier_path(general, personal, person_data):
    X, y = person_data
    third = PathNetRegressor(source=personal, random_state=5, **PERSONAL).fit(X, -y)
    assert np.array_equal(third.frozen_, personal.paths_.any(axis=0))
    assert third.paths_.shape[0] == 3
    for task, model in ((0, general), (1, personal)):
        assert np.array_equal(third.predict(X, task=task), model.predict(X))


def test_transfer_is_reproducible(general, person_data):
    X, y = person_data
    a = PathNetRegressor(source=general, random_state=7, **PERSONAL).fit(X, y)
    b = PathNetRegressor(source=general, random_state=7, **PERSONAL).fit(X, y)
    assert np.array_equal(a.paths_, b.paths_)
    assert np.array_equal(a.predict(X), b.predict(X))


def test_clone_shares_the_source_and_cross_validation_works(general, person_data):
    X, y = person_data
    template = PathNetRegressor(source=general, random_state=0, **PERSONAL)
    assert clone(template).source is general
    assert not any(name.startswith("source__") for name in template.get_params(deep=True))
    tensors = _tensors(general)
    scores = cross_val_score(template, X, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert all(torch.equal(tensors[k], v) for k, v in _tensors(general).items())


def test_a_copied_head_starts_from_the_source_head(general, person_data):
    X, y = person_data
    untrained = {**PERSONAL, "n_generations": 0, "max_epochs": 0}  # nothing trains
    copied = PathNetRegressor(source=general, head="copy", random_state=0, **untrained)
    new = PathNetRegressor(source=general, head="new", random_state=0, **untrained)
    source_head = general.module_.heads[0].weight
    assert torch.equal(copied.fit(X, y).module_.heads[1].weight, source_head)
    assert copied.module_.heads[1].weight.requires_grad
    assert copied.module_.heads[1].weight is not source_head
    assert not torch.equal(new.fit(X, y).module_.heads[1].weight, source_head)
    trained = PathNetRegressor(source=general, head="copy", random_state=0, **PERSONAL)
    trained.fit(X, y)
    assert torch.equal(general.module_.heads[0].weight, source_head)  # the source's stays
    assert torch.equal(trained.module_.heads[0].weight, source_head)  # and so does task 0's


def test_another_domain_or_target_gets_a_new_head(general, person_data):
    X, y = person_data
    two = PathNetRegressor(source=general, random_state=0, **PERSONAL).fit(X, np.c_[y, y])
    assert two.predict(X).shape == (len(X), 2)
    labels = np.where(y > np.median(y), "high", "low")
    clf = PathNetClassifier(source=general, random_state=0, **PERSONAL).fit(X, labels)
    assert set(clf.predict(X)) <= {"high", "low"}
    assert np.array_equal(clf.predict_proba(X, task=1), clf.predict_proba(X))
    with pytest.raises(ValueError, match="task 0 is a regression task"):
        clf.predict(X, task=0)


def test_transfer_from_an_unfitted_source_is_refused(person_data):
    X, y = person_data
    with pytest.raises(ValueError, match="source is a PathNetRegressor that is not fitted"):
        PathNetRegressor(source=PathNetRegressor()).fit(X, y)


def test_a_source_must_be_a_pathnet_estimator(person_data):
    from sklearn.linear_model import Ridge

    X, y = person_data
    with pytest.raises(TypeError, match="source must be a fitted PathNetRegressor or Path"):
        PathNetRegressor(source=Ridge().fit(X, y)).fit(X, y)


def test_a_copied_head_of_another_shape_is_refused(general, person_data):
    X, y = person_data
    with pytest.raises(ValueError, match=r"y has 2 target column\(s\) but the source task's head"):
        PathNetRegressor(source=general, head="copy", **PERSONAL).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="needs the source's task to be a regression"):
        labels = np.where(y > 0, "a", "b")
        clf = PathNetClassifier(**TINY, random_state=0).fit(X, labels)
        PathNetRegressor(source=clf, head="copy", **PERSONAL).fit(X, y)


def test_head_copy_needs_a_source(person_data):
    X, y = person_data
    with pytest.raises(ValueError, match="head='copy' needs a source"):
        PathNetRegressor(head="copy", **TINY).fit(X, y)


def test_the_source_features_must_match(general):
    X, y = make_domain(20, 0.0, 3)
    with pytest.raises(ValueError, match="X has 11 features, but the source PathNetRegressor"):
        PathNetRegressor(source=general, **PERSONAL).fit(X[:, :11], y)


def test_an_architecture_that_differs_from_the_source_is_refused(general, person_data):
    X, y = person_data
    with pytest.raises(ValueError, match="n_modules=7 differs from the source's n_modules=5"):
        PathNetRegressor(source=general, n_modules=7, **PERSONAL).fit(X, y)
    # The source's own values are accepted.
    PathNetRegressor(source=general, n_modules=5, **PERSONAL).fit(X, y)


def test_predicting_an_unknown_task_is_refused(personal, person_data):
    X, _ = person_data
    with pytest.raises(ValueError, match=r"task=2 is not one of this network's tasks 0\.\.1"):
        personal.predict(X, task=2)
    with pytest.raises(TypeError, match="task must be an int or None, got str"):
        personal.predict(X, task="general")
