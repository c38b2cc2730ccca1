"""scikit-learn's estimator checks and parameter validation on every public estimator.

Driven by the registry in ``tests/_instances.py`` (imbalanced-learn's pattern): which
instances to build, what they eat, which checks are expected to fail and why, and which
estimators the fitting checks skip (estimators on images, query strategies), on which
only the checks of the API that fit nothing run. A public estimator (walked from the
``__all__`` of the package's public modules) missing from the registry fails
:func:`test_every_public_estimator_is_registered`.
"""

import importlib
import inspect
import pkgutil
from functools import partial

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import (
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_set_params,
    check_valid_tag_types,
    parametrize_with_checks,
)

import sklearn_fer
from sklearn_fer._validation import NumberInterval

from ._instances import (
    DATA,
    INIT_PARAMS,
    PER_ESTIMATOR_XFAIL_CHECKS,
    PRETRAINED,
    SKIPPED_ESTIMATORS,
    construct_instances,
    expected_failed_checks,
    registered_instances,
)

#: The checks of scikit-learn's API that fit nothing: they run on every estimator,
#: those the fitting checks skip included.
API_CHECKS = (
    check_estimator_cloneable,
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_get_params_invariance,
    check_set_params,
)


def public_estimators():
    """Every BaseEstimator subclass named in an ``__all__`` of the package's public modules."""
    modules = [sklearn_fer] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(sklearn_fer.__path__, "sklearn_fer.")
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
    ]
    found = set()
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                found.add(obj)
    return found


def test_every_public_estimator_is_registered():
    public = public_estimators()
    names = lambda classes: sorted(cls.__name__ for cls in classes)  # noqa: E731
    missing = public - set(INIT_PARAMS)
    assert not missing, f"add {names(missing)} to INIT_PARAMS in tests/_instances.py"
    assert not set(INIT_PARAMS) - public, "the registry names estimators that are not public"
    assert set(DATA) == set(INIT_PARAMS), "every registered estimator says what it eats"
    assert set(SKIPPED_ESTIMATORS) | set(PER_ESTIMATOR_XFAIL_CHECKS) <= set(INIT_PARAMS)
    assert len(public) >= 14


# -- scikit-learn's checks -------------------------------------------------------------------


@parametrize_with_checks(
    list(registered_instances(skipped=False)), expected_failed_checks=expected_failed_checks
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _api_cases():
    for estimator in registered_instances(skipped=True):
        expected = expected_failed_checks(estimator)
        for check in API_CHECKS:
            name = check.__name__
            marks = []
            if name in expected:
                marks = [pytest.mark.xfail(reason=expected[name], strict=True)]
            yield pytest.param(
                estimator, check, marks=marks, id=f"{type(estimator).__name__}-{name}"
            )


@pytest.mark.parametrize(("estimator", "check"), list(_api_cases()))
def test_api_checks_of_the_estimators_the_fitting_checks_skip(estimator, check):
    check(type(estimator).__name__, estimator)


# -- parameter validation ----------------------------------------------------------------------


def _named_init_params(Estimator):
    parameters = list(inspect.signature(Estimator.__init__).parameters.values())[1:]
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


@pytest.mark.parametrize("Estimator", sorted(INIT_PARAMS, key=lambda c: c.__name__), ids=str)
def test_constraints_cover_every_init_parameter(Estimator):
    constraints = getattr(Estimator, "_parameter_constraints", {})
    assert set(constraints) == _named_init_params(Estimator)


def _data(Estimator, n=8):
    rng = np.random.default_rng(0)
    kind, target = DATA[Estimator]
    if kind == "images":
        X = rng.integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8)
    else:
        X = np.abs(rng.normal(size=(n, 3))).astype(np.float32)
    y = {
        "continuous": np.linspace(-0.9, 0.9, n).astype(np.float32),
        "labels": np.array(["a", "b"] * (n // 2)),
        None: None,
    }[target]
    return X, y


def _checked_call(estimator):
    """The call that checks the parameters: ``fit``, or ``select`` for a query strategy."""
    X, y = _data(type(estimator))
    if DATA[type(estimator)][0] == "pool":
        reference = LinearRegression().fit(X, X.sum(axis=1))
        if type(estimator).__name__ == "MCDropoutSampler":
            reference = PRETRAINED[3]
        return partial(estimator.select, X, 2, estimator=reference)
    return partial(estimator.fit, X) if y is None else partial(estimator.fit, X, y)


def _validated_params():
    for Estimator in sorted(INIT_PARAMS, key=lambda c: c.__name__):
        estimator = next(construct_instances(Estimator))
        # An estimator without constraints gets no case here, and fails the coverage test.
        for param, constraints in getattr(Estimator, "_parameter_constraints", {}).items():
            if constraints != "no_validation":
                yield pytest.param(estimator, param, id=f"{Estimator.__name__}-{param}")


@pytest.mark.parametrize(("estimator", "param"), list(_validated_params()))
def test_bad_parameters_are_refused_by_name_when_checked(estimator, param):
    """As scikit-learn's check_param_validation, with each estimator's own data and call."""
    name = type(estimator).__name__
    match = rf"The '{param}' parameter of {name} must be .* Got .* instead\."
    bad_type = type("BadType", (), {})()
    with pytest.raises(InvalidParameterError, match=match):
        _checked_call(clone(estimator).set_params(**{param: bad_type}))()
    constraints = [make_constraint(c) for c in estimator._parameter_constraints[param]]
    for constraint in constraints:
        try:
            bad_value = generate_invalid_param_val(constraint)
        except NotImplementedError:
            continue
        with pytest.raises(InvalidParameterError, match=match):
            _checked_call(clone(estimator).set_params(**{param: bad_value}))()
    if any(isinstance(c, NumberInterval) for c in constraints) and not any(
        c.is_satisfied_by(True) for c in constraints
    ):
        # True is an int to Python and to scikit-learn's Interval; never a number here.
        with pytest.raises(InvalidParameterError, match=match + r"|\(not a bool\)"):
            _checked_call(clone(estimator).set_params(**{param: True}))()


def test_numbers_never_take_a_bool():
    # Every count, size, rate and seed constraint of every estimator refuses True.
    numeric = 0
    for Estimator in INIT_PARAMS:
        for param, constraints in getattr(Estimator, "_parameter_constraints", {}).items():
            if constraints == "no_validation" or param == "verbose":
                continue
            made = [make_constraint(c) for c in constraints]
            if any(type(c).__name__ in ("Interval", "_RandomStates") for c in made):
                pytest.fail(f"{Estimator.__name__}.{param} uses an Interval that takes True")
            if any(isinstance(c, NumberInterval) for c in made):
                numeric += 1
                assert not any(c.is_satisfied_by(True) for c in made), (Estimator, param)
    assert numeric >= 40
