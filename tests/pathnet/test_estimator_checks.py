"""scikit-learn's estimator checks on the two PathNet estimators (first tasks, no source).

Small networks and budgets keep the checks fast; the final training's budget is what
lets them reach the scores check_regressors_train and check_classifiers_train ask for.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_fer.pathnet import PathNetClassifier, PathNetRegressor

# Full-batch steps (batch_size above every check's sample count) keep each fit to a few
# dozen steps; tol=0 and a long patience let the final training reach the R^2 > 0.5 and
# accuracy > 0.83 that check_regressors_train and check_classifiers_train ask for.
SMALL = dict(
    n_modules=4,
    max_active=2,
    module_units=16,
    population=4,
    steps_per_path=2,
    n_generations=3,
    batch_size=512,
    lr=0.05,
    max_epochs=20,
    tol=0.0,
    n_iter_no_change=10,
    random_state=0,
)


EXPECTED_FAILURES = {
    "PathNetRegressor": {
        "check_methods_subset_invariance": (
            "float32 matrix products round the last bit differently for batches of "
            "different sizes (the BLAS blocks them differently): predictions of a subset "
            "differ by about one ulp (2e-7), above the check's atol of 1e-7"
        ),
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(
    [PathNetRegressor(**SMALL), PathNetClassifier(**SMALL)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
