"""
Expressions by K-fold: a wild set, a small in-house set, both
=============================================================

Nasri et al. (2020) fine-tune an Xception to seven expressions and evaluate it by K-fold
cross-validation when trained on a large set "in the wild" (AffectNet: 69% accuracy),
on a small in-house set of a few people (62%), and on both (91.2% on the in-house set).
:func:`~sklearn_fer.evaluation.evaluate_training_sets` runs that protocol on any two
image sets; here both are **synthetic** (:func:`~sklearn_fer.datasets.make_faces`), and
tiny, so that the example runs in well under a minute on a CPU: the numbers show how the
code is used, not how the method performs. ``sklearn-fer reproduce --study nasri``
runs the whole study with a report.

The in-house set has a few people and many frames each. Frames of one person look
alike, so its folds keep each person within one fold (``lab_groups``, which makes the
splitter ``StratifiedGroupKFold``); otherwise accuracy would be inflated.
"""

# %%
# Two synthetic sets and a pre-trained backbone
# ---------------------------------------------
# The wild set has one image per person; the in-house set six people with 16 frames
# each. The mini-Xception (Arriaga et al. 2017, 60k weights) stands in for Xception, and
# a mini-Xception trained to regress valence and arousal on other synthetic faces stands
# in for the ImageNet pre-training.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_fer import AlexNetRegressor, BackboneClassifier, DenseHeadClassifier, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import evaluate_training_sets, pooled_confusion, summarize_folds
from sklearn_fer.plotting import plot_confusion_matrix

wild = make_faces(160, 1, domain="wild", n_expressions=7, random_state=0)
lab = make_faces(6, 16, domain="lab", n_expressions=7, random_state=1)
other = make_faces(160, 1, domain="wild", n_expressions=7, random_state=2)
pretrained = AlexNetRegressor(
    "mini_xception",
    module__n_outputs=2,
    optimizer=FusedAdam,
    lr=1e-3,
    max_epochs=2,
    batch_size=32,
    random_state=0,
).fit(other.images, other.target)

# %%
# Three training sets, from scratch and fine-tuned, 3 folds
# ---------------------------------------------------------
common = dict(optimizer=FusedAdam, lr=1e-3, batch_size=32)
results = evaluate_training_sets(
    wild.images,
    wild.expression,
    lab.images,
    lab.expression,
    pretrained=pretrained,
    lab_groups=lab.subject,
    conditions=["from_scratch", "fine_tuned_head"],
    classes=range(7),
    scratch=BackboneClassifier("mini_xception", max_epochs=2, random_state=0, **common),
    head=DenseHeadClassifier(None, max_epochs=10, **common),
    cv=3,
    random_state=0,
)
print(results[["fold", "training_set", "condition", "test_set", "splitter", "accuracy"]].head(8))

# %%
# Mean accuracy across folds, with its 95% interval (synthetic data)
# -------------------------------------------------------------------
summary = summarize_folds(results, metrics=["accuracy", "macro_f1"])
print(summary.drop(columns=["accuracy_std", "macro_f1_std"]).round(3).to_string(index=False))

# %%
# Nasri's headline cell: trained on both, tested on the in-house set
# ------------------------------------------------------------------
# The confusion matrices of the three folds, summed, with each row normalised.
both_on_lab = results.query(
    "training_set == 'both' and test_set == 'lab' and condition == 'fine_tuned_head'"
)
counts, labels = pooled_confusion(both_on_lab)
rows, columns = np.nonzero(counts)
y_true = np.repeat(labels[rows], counts[rows, columns])
y_pred = np.repeat(labels[columns], counts[rows, columns])
ax = plot_confusion_matrix(
    y_true, y_pred, labels=labels, title="both -> in-house, fine-tuned head (synthetic)"
)
plt.show()
