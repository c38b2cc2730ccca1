"""Every public estimator (walked from ``__all__``) fed generated bad input and bad parameters.

Pass: a ValueError/TypeError whose message names the fault. Fail: any other exception, a
bad input accepted, or valid-but-unusual input (read-only, non-contiguous, lists, pandas)
giving another answer than the plain array.
"""

import inspect
import numbers

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ._clean import accepted_or_clean, count, expect_clean_error
from ._public import (
    SPECS,
    WIDTH,
    continuous,
    features,
    images,
    labels,
    public_estimators,
)

FUZZ = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

LEARNERS = sorted(name for name, spec in SPECS.items() if spec.kind not in ("sampler", "detector"))
PREDICTORS = sorted(name for name in LEARNERS if SPECS[name].target is not None)
SAMPLERS = sorted(name for name, spec in SPECS.items() if spec.kind == "sampler")
DETECTORS = sorted(name for name, spec in SPECS.items() if spec.kind == "detector")


def test_every_public_estimator_has_a_spec():
    assert set(public_estimators()) == set(SPECS), "add the new estimator to SPECS in _public.py"


def _target(spec, n):
    return labels(n) if spec.target == "labels" else continuous(n)


def _fit(estimator, spec, X, y):
    if spec.target is None:
        return estimator.fit(X)
    return estimator.fit(X, y)


# --- bad X ------------------------------------------------------------------------------
# Each strategy returns (X, n_targets, fragments): fragments are what the message must name.


@st.composite
def bad_images(draw):
    n = draw(st.integers(1, 3))
    case = draw(
        st.sampled_from(
            ["ndim", "channels", "float_range", "nonfinite", "empty", "small", "dtype", "strings"]
        )
    )
    size = 64
    if case == "ndim":
        shape = draw(st.sampled_from([(n, size, size), (size, size, 3), (n, size, size, 3, 1)]))
        return np.zeros(shape, np.uint8), n, ("shape",)
    if case == "channels":
        c = draw(st.sampled_from([1, 2, 4]))
        return np.zeros((n, size, size, c), np.uint8), n, ("shape", "channel")
    if case == "float_range":
        high = draw(st.floats(1.01, 300.0))
        X = np.full((n, size, size, 3), high, draw(st.sampled_from([np.float32, np.float64])))
        return X, n, ("[0, 1]", "range", "scale", "uint8")
    if case == "nonfinite":
        X = np.full((n, size, size, 3), 0.5, np.float32)
        X.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return X, n, ("nan", "inf", "finite", "uint8")
    if case == "empty":
        return np.zeros((0, size, size, 3), np.uint8), 0, ("empty", "at least", "0 sample")
    if case == "small":
        side = draw(st.integers(1, 62))
        return np.zeros((n, side, side + 1, 3), np.uint8), n, ("pixels", "at least", "size")
    if case == "dtype":
        dtype = draw(st.sampled_from([np.int64, np.int16, np.complex64, bool]))
        return np.zeros((n, size, size, 3), dtype), n, ("dtype", "uint8")
    return np.full((n, size, size, 3), "a"), n, ("dtype", "uint8", "number", "numeric")


@st.composite
def bad_features(draw):
    n = draw(st.integers(2, 5))
    case = draw(st.sampled_from(["ndim", "nonfinite", "empty", "strings", "width"]))
    if case == "ndim":
        shape = draw(st.sampled_from([(n,), (n, WIDTH, 2)]))
        return np.ones(shape, np.float32), n, ("2d", "dim", "shape", "reshape")
    if case == "nonfinite":
        X = np.ones((n, WIDTH), np.float64)
        X.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from([np.nan, np.inf]))
        return X, n, ("nan", "inf")
    if case == "empty":
        return np.ones((0, WIDTH), np.float32), 0, ("0 sample", "empty", "minimum")
    if case == "strings":
        return np.full((n, WIDTH), "x"), n, ("string", "float", "number", "numeric", "convert")
    return np.ones((n, WIDTH + draw(st.integers(1, 3))), np.float32), n, ("feature", "column")


def _grayscale_or_any_size(X, fragments):
    """FaceCropper's design: (n, h, w) or (n, h, w, 1) are grayscale frames, any size is cut."""
    return X.ndim == 3 or (X.ndim == 4 and X.shape[-1] == 1) or fragments[0] == "pixels"


def _fresh(name):
    return clone(SPECS[name].make())


@pytest.mark.parametrize("name", LEARNERS)
@FUZZ
@given(data=st.data())
def test_bad_X_at_fit_is_a_clean_error(name, data):
    spec = SPECS[name]
    X, n, fragments = data.draw(bad_images() if spec.kind == "images" else bad_features())
    if spec.kind == "features" and fragments == ("feature", "column"):
        return  # a width change is only wrong against a fitted width (test below)
    if name == "FaceCropper" and _grayscale_or_any_size(X, fragments):
        return
    estimator = _fresh(name)
    if name == "FaceCropper":
        call = lambda: estimator.transform(X)  # noqa: E731 - fit does not look at X
    else:
        call = lambda: _fit(estimator, spec, X, _target(spec, max(n, 1)))  # noqa: E731
    expect_clean_error("estimators", call, *fragments)


@pytest.fixture(scope="module")
def fitted():
    out = {}
    for name in LEARNERS:
        spec = SPECS[name]
        X = images() if spec.kind == "images" else features()
        out[name] = _fit(_fresh(name), spec, X, _target(spec, len(X)))
    return out


def _apply(estimator, X):
    return estimator.predict(X) if hasattr(estimator, "predict") else estimator.transform(X)


@pytest.mark.parametrize("name", LEARNERS)
@FUZZ
@given(data=st.data())
def test_bad_X_after_fit_is_a_clean_error(name, data, fitted):
    spec = SPECS[name]
    X, _, fragments = data.draw(bad_images() if spec.kind == "images" else bad_features())
    if name == "FaceCropper" and _grayscale_or_any_size(X, fragments):
        return
    expect_clean_error("estimators", lambda: _apply(fitted[name], X), *fragments)


@st.composite
def bad_targets(draw, n, spec):
    case = draw(st.sampled_from(["length", "nonfinite", "ndim", "none", "strings"]))
    if case == "length":
        m = draw(st.integers(0, 2 * n).filter(lambda m: m != n))
        return _target(spec, m), ("inconsistent", "length", "sample", "number")
    if case == "nonfinite" and spec.target == "continuous":
        y = continuous(n).copy()
        y[draw(st.integers(0, n - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return y, ("nan", "inf")
    if case == "ndim":
        return np.zeros((n, 2, 2)), ("shape", "dim", "1d", "column", "multi")
    if case == "none":
        return None, ("none", "requires y")
    if spec.target == "labels":
        return continuous(n), ("continuous", "label", "class")
    if spec.accepts_labels:  # strings are class labels to it
        return np.zeros((n, 2, 2)), ("shape", "dim", "1d", "column", "multi")
    return np.array(["high"] * n), ("number", "numeric", "label", "float", "string", "convert")


@pytest.mark.parametrize("name", PREDICTORS)
@FUZZ
@given(data=st.data())
def test_bad_y_is_a_clean_error(name, data):
    spec = SPECS[name]
    X = images(4) if spec.kind == "images" else features(6)
    y, fragments = data.draw(bad_targets(len(X), spec))
    estimator = _fresh(name)
    expect_clean_error("estimators", lambda: estimator.fit(X, y), *fragments)


@pytest.mark.parametrize("name", [n for n in PREDICTORS if SPECS[n].target == "continuous"])
def test_three_column_y_is_fitted_to_three_outputs_or_refused(name):
    spec = SPECS[name]
    X = images(4) if spec.kind == "images" else features(6)
    y = np.stack([continuous(len(X))] * 3, axis=1)
    estimator = _fresh(name)
    model, _ = accepted_or_clean("estimators", lambda: estimator.fit(X, y), "y", "target", "output")
    if model is not None and hasattr(model, "predict"):
        # accepted: never a silent 1-column answer to 3 targets
        assert np.shape(model.predict(X)) == (len(X), 3)


@pytest.mark.parametrize("name", LEARNERS)
def test_unfitted_estimators_say_so(name):
    spec = SPECS[name]
    X = images(2) if spec.kind == "images" else features(2)
    if name in ("FaceCropper", "MCDropoutRegressor"):
        # By design: FaceCropper learns nothing (requires_fit=False); MCDropoutRegressor
        # predicts with its pre-trained estimator before any fit (the paper's MCDUE query).
        count("estimators", "accepted")
        assert np.shape(_apply(_fresh(name), X))[0] == len(X)
        return
    X = images(2) if spec.kind == "images" else features(2)
    count("estimators")
    with pytest.raises(NotFittedError, match="fit"):
        _apply(_fresh(name), X)
    count("estimators", "clean error")


@pytest.mark.parametrize("name", [n for n in LEARNERS if SPECS[n].kind == "features"])
def test_a_feature_count_change_at_predict_is_refused(name, fitted):
    X = np.ones((3, WIDTH + 2), np.float32)
    expect_clean_error("estimators", lambda: _apply(fitted[name], X), "feature", "column")


def _layouts(X):
    """Valid but unusual forms of the same data."""
    readonly = X.copy()
    readonly.setflags(write=False)
    strided = np.repeat(X, 2, axis=0)[::2]
    fortran = np.asfortranarray(X)
    forms = {"read-only": readonly, "non-contiguous": strided, "fortran": fortran}
    forms["list"] = X.tolist()
    if X.ndim == 2:
        forms["pandas"] = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    return forms


@pytest.mark.parametrize("name", LEARNERS)
def test_unusual_layouts_give_the_plain_arrays_answer_and_are_left_untouched(name, fitted):
    spec = SPECS[name]
    X = images(3) if spec.kind == "images" else features(5)
    expected = np.asarray(_apply(fitted[name], X.copy()))
    for form, value in _layouts(X).items():
        before = np.array(value, copy=True)
        if form == "list" and spec.kind == "images":
            # Nested Python ints become int64, not uint8: a clean TypeError says how to convert.
            expect_clean_error("estimators", lambda v=value: _apply(fitted[name], v), "uint8")
            continue
        count("estimators")
        got = np.asarray(_apply(fitted[name], value))
        count("estimators", "accepted")
        if got.dtype.kind in "fc":
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=form)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=form)
        np.testing.assert_array_equal(np.asarray(value), before, err_msg=f"{form} was modified")


# --- parameters ---------------------------------------------------------------------------

#: Values no numeric setting should take (a count, size, rate or seed).
BAD_NUMBERS = {"bool": True, "str": "3", "nan": np.nan, "negative": -1}
#: The skorch estimators (skorch's conventions below apply to them only).
SKORCH = ("AlexNetRegressor", "BackboneClassifier", "DenseHeadRegressor", "DenseHeadClassifier")
#: Valid by convention, not defects.
ALLOWED = {
    # scikit-learn's "verbose" constraint: an int >= 0 or a bool switch.
    **{(name, "verbose", "bool"): "verbose switch" for name in SPECS},
    # skorch: batch_size=-1 is the whole data set in one batch.
    **{(name, "batch_size", "negative"): "skorch: whole data" for name in SKORCH},
}
#: Defects this suite found and left for the modules' owners: none open now (PathNet took
#: True as a count or a rate, GreedySampler never checked random_state; both fixed).
KNOWN_DEFECTS = {}


def _numeric_params(name):
    params = SPECS[name].make().get_params(deep=False)
    return [
        (name, key)
        for key, value in params.items()
        if isinstance(value, numbers.Real) and not isinstance(value, bool)
    ]


def _cases():
    for name in sorted(SPECS):
        for _, param in _numeric_params(name):
            for kind in BAD_NUMBERS:
                if (name, param, kind) in ALLOWED:
                    continue
                marks = []
                if (name, param, kind) in KNOWN_DEFECTS:
                    marks = [
                        pytest.mark.xfail(reason=KNOWN_DEFECTS[name, param, kind], strict=True)
                    ]
                yield pytest.param(name, param, kind, marks=marks, id=f"{name}-{param}-{kind}")


def _use(name, estimator):
    spec = SPECS[name]
    if name == "MCDropoutSampler":
        estimator.select(features(), 2, estimator=_mc_estimator())
    elif spec.kind == "sampler":
        estimator.select(features(), 2, estimator=None)
    elif name == "FaceCropper":
        estimator.transform(images(1))
    elif spec.kind == "detector":
        estimator.detect(images(1))
    else:
        X = images(4) if spec.kind == "images" else features(6)
        _fit(estimator, spec, X, _target(spec, len(X)))
        _apply(estimator, X)  # MCDropoutRegressor checks its settings when it predicts


@pytest.mark.parametrize(("name", "param", "kind"), list(_cases()))
def test_bad_numeric_parameters_are_refused_by_name(name, param, kind):
    estimator = _fresh(name).set_params(**{param: BAD_NUMBERS[kind]})
    # scikit-learn's check_random_state names the seed, not the parameter: accepted as clean.
    names = (param, "seed") if param == "random_state" else (param.rsplit("__", 1)[-1],)
    expect_clean_error("parameters", lambda: _use(name, estimator), *names)


def _mc_estimator():
    from ._public import dropout_net

    net = dropout_net()
    if not getattr(net, "initialized_", False):
        net.fit(features(), continuous(len(features())).reshape(-1, 1))
    return net


# --- detectors ----------------------------------------------------------------------------


@st.composite
def bad_frames(draw):
    """A list of frames with one bad frame among good ones, and what the message must name."""
    good = np.zeros((40, 50, 3), np.uint8)
    case = draw(st.sampled_from(["dtype", "float", "strings", "channels", "ndim", "empty"]))
    if case == "dtype":
        bad = np.zeros((40, 50, 3), draw(st.sampled_from([np.int64, np.int16, bool])))
    elif case == "float":
        bad = np.full((40, 50, 3), draw(st.floats(0, 300)), np.float32)
    elif case == "strings":
        bad = np.full((40, 50, 3), "a")
    elif case == "channels":
        bad = np.zeros((40, 50, draw(st.sampled_from([1, 2, 4]))), np.uint8)
    elif case == "ndim":
        bad = np.zeros(draw(st.sampled_from([(40,), (2, 40, 50, 3)])), np.uint8)
    else:
        bad = np.zeros(draw(st.sampled_from([(0, 50, 3), (40, 0, 3)])), np.uint8)
    at = draw(st.integers(0, 2))
    frames = [good, good]
    frames.insert(at, bad)
    fragments = ("dtype", "uint8") if case in ("dtype", "float", "strings") else ("shape",)
    return frames, at, fragments


@pytest.mark.parametrize("name", DETECTORS)
@FUZZ
@given(data=st.data())
def test_a_bad_frame_is_refused_naming_it_and_what_was_expected(name, data):
    frames, at, fragments = data.draw(bad_frames())
    error = expect_clean_error("detectors", lambda: _fresh(name).detect(frames), *fragments)
    assert f"image {at}" in str(error)


@pytest.mark.parametrize("name", DETECTORS)
def test_detection_does_not_depend_on_the_frames_layout(name):
    from tests._helpers import face_frames

    faces, *_ = face_frames(2)
    frames = np.concatenate([faces, np.full_like(faces[:1], 90)])  # two faces, then none
    expected = _fresh(name).detect(frames)
    assert [box is None for box in expected] == [False, False, True]
    read_only = frames.copy()
    read_only.setflags(write=False)
    strided = np.zeros(frames.shape[:2] + (2 * frames.shape[2], 3), np.uint8)
    strided[:, :, ::2] = frames
    for layout in (list(frames), read_only, strided[:, :, ::2]):
        before = np.array(layout, copy=True)
        assert _fresh(name).detect(layout) == expected
        np.testing.assert_array_equal(np.array(layout), before)


# --- samplers -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLERS)
@FUZZ
@example(n_instances=-(2**63) - 1)  # found here: np.isfinite failed beyond int64
@given(
    n_instances=st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=21, max_value=10**12),
        st.floats(allow_nan=True),
        st.booleans(),
        st.text(max_size=3),
        st.none(),
    )
)
def test_bad_n_instances_are_refused(name, n_instances):
    sampler = _fresh(name)
    estimator = _mc_estimator() if name == "MCDropoutSampler" else None
    expect_clean_error(
        "samplers",
        lambda: sampler.select(features(), n_instances, estimator=estimator),
        "n_instances",
    )


@pytest.mark.parametrize("name", SAMPLERS)
@FUZZ
@given(pool=st.sampled_from(["empty", "1d", "nan", "strings"]))
def test_bad_pools_are_refused(name, pool):
    X = {
        "empty": np.ones((0, WIDTH)),
        "1d": np.ones(5),
        "nan": np.full((5, WIDTH), np.nan),
        "strings": np.full((5, WIDTH), "x"),
    }[pool]
    sampler = _fresh(name)
    estimator = _mc_estimator() if name == "MCDropoutSampler" else None
    expect_clean_error(
        "samplers",
        lambda: sampler.select(X, 1, estimator=estimator),
        "x_pool",
        "pool",
        "nan",
        "empty",
        "shape",
        "2d",
        "string",
        "float",
    )


@pytest.mark.parametrize("name", SAMPLERS)
def test_the_whole_pool_is_each_row_once(name):
    sampler = _fresh(name)
    estimator = _mc_estimator() if name == "MCDropoutSampler" else None
    chosen = sampler.select(features(), len(features()), estimator=estimator)
    assert sorted(np.asarray(chosen).tolist()) == list(range(len(features())))


def test_parameter_lists_come_from_the_signatures():
    # The walk must see every numeric parameter of every estimator: a sanity check that
    # _numeric_params reads the real signature, not a stale list.
    for name, spec in SPECS.items():
        signature = inspect.signature(type(spec.make()).__init__)
        for _, param in _numeric_params(name):
            assert param in signature.parameters or param.startswith("module__")
