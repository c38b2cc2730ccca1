"""
Action-unit-selective feature maps and robustness
=================================================

After Zhou & Shi (2017), on **synthetic** faces whose facial action units (AUs) are known
exactly: how selective is each feature map of a CNN to each AU, layer by layer, and does
a head that keeps the most AU-selective maps survive shifted faces better than one that
keeps random maps? The faces come from :func:`sklearn_fer.datasets.make_faces`; the
numbers say how the method behaves on that generator, not on real faces. Settings are
small so that this runs in about a minute on two CPU cores.
"""

# %%
# A general net, pre-trained "in the wild"
# ----------------------------------------
import matplotlib.pyplot as plt

from sklearn_fer import AlexNetRegressor, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import compare_selections, evaluate_robustness
from sklearn_fer.feature_maps import (
    map_selectivity,
    plot_au_selectivity,
    plot_layer_selectivity,
    plot_robustness,
    selectivity_summary,
)

wild = make_faces(100, 4, domain="wild", random_state=0)
lab = make_faces(6, 30, domain="lab", random_state=1)
net = AlexNetRegressor(
    module__hidden_units=64, optimizer=FusedAdam, lr=1e-4, max_epochs=2, random_state=0
).fit(wild.images, wild.valence)

# %%
# Selectivity of every map of every conv layer
# --------------------------------------------
# ``selectivity = 2 AUC - 1`` of each map's mean response between the lab faces that show
# an AU (intensity above 0.2) and those that do not, with a permutation test corrected
# over each layer's maps. AUs the lab faces never show are left out (with a warning).
table = map_selectivity(
    net, lab.images, lab.aus, au_names=list(lab.au_names), n_permutations=500, random_state=0
)
summary = selectivity_summary(table)
print(summary[["layer", "n_responsive", "n_selective", "fraction_selective_responsive"]])

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_layer_selectivity(table, ax=right)
plot_au_selectivity(table, layer="conv5", max_maps=20, ax=left)
fig.suptitle("AU selectivity (synthetic faces)")

# %%
# Robustness: trained on clean faces, tested on shifted ones
# ----------------------------------------------------------
# Per subject and fold, a ridge head on conv5's maps: all of them, the 8 most
# AU-selective (ranked on the training fold), 8 random or the 8 least selective.
results = evaluate_robustness(
    net,
    lab.images,
    lab.valence,
    subjects=lab.subject,
    aus=lab.aus,
    ks=(8,),
    perturbations=("occlusion", "noise", "lighting"),
    strengths=(0.5, 1.0),
    target_names=["valence"],
)
plot_robustness(results)
plt.gcf().suptitle("Trained on clean synthetic faces, tested on shifted ones")

# %%
# Paired across subjects: the 8 most AU-selective maps against 8 random ones (negative:
# lower RMSE with the selective maps). With 6 subjects no p-value can fall below 1/32.
table = compare_selections(results, baseline="random")
print(
    table.query("selection == 'top' and strength == 1.0")[
        ["perturbation", "mean_difference", "ci_low", "ci_high", "p_holm"]
    ].round(3)
)
plt.show()
