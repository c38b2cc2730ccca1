"""The sampling curves (Fig. 6): sizes, one selection per fold reused for every
fraction, the fold's own features, and bad arguments."""

import numpy as np
import pytest

from sklearn_fer import FrozenConvFeaturizer
from sklearn_fer.active import GreedySampler
from sklearn_fer.evaluation import RESULT_COLUMNS
from sklearn_fer.evaluation import _sampling as sampling_module

from ._runs import run_curve


def test_sampling_curve_sizes_and_nested_picks(curve):
    assert list(curve.columns) == RESULT_COLUMNS
    assert len(curve) == 3 * 3 * 2 * 3 * 3  # subjects x folds x targets x samplers x fractions
    assert sorted(curve["n_train"].unique()) == [2, 4, 8]  # ceil of 0.2, 0.5, 1.0 x 8
    assert set(curve["condition"]) == {"fine_tuned"}


def test_sampling_runs_each_sampler_once_per_fold(twins, lab, monkeypatch):
    calls = []
    original = GreedySampler.select

    def counting(self, X, n, **kwargs):
        calls.append(n)
        return original(self, X, n, **kwargs)

    monkeypatch.setattr(GreedySampler, "select", counting)
    run_curve(twins, lab, samplers={"gsx": GreedySampler("x")}, fractions=[0.2, 0.5, 0.9])
    assert calls == [8] * 3 * 3 * 2  # one selection of ceil(0.9 * 8) per fold and target


def test_gsx_fold_selection_is_the_samplers_on_that_folds_features(twins, lab, monkeypatch):
    picked = []
    original = sampling_module._NestedSelection.select

    def spy(self, X, n, **kwargs):
        order = original(self, X, n, **kwargs)
        picked.append((X.copy(), self.order.copy()))
        return order

    monkeypatch.setattr(sampling_module._NestedSelection, "select", spy)
    run_curve(twins, lab, samplers={"gsx": GreedySampler("x")}, fractions=[0.5])
    X, order = picked[0]
    assert X.shape == (8, 9216)
    assert order.tolist() == GreedySampler("x").select(X, 4).tolist()
    # X is the valence net's conv features of 8 of the first subject's frames.
    features = FrozenConvFeaturizer(twins["valence"]).fit_transform(lab.images[:12])
    matches = [np.flatnonzero(np.all(np.isclose(features, row, atol=1e-5), axis=1)) for row in X]
    assert all(len(m) == 1 for m in matches)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fractions": [0.5, 1.5]}, ValueError, "fractions must be numbers in"),
        ({"samplers": {}}, ValueError, "samplers must be a non-empty dict"),
        ({"samplers": {"odd": object()}}, TypeError, "has no select"),
    ],
)
def test_sampling_curve_rejects_bad_arguments(twins, lab, kwargs, error, match):
    with pytest.raises(error, match=match):
        run_curve(twins, lab, **kwargs)


# -- summaries ----------------------------------------------------------------------------


def test_the_study_seed_replaces_the_samplers_and_the_heads_own(twins, lab):
    # Documented: random_state is the only seed; a sweep over a sampler's or the head's
    # own random_state changes nothing, a sweep over random_state does.
    import pandas as pd

    from sklearn_fer.active import RandomSampler

    from ._runs import HEAD

    def curve(sampler_seed, head_seed, random_state=0):
        return run_curve(
            twins,
            lab,
            samplers={"random": RandomSampler(random_state=sampler_seed)},
            head=HEAD.set_params(random_state=head_seed) and HEAD,
            fractions=[0.5],
            random_state=random_state,
        ).drop(columns="fit_seconds")

    first = curve(1, 1)
    pd.testing.assert_frame_equal(first, curve(2, 7))
    assert not first["rmse"].equals(curve(1, 1, random_state=3)["rmse"])


def test_random_picks_are_nested_across_fractions(twins, lab, monkeypatch):
    from sklearn_fer.active import SampledRegressor

    picks = []
    original = SampledRegressor.fit

    def recording(self, X, y, **kwargs):
        fitted = original(self, X, y, **kwargs)
        picks.append((self.fraction, fitted.selected_indices_.tolist()))
        return fitted

    monkeypatch.setattr(SampledRegressor, "fit", recording)
    from sklearn_fer.active import RandomSampler

    run_curve(twins, lab, samplers={"random": RandomSampler()}, fractions=[0.2, 0.5, 1.0])
    for start in range(0, len(picks), 3):  # one fold and target: 20%, 50%, 100%
        (_, small), (_, middle), (_, whole) = picks[start : start + 3]
        assert set(small) < set(middle) < set(whole)
