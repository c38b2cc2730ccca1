"""What each related work's study takes from its paper, and what it does not: one table
per paper, in its report and in the user guide (issue 27).

Rescigno et al. (2020) is the package's main paper (its departures are the report's
settings table, ``_rescigno_config.py``); the three related works are directions the package grew
into, and their studies borrow a question from each rather than reproduce it.
"""

from __future__ import annotations

import pandas as pd

#: Column names of every table.
COLUMNS = ["aspect", "the paper", "this package", "taken from the paper"]

RELATED_WORKS = {
    "nasri": {
        "title": "Nasri et al. (2020), *Face emotion recognition from static image based on "
        "convolution neural networks* (ATSIP)",
        "rows": [
            (
                "task",
                "7 categorical expressions",
                "7 (or 8) of AffectNet's expression codes",
                "yes",
            ),
            (
                "backbone",
                "Xception",
                "Xception (paper profile); mini-Xception, AlexNet or "
                "the real FER2013 mini-Xception otherwise",
                "yes (paper profile)",
            ),
            (
                "pre-training",
                "ImageNet weights",
                "a synthetic valence/arousal task (no "
                "weights can be downloaded here; torchvision cannot import)",
                "no",
            ),
            (
                "data",
                "AffectNet; a small in-house (Empathic) set; both combined",
                "synthetic wild faces; a synthetic in-house set; both combined",
                "the design, not the data",
            ),
            (
                "evaluation",
                "K-fold cross-validation, K not stated",
                "stratified K-fold (K = 5 in the paper profile, a choice)",
                "K-fold: yes; K: no",
            ),
            (
                "folds of the in-house set",
                "not stated",
                "grouped by person (StratifiedGroupKFold): frame-level folds would put "
                "near-copies of a person on both sides",
                "no (the package's choice)",
            ),
            (
                "starts compared",
                "fine-tuning",
                "from scratch, head-only and whole-network fine-tuning",
                "fine-tuning; the other starts are added for contrast",
            ),
            (
                "results",
                "62% and 69% accuracy on the two sets, 91.2% when both are combined",
                "accuracies on synthetic faces",
                "no: not comparable",
            ),
        ],
    },
    "zhou-shi": {
        "title": "Zhou & Shi (2017), *Action unit selective feature maps in deep networks for "
        "facial expression recognition* (IJCNN)",
        "rows": [
            (
                "task",
                "expression classification on KDEF, RaFD and CK+",
                "valence and arousal regression (Rescigno's twin nets) on synthetic faces whose "
                "action units are drawn, so known exactly",
                "no",
            ),
            (
                "network",
                "an ImageNet CNN transferred to expressions",
                "AlexNet pre-trained on synthetic wild faces",
                "transfer: yes; weights: no",
            ),
            (
                "finding",
                "some higher conv feature maps are selective to action units",
                "the same question asked of each conv layer's maps",
                "yes (the question)",
            ),
            (
                "selectivity statistic",
                "the paper's own analysis",
                "2 AUC - 1 of each map's mean response, a permutation test with max-T and "
                "Bonferroni corrections: the package's own design, not the paper's",
                "no",
            ),
            (
                "feature-map selection",
                "selecting maps is critical for robustness",
                "FeatureMapSelector: the k most, k random or k least AU-selective maps, tested "
                "on faces shifted by perturb_faces",
                "the claim, tested here",
            ),
            ("evaluation", "per data set", "per subject, paired tests across subjects", "no"),
        ],
    },
    "pathnet": {
        "title": "*Meta-transfer learning for emotion recognition* (Neural Computing and "
        "Applications 35:10535, 2023)",
        "rows": [
            (
                "domains",
                "visual and audio emotion: SAVEE, EMODB, eNTERFACE",
                "faces only (wild set to one person's frames)",
                "no",
            ),
            ("transfer", "multi-source meta-transfer", "one source: the general model", "no"),
            (
                "method",
                "PathNet-based",
                "PathNet after Fernando et al. (2017): a general "
                "path evolved on the wild set and frozen, a personal path evolved per person",
                "PathNet: yes; the meta-transfer scheme: no",
            ),
            (
                "concern",
                "fine-tuning can overwrite what pre-training learnt",
                "forgetting measured: the general task's RMSE on held-out wild faces before "
                "and after personalisation",
                "yes (the question)",
            ),
            ("measure", "classification accuracy", "RMSE, CCC of valence and arousal", "no"),
        ],
    },
}


def related_work_section(report, name):
    """Write the table of what study ``name``'s paper gives and what the package takes.

    Parameters
    ----------
    report : Report
    name : {"nasri", "zhou-shi", "pathnet"}

    Examples
    --------
    >>> from sklearn_fer.study._report import Report
    >>> report = Report()
    >>> related_work_section(report, "pathnet")
    >>> "Fernando et al. (2017)" in report.text()
    True
    """
    work = RELATED_WORKS[name]
    report.heading(f"What is taken from {work['title']}, and what is not", level=3)
    report.table(pd.DataFrame(work["rows"], columns=COLUMNS))
