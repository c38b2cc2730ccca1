"""Bad input to every public plain function: a clean error naming what was wrong.

The estimators have their own suite (``test_estimators.py``). Here each public function
(walked from the ``__all__`` lists, so a new one fails
``test_every_public_function_is_covered`` until it is listed) is called with bad
arrays, numbers and tables, or is listed in ``ELSEWHERE`` with the tests that attack it.
"""

import inspect

import numpy as np
import pandas as pd
import pytest

from sklearn_fer import datasets, detection, evaluation, metrics, nets, plotting, study

from ._clean import accepted_or_clean, expect_clean_error
from ._public import public_objects

#: Public functions attacked by other suites, and where.
ELSEWHERE = {
    "sklearn_fer.cli.main": "tests/fuzz/test_cli.py",
    "sklearn_fer.cropping.default_cascade_path": "takes no argument",
    "sklearn_fer.detection.make_detector": "tests/detection/test_detector.py",
    "sklearn_fer.datasets.get_data_home": "tests/datasets/faces/test_make.py",
    "sklearn_fer.datasets.load_affectnet": "tests/fuzz/test_loaders.py",
    "sklearn_fer.datasets.load_amigos": "tests/datasets/test_amigos.py",
    "sklearn_fer.datasets.load_labelled_faces": "tests/fuzz/test_loaders.py",
    "sklearn_fer.datasets.read_amigos_annotations": "tests/datasets/test_amigos.py",
    "sklearn_fer.active.mc_dropout_predictions": "tests/fuzz/test_estimators.py (samplers)",
    "sklearn_fer.nets.check_backbone": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.conv_layers": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.conv_part": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.dense_part": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.head_has_dropout": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.min_image_size": "tests/nets/test_backbone.py",
    "sklearn_fer.nets.make_backbone": "tests/nets/test_registry.py",
    "sklearn_fer.nets.load_fer2013_mini_xception": "tests/nets/test_fer2013.py",
    "sklearn_fer.persistence.load_pipeline": "tests/fuzz/test_model_folders.py",
    "sklearn_fer.persistence.load_pretrained": "tests/fuzz/test_model_folders.py",
    "sklearn_fer.persistence.read_manifest": "tests/fuzz/test_model_folders.py",
    "sklearn_fer.persistence.save_pretrained": "tests/persistence/",
    "sklearn_fer.study.reproduce": "tests/fuzz/test_cli.py, tests/fuzz/test_faults.py",
    "sklearn_fer.workflow.iter_video_predictions": "tests/workflow/test_predict.py",
    "sklearn_fer.workflow.predict_video": "tests/workflow/test_predict.py",
    "sklearn_fer.workflow.personalise": "tests/workflow/test_personalise.py",
    "sklearn_fer.workflow.query_video": "tests/workflow/test_query.py",
    "sklearn_fer.workflow.read_labels": "tests/workflow/test_labels.py",
    "sklearn_fer.workflow.set_label": "tests/workflow/test_labels.py",
    "sklearn_fer.workflow.default_head": "takes only a device",
    "sklearn_fer.evaluation.evaluate_transfer": "tests/evaluation/",
    "sklearn_fer.evaluation.evaluate_pathnet_transfer": "tests/evaluation/",
    "sklearn_fer.evaluation.evaluate_robustness": "tests/evaluation/",
    "sklearn_fer.evaluation.evaluate_training_sets": "tests/evaluation/",
    "sklearn_fer.evaluation.pathnet_sampling_curve": "tests/evaluation/",
    "sklearn_fer.evaluation.run_protocol": "tests/evaluation/",
    "sklearn_fer.evaluation.sampling_curve": "tests/evaluation/",
    "sklearn_fer.evaluation.result_rows": "a worker's helper: its unit comes from run_protocol",
    "sklearn_fer.evaluation.pooled_confusion": "tests/evaluation/",
    "sklearn_fer.evaluation.summarize_folds": "tests/evaluation/",
    "sklearn_fer.evaluation.compare_selections": "tests/evaluation/",
    "sklearn_fer.feature_maps.map_selectivity": "tests/feature_maps/",
    "sklearn_fer.feature_maps.plot_au_selectivity": "tests/feature_maps/",
    "sklearn_fer.feature_maps.plot_layer_selectivity": "tests/feature_maps/",
    "sklearn_fer.feature_maps.plot_robustness": "tests/feature_maps/",
    "sklearn_fer.feature_maps.selectivity_summary": "tests/feature_maps/",
    "sklearn_fer.pathnet.plot_fitness_history": "tests/pathnet/",
    "sklearn_fer.pathnet.plot_paths": "tests/pathnet/",
    "sklearn_fer.plotting.plot_confusion_matrix": "tests/plotting/test_plotting.py",
    "sklearn_fer.plotting.plot_over_time": "tests/plotting/test_plotting.py",
    "sklearn_fer.study.deviations": "takes a configuration from make_config",
    "sklearn_fer.study.estimate_seconds": "takes a configuration from make_config",
}

REGRESSION = ["ccc", "pcc", "rmse", "sagr"]
CLASSIFICATION = ["accuracy", "balanced_accuracy", "classification_scores", "cohen_kappa"]
CLASSIFICATION += ["macro_f1"]

#: Bad truth or prediction arrays, from a good one of 6 values.
BAD_ARRAYS = {
    "nan": lambda g: np.where(np.arange(6) == 2, np.nan, g.astype(float)),
    "inf": lambda g: np.where(np.arange(6) == 2, np.inf, g.astype(float)),
    "shorter": lambda g: g[:4],
    "empty": lambda g: g[:0],
    "3-D": lambda g: g.reshape(1, 2, 3),
    "strings": lambda g: np.array(["a"] * 6),
    "None": lambda g: None,
}
#: What the message may name for each attack.
NAMED = {
    "nan": ("nan", "finite", "infinity"),
    "inf": ("nan", "finite", "infinity"),
    "shorter": ("inconsistent", "length", "samples"),
    "empty": ("empty", "0 sample", "minimum"),
    "3-D": ("dim", "shape", "2d", "1d"),
    "strings": ("string", "float", "numeric", "could not convert", "mix", "type"),
    "None": ("none", "array", "expected"),
}


def _functions():
    seen = {}
    for name, obj in public_objects().items():
        if inspect.isfunction(obj):
            seen.setdefault(obj, name)
    return sorted(seen.values())


def test_every_public_function_is_covered():
    attacked = {f"sklearn_fer.metrics.{n}" for n in REGRESSION + CLASSIFICATION}
    attacked |= {f"sklearn_fer.{name}" for name in ATTACKED}
    uncovered = [name for name in _functions() if name not in attacked | set(ELSEWHERE)]
    assert not uncovered, f"add a case for each new public function here: {uncovered}"
    stale = sorted((attacked | set(ELSEWHERE)) - set(_functions()))
    assert not stale, f"no longer public: {stale}"


@pytest.mark.parametrize("kind", list(BAD_ARRAYS))
@pytest.mark.parametrize("side", ["y_true", "y_pred"])
@pytest.mark.parametrize("name", REGRESSION + CLASSIFICATION)
def test_metrics_refuse_bad_arrays(name, side, kind):
    metric = getattr(metrics, name)
    good = np.linspace(-1, 1, 6) if name in REGRESSION else np.array([0, 1, 2, 0, 1, 2])
    bad = BAD_ARRAYS[kind](good)
    args = (bad, good) if side == "y_true" else (good, bad)
    if name not in REGRESSION and kind in ("nan", "inf", "strings"):
        # Labels may be strings, and a float NaN is one more label to a classifier metric:
        # accepted, but never a crash.
        accepted_or_clean("functions", lambda: metric(*args), "y_true", "y_pred", *NAMED[kind])
        return
    # The message names the argument (or both, when they disagree) or what was wrong.
    expect_clean_error("functions", lambda: metric(*args), "y_true", "y_pred", *NAMED[kind])


IMAGES = np.random.default_rng(0).integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
TABLES = {
    "an empty table": pd.DataFrame(),
    "a table of other columns": pd.DataFrame({"a": [1]}),
    "an array": np.zeros(3),
    "None": None,
}

CONFIGS = ("make_config", "make_nasri_config", "make_zhou_shi_config")


def _table_cases(module, names):
    """A results table that is not one, for each function ``names`` of ``module``."""
    words = ("column", "DataFrame")
    prefix = module.__name__.split(".")[-1]
    cases = {}
    for name in names:
        function = getattr(module, name)
        cases[f"{prefix}.{name}"] = [
            (case, lambda f=function, t=table: f(t), words) for case, table in TABLES.items()
        ]
    return cases


def _config_cases(make):
    seeds = [
        (f"seed={v!r}", lambda v=v: make("smoke", seed=v), ("seed",))
        for v in (-1, 2.5, True, "0", None)
    ]
    return [
        ("unknown profile", lambda: make("fast"), ("profile", "fast")),
        ("unknown dataset", lambda: make("smoke", dataset="faces"), ("dataset",)),
        *seeds,
    ]


#: ``{qualified name (without sklearn_fer.): [(case, call, names the message may use)]}``.
ATTACKED = {
    "datasets.perturb_faces": [
        (
            "NaN images",
            lambda: datasets.perturb_faces(np.full((2, 64, 64, 3), np.nan), "noise", 0.2),
            ("nan", "finite", "uint8", "range"),
        ),
        (
            "3-D images",
            lambda: datasets.perturb_faces(IMAGES[0], "noise", 0.2),
            ("shape", "dim", "4"),
        ),
        (
            "one channel",
            lambda: datasets.perturb_faces(IMAGES[..., :1], "noise", 0.2),
            ("channel", "3", "shape"),
        ),
        (
            "no images",
            lambda: datasets.perturb_faces(IMAGES[:0], "noise", 0.2),
            ("empty", "0", "no image"),
        ),
        (
            "unknown kind",
            lambda: datasets.perturb_faces(IMAGES, "blur-ish", 0.2),
            ("kind", "blur-ish"),
        ),
        ("NaN strength", lambda: datasets.perturb_faces(IMAGES, "noise", np.nan), ("strength",)),
        ("negative strength", lambda: datasets.perturb_faces(IMAGES, "noise", -1), ("strength",)),
        ("string strength", lambda: datasets.perturb_faces(IMAGES, "noise", "x"), ("strength",)),
        ("bool strength", lambda: datasets.perturb_faces(IMAGES, "noise", True), ("strength",)),
        (
            "string seed",
            lambda: datasets.perturb_faces(IMAGES, "noise", 0.2, random_state="x"),
            ("seed", "random_state"),
        ),
    ],
    "datasets.make_faces": [
        (
            f"{param}={value!r}",
            lambda p=param, v=value: datasets.make_faces(
                **{"n_subjects": 1, "n_samples_per_subject": 1, p: v}
            ),
            (param,),
        )
        for param in ("n_subjects", "n_samples_per_subject", "image_size")
        for value in (0, -1, 2.5, True, "x", np.nan, None)
    ],
    "datasets.load_sample_faces": [
        (
            f"image_size={value!r}",
            lambda v=value: datasets.load_sample_faces(image_size=v),
            ("image_size",),
        )
        for value in (0, -1, 2.5, True, "x", np.nan, None)
    ],
    "evaluation.elbow_fraction": [
        (
            "lengths differ",
            lambda: evaluation.elbow_fraction([0.1, 0.2, 0.3], [1.0, 2.0]),
            ("length",),
        ),
        (
            "NaN fraction",
            lambda: evaluation.elbow_fraction([0.1, np.nan, 0.3], [3.0, 2.0, 1.0]),
            ("fractions",),
        ),
        (
            "strings",
            lambda: evaluation.elbow_fraction(["a", "b", "c"], [3.0, 2.0, 1.0]),
            ("fractions",),
        ),
        (
            "2-D values",
            lambda: evaluation.elbow_fraction([0.1, 0.2], [[1.0, 2.0], [3.0, 4.0]]),
            ("values",),
        ),
    ],
    "evaluation.corrected_fold_test": [
        (
            "NaN difference",
            lambda: evaluation.corrected_fold_test([0.1, np.nan, 0.2], 3),
            ("differences",),
        ),
        (
            "2-D differences",
            lambda: evaluation.corrected_fold_test([[0.1, 0.2]], 3),
            ("differences",),
        ),
        ("strings", lambda: evaluation.corrected_fold_test(["a", "b"], 3), ("differences",)),
        *[
            (
                f"n_folds={value!r}",
                lambda v=value: evaluation.corrected_fold_test([0.1, 0.2, -0.1], v),
                ("n_folds",),
            )
            for value in (1, 0, -3, 2.5, True, "5", np.nan, None)
        ],
    ],
    "evaluation.default_samplers": [
        (
            f"{param}={value!r}",
            lambda p=param, v=value: evaluation.default_samplers(**{p: v}),
            (param, "seed"),
        )
        for param, values in (
            ("n_iter", (0, -1, 2.5, True, "x", np.nan)),
            ("p", (-0.1, 1.0, True, "x", np.nan)),
            ("random_state", ("x", -1, 2.5)),
        )
        for value in values
    ],
    **_table_cases(evaluation, ("summarize", "compare_samplers", "elbow_fractions")),
    "evaluation.compare_conditions": [
        (
            case,
            lambda t=table: evaluation.compare_conditions(t, "transfer_100", "transfer_0"),
            ("column", "DataFrame"),
        )
        for case, table in TABLES.items()
    ],
    "detection.nms": [
        ("NaN box", lambda: detection.nms([[0, 0, np.nan, 9]], [0.9], 0.5), ("finite", "nan")),
        ("3 corners", lambda: detection.nms(np.zeros((2, 3)), [0.9, 0.8], 0.5), ("shape",)),
        ("scores too few", lambda: detection.nms(np.zeros((2, 4)), [0.9], 0.5), ("shape",)),
        ("strings", lambda: detection.nms([["a"] * 4], [0.9], 0.5), ("dtype", "number")),
        ("threshold 2", lambda: detection.nms(np.zeros((1, 4)), [0.9], 2), ("threshold",)),
        ("bool threshold", lambda: detection.nms(np.zeros((1, 4)), [0.9], True), ("threshold",)),
        ("mode", lambda: detection.nms(np.zeros((1, 4)), [0.9], 0.5, mode="max"), ("mode",)),
    ],
    "nets.load_fer2013_valence_arousal": [
        (
            "3 expressions",
            lambda: nets.load_fer2013_valence_arousal(coordinates=np.zeros((3, 2))),
            ("coordinates", "7"),
        ),
        (
            "NaN place",
            lambda: nets.load_fer2013_valence_arousal(coordinates=np.full((7, 2), np.nan)),
            ("coordinates", "finite"),
        ),
        (
            "unknown expression",
            lambda: nets.load_fer2013_valence_arousal(coordinates={"joy": (1, 1)}),
            ("coordinates", "happy"),
        ),
    ],
    **_table_cases(plotting, ("plot_sampling", "plot_transfer")),
    **{f"study.{name}": _config_cases(getattr(study, name)) for name in CONFIGS},
}


@pytest.mark.parametrize(
    ("call", "names"),
    [
        pytest.param(call, names, id=f"{name}: {case}")
        for name, cases in ATTACKED.items()
        for case, call, names in cases
    ],
)
def test_functions_refuse_bad_arguments(call, names):
    import matplotlib

    matplotlib.use("Agg")
    expect_clean_error("functions", call, *names)
