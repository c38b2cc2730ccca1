"""Metrics and scorers: valence/arousal regression (RMSE, CCC, PCC, SAGR) and categorical
expressions (accuracy, balanced accuracy, macro-F1, Cohen's kappa)."""

from ._classification import (
    CLASSIFICATION_SCORERS,
    accuracy,
    accuracy_scorer,
    balanced_accuracy,
    balanced_accuracy_scorer,
    classification_scores,
    cohen_kappa,
    cohen_kappa_scorer,
    macro_f1,
    macro_f1_scorer,
)
from ._regression import (
    SCORERS,
    ccc,
    ccc_scorer,
    pcc,
    pcc_scorer,
    rmse,
    rmse_scorer,
    sagr,
    sagr_scorer,
)

__all__ = [
    "CLASSIFICATION_SCORERS",
    "SCORERS",
    "accuracy",
    "accuracy_scorer",
    "balanced_accuracy",
    "balanced_accuracy_scorer",
    "ccc",
    "ccc_scorer",
    "classification_scores",
    "cohen_kappa",
    "cohen_kappa_scorer",
    "macro_f1",
    "macro_f1_scorer",
    "pcc",
    "pcc_scorer",
    "rmse",
    "rmse_scorer",
    "sagr",
    "sagr_scorer",
]
