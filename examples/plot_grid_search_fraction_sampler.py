"""
How many labels, picked how? A grid search over fraction and sampler
====================================================================

:class:`~sklearn_fer.active.SampledRegressor` fits the fine-tuned head on the share of the
training rows a sampler picks, so the labelled fraction and the sampling strategy become
ordinary hyper-parameters: one ``GridSearchCV`` compares random sampling, GSx, GSy, iGS
and MCDUE at several fractions, as in the paper's Fig. 6, for one person.

The conv features are computed by :class:`~sklearn_fer.FrozenConvFeaturizer` inside a
``Pipeline(memory=...)``: each cross-validation split computes them once and every
candidate of the grid reuses them. Folds are grouped by video segment so that
near-identical frames of one segment never sit on both sides of a split.

**The data are synthetic** (:func:`~sklearn_fer.datasets.make_faces`); the training
settings are a CPU demo's, not the paper's.
"""

# %%
import tempfile
import time

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.active import GreedySampler, MCDropoutSampler, RandomSampler, SampledRegressor
from sklearn_fer.datasets import make_faces

start = time.perf_counter()
wild = make_faces(400, 4, domain="wild", random_state=0)
person = make_faces(1, 60, domain="lab", random_state=1)
general = AlexNetRegressor(
    module__hidden_units=512, optimizer=FusedAdam, lr=1e-4, max_epochs=6, random_state=0
).fit(wild.images, wild.valence)

# %%
# The personal model: frozen conv features, then the head fine-tuned on sampled rows.
head = DenseHeadRegressor(
    general, optimizer=FusedAdam, lr=3e-4, max_epochs=10, batch_size=32, random_state=0
)
personal = Pipeline(
    [
        ("features", FrozenConvFeaturizer(general)),
        ("head", SampledRegressor(head, RandomSampler(random_state=0))),
    ],
    memory=(cache := tempfile.TemporaryDirectory()).name,  # features once per fold
)
grid = {
    "head__fraction": [0.0, 0.1, 0.3, 0.6, 1.0],
    "head__sampler": [
        RandomSampler(random_state=0),
        GreedySampler("x"),
        GreedySampler("y"),
        GreedySampler("xy"),
        MCDropoutSampler(n_iter=20, random_state=0),
    ],
}
search = GridSearchCV(personal, grid, cv=GroupKFold(3), scoring="neg_root_mean_squared_error")
search.fit(person.images, person.valence, groups=person.segment)
print(
    f"best: {search.best_params_} (RMSE {-search.best_score_:.3f}); "
    f"{time.perf_counter() - start:.0f} s"
)

# %%
# RMSE against the labelled fraction, one line per sampler (``fraction=0`` is the
# pre-trained net, Transfer 0%).
table = pd.DataFrame(search.cv_results_)
table["sampler"] = table["param_head__sampler"].map(repr)
table["rmse"] = -table["mean_test_score"]
fig, ax = plt.subplots(figsize=(6.5, 4))
for sampler, rows in table.groupby("sampler"):
    rows = rows.sort_values("param_head__fraction")
    ax.plot(rows["param_head__fraction"] * 100, rows["rmse"], marker="o", label=sampler)
ax.set_xlabel("labelled share of the training folds (%)")
ax.set_ylabel("valence RMSE (mean over folds)")
ax.set_title("One synthetic subject, GroupKFold by segment")
ax.legend(frameon=False, fontsize=7)
fig.tight_layout()

# %%
# With one subject and three folds the differences between samplers are mostly noise;
# :func:`sklearn_fer.evaluation.sampling_curve` and
# :func:`sklearn_fer.evaluation.compare_samplers` do the same over many subjects, with a
# paired test.
best = table.loc[table["rmse"].idxmin(), ["sampler", "param_head__fraction", "rmse"]]
print(best.to_dict())
cache.cleanup()
