"""The paper's subject-level evaluation as reusable functions (Rescigno et al. 2020, Sec. 4).

Each subject is evaluated on their own frames by K-fold cross-validation (default: 5
shuffled folds, as in the paper) and results are averaged over subjects:

* :func:`evaluate_transfer`: the three conditions of Fig. 5. ``no_transfer``: the whole
  CNN trained from scratch on the training fold; ``transfer_0``: the pre-trained net,
  no personal data; ``transfer_100``: its dense head fine-tuned on the whole training fold
  over frozen conv features;
* :func:`sampling_curve`: Fig. 6, the head fine-tuned on a fraction of each training fold
  chosen by a sampler (random, GSx, GSy, iGS, MCDUE).

Both return tidy :class:`pandas.DataFrame` objects with one row per subject x fold x target
x condition or sampler x fraction and the columns ``RESULT_COLUMNS``;
:func:`summarize`, :func:`compare_samplers` and :func:`elbow_fractions` turn them into
the paper's tables and statistics.

Nasri et al. (2020) evaluate expressions differently: not per subject, but by K-fold
cross-validation of a classifier trained on a large wild set, a small in-house set or
both. :func:`evaluate_training_sets` runs that protocol (each training set from scratch
and fine-tuned from a pre-trained backbone, tested on the held-out fold of each set;
one row per fold x training set x condition x test set, columns ``KFOLD_COLUMNS``), and
:func:`pooled_confusion` sums its confusion matrices over folds and
:func:`summarize_folds` gives each score's mean and confidence interval across folds.

Work is spread over units (subjects and folds; folds, training sets and conditions) with
joblib (``n_jobs``; ``joblib.parallel_backend("dask")`` sends it to a dask cluster
unchanged), and with ``cache_dir`` every finished unit is saved as it completes, so an
interrupted evaluation resumes where it stopped.

Frames of one video segment share their label and look alike. With frame-level folds such
near-copies land on both sides of a split and the test error is optimistic ("leakage");
pass ``groups`` (segment ids) to keep each segment within one fold. The paper used
frame-level folds, the default here.

Layout, for the protocols still to come: ``_inputs`` checks the inputs and lays out
each subject's folds; ``_subject_protocol`` is the extension point (a :class:`SubjectProtocol`
declares a worker, its seeds and what its results depend on; :func:`run_protocol` runs
it); ``_runner`` runs units in parallel through the resumable ``_store``; ``_transfer``
and ``_sampling`` are the paper's two protocols; ``_pathnet`` holds their PathNet twins
(:func:`evaluate_pathnet_transfer`, with forgetting on held-out wild data, and
:func:`pathnet_sampling_curve`); ``_statistics`` holds the summaries and tests
(:func:`compare_conditions` pairs two conditions by subject); ``_kfold_plan`` and
``_kfold`` are Nasri et al.'s k-fold protocol, whose units (not per subject) go to the
same runner and store.
"""

from ._kfold import KFOLD_COLUMNS, KFOLD_CONDITIONS, evaluate_training_sets, pooled_confusion
from ._kfold_plan import TEST_SETS, TRAINING_SETS
from ._kfold_summary import KFOLD_METRICS, summarize_folds
from ._pathnet import (
    FORGETTING_CONDITIONS,
    evaluate_pathnet_transfer,
    pathnet_sampling_curve,
)
from ._results import RESULT_COLUMNS, result_rows
from ._robustness import ROBUSTNESS_COLUMNS, SELECTIONS, compare_selections, evaluate_robustness
from ._sampling import DEFAULT_FRACTIONS, default_samplers, sampling_curve
from ._statistics import (
    compare_conditions,
    compare_samplers,
    corrected_fold_test,
    elbow_fraction,
    elbow_fractions,
    summarize,
)
from ._subject_protocol import SubjectProtocol, run_protocol
from ._transfer import CONDITIONS, evaluate_transfer

__all__ = [
    "CONDITIONS",
    "DEFAULT_FRACTIONS",
    "FORGETTING_CONDITIONS",
    "KFOLD_COLUMNS",
    "KFOLD_CONDITIONS",
    "KFOLD_METRICS",
    "RESULT_COLUMNS",
    "ROBUSTNESS_COLUMNS",
    "SELECTIONS",
    "SubjectProtocol",
    "TEST_SETS",
    "TRAINING_SETS",
    "compare_conditions",
    "compare_samplers",
    "compare_selections",
    "corrected_fold_test",
    "default_samplers",
    "elbow_fraction",
    "elbow_fractions",
    "evaluate_pathnet_transfer",
    "evaluate_robustness",
    "evaluate_training_sets",
    "evaluate_transfer",
    "pathnet_sampling_curve",
    "pooled_confusion",
    "result_rows",
    "run_protocol",
    "sampling_curve",
    "summarize",
    "summarize_folds",
]
