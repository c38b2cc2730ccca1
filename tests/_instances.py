"""The registry of estimator instances that ``tests/test_common.py`` runs on.

After imbalanced-learn's ``utils/_test_common/instance_generator.py``: one place says,
for every public estimator of the package, how to build small instances of it
(:data:`INIT_PARAMS`), what it eats (:data:`DATA`), which of scikit-learn's checks are
expected to fail on it and why (:data:`PER_ESTIMATOR_XFAIL_CHECKS`, or a function of the
instance), and why scikit-learn's fitting checks do not apply to it at all
(:data:`SKIPPED_ESTIMATORS`: estimators on images, query strategies). A public estimator
missing here fails ``test_every_public_estimator_is_registered``.
"""

import numpy as np
import torch
from sklearn.linear_model import LinearRegression
from skorch import NeuralNetRegressor
from torch import nn

from sklearn_fer import (
    AlexNetRegressor,
    BackboneClassifier,
    DenseHeadClassifier,
    DenseHeadRegressor,
    FaceCropper,
    FrozenConvFeaturizer,
)
from sklearn_fer.active import (
    GreedySampler,
    MCDropoutRegressor,
    MCDropoutSampler,
    RandomSampler,
    SampledRegressor,
)
from sklearn_fer.detection import MTCNNDetector
from sklearn_fer.feature_maps import FeatureMapSelector
from sklearn_fer.pathnet import PathNetClassifier, PathNetRegressor

# -- tiny pre-trained nets ----------------------------------------------------------------

#: The widths of X that scikit-learn's checks build (1, 2, 3, 4, 5 or 10 columns).
WIDTHS = (1, 2, 3, 4, 5, 10)


class TinySplittableNet(nn.Module):
    """Identity 'conv part' and a small dense head: the smallest net a head can come from."""

    def __init__(self, n_features=3, hidden_units=16):
        super().__init__()
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(n_features, hidden_units),
            nn.ReLU(),
            nn.Linear(hidden_units, 1),
        )

    def forward(self, x):
        return self.classifier(x)

    def conv_part(self):
        return nn.Identity()

    def dense_part(self):
        return self.classifier


def tiny_pretrained(width):
    """A skorch net fitted on ``width`` features, whose head the head estimators take."""
    rng = np.random.default_rng(width)
    X = rng.normal(size=(64, width)).astype(np.float32)
    y = X.sum(axis=1, keepdims=True)
    torch.manual_seed(0)
    net = NeuralNetRegressor(
        TinySplittableNet,
        module__n_features=width,
        max_epochs=5,
        lr=0.05,
        train_split=None,
        verbose=0,
    )
    return net.fit(X, y)


PRETRAINED = {width: tiny_pretrained(width) for width in WIDTHS}

# -- what each estimator is built with -------------------------------------------------------

# Adam reaches the R^2 > 0.5 of check_regressors_train in 30 epochs of 64-row batches; the
# default SGD needs hundreds of small steps, which would only slow the checks. The tiny
# pre-trained nets label no classes, so a DenseHeadClassifier's fit gives the head a fresh
# output layer with one unit per class of the check's y.
_HEAD = dict(optimizer=torch.optim.Adam, lr=0.01, max_epochs=30, batch_size=64, random_state=0)

# Full-batch steps (batch_size above every check's sample count) keep each PathNet fit to a
# few dozen steps; tol=0 and a long patience let the final training reach the R^2 > 0.5
# and accuracy > 0.83 that check_regressors_train and check_classifiers_train ask for.
_PATHNET = dict(
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

#: {Estimator: keyword arguments, or a list of them (one instance each)}.
INIT_PARAMS = {
    AlexNetRegressor: dict(max_epochs=1, module__hidden_units=8, random_state=0),
    BackboneClassifier: dict(max_epochs=1, module__hidden_units=8, random_state=0),
    # One instance per width: a head takes exactly its pre-trained width.
    DenseHeadRegressor: [dict(pretrained=PRETRAINED[w], **_HEAD) for w in WIDTHS],
    DenseHeadClassifier: [dict(pretrained=PRETRAINED[w], **_HEAD) for w in WIDTHS],
    FaceCropper: dict(output_size=64, on_missing="center"),
    FeatureMapSelector: [dict(k=1), dict(k=1, keep="random", random_state=0)],
    FrozenConvFeaturizer: dict(pretrained=None, pooling="mean"),  # pretrained: see below
    GreedySampler: [dict(space="x"), dict(space="y", random_state=0)],
    MCDropoutRegressor: dict(
        estimator=DenseHeadRegressor(PRETRAINED[3], max_epochs=1, random_state=0),
        n_iter=3,
        random_state=0,
    ),
    MCDropoutSampler: dict(n_iter=3, random_state=0),
    MTCNNDetector: dict(),
    PathNetClassifier: dict(_PATHNET),
    PathNetRegressor: dict(_PATHNET),
    RandomSampler: dict(random_state=0),
    SampledRegressor: [
        dict(estimator=LinearRegression(), sampler=RandomSampler(random_state=0)),
        dict(estimator=LinearRegression(), sampler=GreedySampler("x"), fraction=0.8),
    ],
}

#: {Estimator: (input, target)}: input "images" (uint8 (n, 64, 64, 3)), "features"
#: (float32 (n, 3)) or "pool" (a query strategy's select); target "continuous",
#: "labels" or None.
DATA = {
    AlexNetRegressor: ("images", "continuous"),
    BackboneClassifier: ("images", "labels"),
    DenseHeadRegressor: ("features", "continuous"),
    DenseHeadClassifier: ("features", "labels"),
    FaceCropper: ("images", None),
    FeatureMapSelector: ("features", "continuous"),
    FrozenConvFeaturizer: ("images", None),
    GreedySampler: ("pool", None),
    MCDropoutRegressor: ("features", "continuous"),
    MCDropoutSampler: ("pool", None),
    MTCNNDetector: ("images", None),
    PathNetClassifier: ("features", "labels"),
    PathNetRegressor: ("features", "continuous"),
    RandomSampler: ("pool", None),
    SampledRegressor: ("features", "continuous"),
}

#: Estimators scikit-learn's fitting checks cannot run on, and why; only the checks of
#: the API that fit nothing (API_CHECKS in test_common.py) run on them.
SKIPPED_ESTIMATORS = {
    AlexNetRegressor: "takes RGB images (n, h, w, 3) of at least 63 px; the checks build 2-D X",
    BackboneClassifier: "takes RGB images (n, h, w, 3) of at least 63 px; the checks build 2-D X",
    FaceCropper: "takes RGB images (n, h, w, 3); the checks build 2-D X",
    FrozenConvFeaturizer: "takes RGB images (n, h, w, 3); the checks build 2-D X",
    GreedySampler: "a query strategy: nothing to fit, it selects rows of a pool",
    MCDropoutSampler: "a query strategy: nothing to fit, it selects rows of a pool",
    RandomSampler: "a query strategy: nothing to fit, it selects rows of a pool",
    MTCNNDetector: (
        "finds faces in RGB images (n, h, w, 3) of any size with fixed, trained weights: "
        "nothing to fit; the checks build 2-D X (tests/detection/ checks it on real faces)"
    ),
    MCDropoutRegressor: (
        "its predictions average dropout masks drawn for the rows of each call, so a "
        "subset or a reordering of the rows gets other masks by design; and its head "
        "takes one width only (tests/active/test_mc_dropout.py checks it on its own data)"
    ),
}

# -- expected failures ---------------------------------------------------------------------

_SKORCH_INIT = "skorch's NeuralNet.__init__ sets history_, initialized_ and virtual_params_"
_TENSOR_HASH = (
    "joblib.hash of a torch tensor pickles its storage address, so the deep copy this "
    "check compares against never hashes equal; tests/regressors/test_dense_head.py checks "
    "by value that fitting leaves every pre-trained tensor unchanged"
)

# Width of the X each check builds (scikit-learn 1.7); the others run on every width.
CHECK_WIDTHS = {
    "check_fit_score_takes_y": 3,
    "check_dont_overwrite_parameters": 3,
    "check_estimators_fit_returns_self": 2,
    "check_readonly_memmap_input": 2,
    "check_n_features_in_after_fitting": 4,
    "check_positive_only_tag_during_fit": 4,
    "check_estimators_dtypes": 5,
    "check_dtype_object": 10,
    "check_pipeline_consistency": 3,
    "check_estimators_nan_inf": 3,
    "check_estimators_pickle": 3,
    "check_f_contiguous_array_estimator": 3,
    "check_regressors_train": 10,
    "check_regressor_data_not_an_array": 10,
    "check_estimators_partial_fit_n_features": 2,
    "check_regressors_no_decision_function": 4,
    "check_supervised_y_2d": 3,
    "check_regressors_int": 10,
    "check_methods_sample_order_invariance": 3,
    "check_methods_subset_invariance": 3,
    "check_fit2d_1sample": 10,
    "check_fit2d_1feature": 1,
    "check_dict_unchanged": 3,
    "check_fit_idempotent": 2,
    "check_fit_check_is_fitted": 2,
    "check_n_features_in": 2,
    "check_fit2d_predict1d": 3,
    "check_requires_y_none": 2,
}

# The classifier checks' widths; the shared checks above build the same X for both.
CLASSIFIER_CHECK_WIDTHS = {
    "check_classifiers_train": 2,
    "check_classifiers_classes": 2,
    "check_classifier_data_not_an_array": 2,
    "check_class_weight_classifiers": 2,
    "check_classifiers_one_label": 3,
    "check_classifiers_one_label_sample_weights": 10,
    "check_classifiers_regression_target": 10,
}


def _head_expected_failures(estimator):
    """A head takes its pre-trained width only: checks of other widths fail by design."""
    width = estimator.pretrained.module_.classifier[1].in_features
    expected = {
        "check_no_attributes_set_in_init": _SKORCH_INIT,
        "check_estimators_overwrite_params": _TENSOR_HASH,
    }
    widths = dict(CHECK_WIDTHS)
    if isinstance(estimator, DenseHeadClassifier):
        widths.update(CLASSIFIER_CHECK_WIDTHS)
    else:
        expected["check_regressor_multioutput"] = (
            "the output width is the pre-trained net's (1 unit here); this check fits 5 targets"
        )
    for check, check_width in widths.items():
        if check_width != width:
            expected[check] = (
                f"this check builds {check_width}-column X; this instance's pre-trained "
                f"head takes {width} columns and rejects other widths by design"
            )
    return expected


#: {Estimator: {check name: reason}}, or a function of the instance giving that dict.
PER_ESTIMATOR_XFAIL_CHECKS = {
    AlexNetRegressor: {"check_no_attributes_set_in_init": _SKORCH_INIT},
    BackboneClassifier: {"check_no_attributes_set_in_init": _SKORCH_INIT},
    DenseHeadRegressor: _head_expected_failures,
    DenseHeadClassifier: _head_expected_failures,
    PathNetRegressor: {
        "check_methods_subset_invariance": (
            "float32 matrix products round the last bit differently for batches of "
            "different sizes (the BLAS blocks them differently): predictions of a subset "
            "differ by about one ulp (2e-7), above the check's atol of 1e-7"
        ),
    },
}


def expected_failed_checks(estimator):
    """{check name: reason} of the checks expected to fail on ``estimator``."""
    expected = PER_ESTIMATOR_XFAIL_CHECKS.get(type(estimator), {})
    return expected(estimator) if callable(expected) else dict(expected)


def _pretrained_alexnet():
    from tests._helpers import tiny_regressor

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 64, 64, 3), dtype=np.uint8)
    return tiny_regressor().fit(images, np.linspace(-0.9, 0.9, 6).astype(np.float32))


def construct_instances(Estimator):
    """The registry's instances of ``Estimator`` (one per parameter set)."""
    params = INIT_PARAMS[Estimator]
    for kwargs in params if isinstance(params, list) else [params]:
        kwargs = dict(kwargs)
        if Estimator is FrozenConvFeaturizer:
            kwargs["pretrained"] = _pretrained_alexnet()
        yield Estimator(**kwargs)


def registered_instances(*, skipped=None):
    """Every registered instance; ``skipped`` True/False keeps only those (not) skipped."""
    for Estimator in sorted(INIT_PARAMS, key=lambda cls: cls.__name__):
        if skipped is not None and (Estimator in SKIPPED_ESTIMATORS) != skipped:
            continue
        yield from construct_instances(Estimator)
