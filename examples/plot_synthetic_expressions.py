"""
Synthetic expressions and their action units
============================================

:func:`sklearn_fer.datasets.make_faces` draws **synthetic** cartoon faces through FACS
action units (AUs): valence, arousal and a categorical expression (AffectNet's coding)
set AU intensities, each person scales them with their own gains, and only the AUs move
the face. This example shows the faces of each expression, the AUs each expression
shows on average, and how much of the expression valence and arousal alone give away.
The mapping is a modelling assumption of the generator (its docstring gives the tables
and their sources: FACS, the EMFACS prototypes, Russell's circumplex); nothing here is a
measurement of people.
"""

# %%
# Faces of each expression
# ------------------------
# One row per expression, one person per column, all in the lab domain (fixed setting per
# person). The expression of a frame is drawn near its place on the circumplex, so a row
# mixes a little in valence and arousal; the AU cues of the expression are its own.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_fer.datasets import make_faces
from sklearn_fer.metrics import classification_scores
from sklearn_fer.plotting import plot_confusion_matrix

lab = make_faces(n_subjects=12, n_samples_per_subject=40, image_size=96, random_state=0)
n_people = 6
figure, axes = plt.subplots(8, n_people, figsize=(1.3 * n_people, 11))
for code, row in enumerate(axes):
    people = np.unique(lab.subject[lab.expression == code])[:n_people]
    for ax, person in zip(row, people):
        first = np.flatnonzero((lab.expression == code) & (lab.subject == person))[0]
        ax.imshow(lab.images[first])
    for ax in row:
        ax.set_xticks([]), ax.set_yticks([])
    row[0].set_ylabel(lab.expression_names[code], rotation=0, ha="right", va="center")
figure.suptitle("make_faces: synthetic faces by expression")
figure.tight_layout()

# %%
# The action units of each expression
# -----------------------------------
# Mean AU intensity per expression over many people in the wild domain: each
# expression's EMFACS prototype (happiness 6+12, surprise 1+2+5+26, fear 20, anger
# 4+7+23, disgust 9+10, contempt a one-sided 14) on top of what valence and arousal do.
wild = make_faces(n_subjects=150, n_samples_per_subject=8, domain="wild", random_state=0)
means = np.array([wild.aus[wild.expression == code].mean(axis=0) for code in range(8)])
figure, ax = plt.subplots(figsize=(9, 3.6))
image = ax.imshow(means, cmap="viridis", vmin=0, vmax=1, aspect="auto")
ax.set_xticks(range(len(wild.au_names)), wild.au_names, rotation=90)
ax.set_yticks(range(8), wild.expression_names)
figure.colorbar(image, label="mean AU intensity")
ax.set_title("Mean ground-truth AU intensity per expression (wild domain)")
figure.tight_layout()

# %%
# Valence and arousal alone do not determine the expression
# ---------------------------------------------------------
# A linear classifier on the ground-truth AUs against a flexible one (25 nearest
# neighbours) on (valence, arousal): were the expression a function of valence and
# arousal, the second would be near perfect.
on_aus = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
on_labels = KNeighborsClassifier(n_neighbors=25)
predicted = {
    "AUs": cross_val_predict(on_aus, wild.aus, wild.expression, cv=3),
    "valence, arousal": cross_val_predict(on_labels, wild.target, wild.expression, cv=3),
}
print(f"{len(wild.images)} wild images, most frequent class", end=" ")
print(f"{np.bincount(wild.expression).max() / len(wild.expression):.3f} of them")
for name, prediction in predicted.items():
    scores = classification_scores(wild.expression, prediction)
    print(f"from {name:16s}", ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))

figure, axes = plt.subplots(1, 2, figsize=(13, 5.6))
for ax, (name, prediction) in zip(axes, predicted.items()):
    plot_confusion_matrix(wild.expression, prediction, labels=range(8), ax=ax, colorbar=False)
    ax.set_title(f"from {name} (synthetic faces)")
figure.tight_layout()
plt.show()
