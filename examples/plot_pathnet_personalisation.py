"""
Personalise without forgetting: PathNet transfer
================================================

Fine-tuning a general model on one person's frames changes the general model: what it
knew about everyone else can be overwritten. PathNet (Fernando et al. 2017), used for
emotion recognition by the 2023 meta-transfer paper, evolves a *path* through a modular
network for each task and freezes it before the next task; a person's path may run
through the frozen modules of the general path but cannot change them. So the general
task's predictions stay exactly what they were.

This example, on **synthetic** faces (:func:`sklearn_fer.datasets.make_faces`):

1. evolves a general path on the conv features of many people's faces "in the wild";
2. evolves a personal path on one person's lab frames, with the general path frozen;
3. draws both paths on the module grid, frozen modules marked;
4. measures forgetting: the general (wild) error after personalising, for PathNet and for
   fine-tuning a dense head.

To run in well under two minutes without pre-training a CNN, the conv layers are an
*untrained* AlexNet's (random filters) at 128 px, where their 3x3 maps still keep where
things are in the face; ``sklearn-fer reproduce`` pre-trains a real general model. The
errors below say how the methods behave on this generator with these features, not on
real faces; the point here is the mechanism, which does not depend on either.
"""

# %%
# Conv features of many people in the wild, and of one person in the lab
# -----------------------------------------------------------------------
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.pathnet import PathNetRegressor, plot_fitness_history, plot_paths

start = time.perf_counter()
size = dict(image_size=128)
wild = make_faces(100, 4, domain="wild", random_state=0, **size)
wild_test = make_faces(30, 4, domain="wild", random_state=2, **size)
person = make_faces(1, 60, domain="lab", random_state=1, **size)

alexnet = AlexNetRegressor(module__hidden_units=128, random_state=0).initialize()
featurizer = FrozenConvFeaturizer(alexnet).fit()
X_wild, X_wild_test, X_person = (featurizer.transform(f.images) for f in (wild, wild_test, person))
print(f"conv features: {X_wild.shape[1]} per image; {len(X_wild)} wild, {len(X_person)} lab")

# Frames of one 20 s segment share their label: split by segment.
train, test = next(
    GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(
        X_person, groups=person.segment
    )
)


def rmse(prediction, target):
    return float(np.sqrt(np.mean((prediction - target) ** 2)))


# %%
# The general models
# ------------------
# A general PathNet: a path evolved through 3 layers of 10 dense modules (Fernando et
# al.'s sizes) by binary tournaments, then trained further. For comparison, the general
# dense head of the fine-tuning method (Rescigno et al. 2020), trained on the same
# features.
general_pathnet = PathNetRegressor(batch_size=32, max_epochs=10, random_state=0)
general_pathnet.fit(X_wild, wild.valence)
general_head = DenseHeadRegressor(
    alexnet, optimizer=FusedAdam, lr=3e-4, batch_size=32, max_epochs=5, random_state=0
).fit(X_wild, wild.valence)

before = {
    "PathNet": rmse(general_pathnet.predict(X_wild_test), wild_test.valence),
    "dense head": rmse(general_head.predict(X_wild_test), wild_test.valence),
}

# %%
# Personalising
# -------------
# ``source=general_pathnet`` makes ``fit`` a transfer: a copy of the general network, its
# path frozen, every other module re-initialised, a new output layer, and a new path
# evolved on the person's frames. ``general_pathnet`` itself is not modified, so
# ``clone`` and cross-validation can personalise it once per person.
personal_pathnet = PathNetRegressor(source=general_pathnet, random_state=0)
personal_pathnet.fit(X_person[train], person.valence[train])

# Fine-tuning continues training the general head on the person's frames. Here it is
# done in place, on the general model itself (DenseHeadRegressor(pretrained) would have
# copied it first; that copy is what keeps the general model, at the cost of a second
# model in memory).
personal_head = general_head
personal_head.partial_fit(X_person[train], person.valence[train])

after = {
    # The general task, through the personal network: its frozen path and head.
    "PathNet": rmse(personal_pathnet.predict(X_wild_test, task=0), wild_test.valence),
    "dense head": rmse(personal_head.predict(X_wild_test), wild_test.valence),
}
same = np.array_equal(
    personal_pathnet.predict(X_wild_test, task=0), general_pathnet.predict(X_wild_test)
)
print(f"\nPathNet's general predictions after personalising: bit-identical = {same}")

print("\nRMSE on the person's held-out segments (SYNTHETIC DATA):")
y_test = person.valence[test]
rows = {
    "general PathNet path": general_pathnet.predict(X_person[test]),
    "personal PathNet path": personal_pathnet.predict(X_person[test]),
    "fine-tuned dense head": personal_head.predict(X_person[test]),
    "constant (train mean)": np.full(len(test), person.valence[train].mean()),
}
for name, prediction in rows.items():
    print(f"  {name:24s} {rmse(prediction, y_test):.3f}")

print("\nForgetting: RMSE on held-out wild faces, before -> after personalising")
for method in before:
    print(f"  {method:12s} {before[method]:.3f} -> {after[method]:.3f}")
print(f"\n({time.perf_counter() - start:.0f} s)")

# %%
# The evolved paths
# -----------------
# Modules of the general path (hatched: frozen while the personal path evolved) and of
# the personal path; a module both use is one the person reuses unchanged.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), gridspec_kw=dict(width_ratios=[1, 1.5]))
plot_paths(personal_pathnet, task_names=["general (wild)", "personal (lab)"], ax=axes[0])
axes[0].set_title("Paths through 3 x 10 modules")
plot_fitness_history(personal_pathnet, ax=axes[1])
axes[1].set_title("Evolution of the personal path")
fig.tight_layout()

# %%
# Forgetting, side by side
# ------------------------
fig, ax = plt.subplots(figsize=(5, 3.2))
x = np.arange(2)
for offset, values, label in (
    (-0.18, before, "general model, before"),
    (0.18, after, "after personalising"),
):
    bars = ax.bar(x + offset, [values[m] for m in before], 0.36, label=label)
    ax.bar_label(bars, fmt="%.3f", fontsize=8)
ax.set_xticks(x, list(before))
ax.set_ylabel("RMSE, held-out wild faces")
ax.set_title("Synthetic data")
ax.legend(frameon=False, loc="lower right")
fig.tight_layout()

# %%
# PathNet's general error is the same number before and after: its predictions are
# bit-identical, because the general path and its output layer were frozen and the
# personal task only added modules around them. Fine-tuning moved the general head
# towards one person, and its error on everyone else moved with it (in either
# direction: it is a change, not necessarily a loss, on data this small). Which method
# gives the better *personal* model is a separate question, for the cross-validated
# study over many subjects; on one subject and a dozen test frames the numbers above are
# noise-dominated.
