"""
Active learning with modAL: query, label, fine-tune, repeat
===========================================================

The samplers are modAL query strategies: ``ActiveLearner(estimator=DenseHeadRegressor(...),
query_strategy=GreedySampler("y"))`` asks which frames a person should label next, is
taught their labels, fine-tunes, and asks again. With no labels yet, GSy, iGS and MCDUE
rank the pool with the pre-trained net (the dense head right after ``initialize()``);
afterwards with the model fitted so far, and the greedy samplers count the frames already
labelled as selected.

This runs the loop for one synthetic person with each strategy and plots the test RMSE
against the number of labelled frames. :class:`~sklearn_fer.active.MCDropoutRegressor`
also makes modAL's own ``max_std_sampling`` work with a dropout net.

**The data are synthetic** (:func:`~sklearn_fer.datasets.make_faces`).
"""

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from modAL.disagreement import max_std_sampling
from modAL.models import ActiveLearner

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FrozenConvFeaturizer, FusedAdam
from sklearn_fer.active import (
    GreedySampler,
    MCDropoutRegressor,
    MCDropoutSampler,
    RandomSampler,
)
from sklearn_fer.datasets import make_faces
from sklearn_fer.metrics import rmse

# modAL 0.4.1 passes check_X_y an argument that scikit-learn 1.6 renamed; the
# FutureWarning it raises at every teach() is modAL's, not this example's.
warnings.filterwarnings("ignore", message=".*force_all_finite.*", category=FutureWarning)

start = time.perf_counter()
wild = make_faces(400, 4, domain="wild", random_state=0)
person = make_faces(1, 100, domain="lab", random_state=4)
general = AlexNetRegressor(
    module__hidden_units=512, optimizer=FusedAdam, lr=1e-4, max_epochs=6, random_state=0
).fit(wild.images, wild.arousal)
features = FrozenConvFeaturizer(general).fit_transform(person.images)

# Hold out the last 4 segments (20 frames); the rest is the pool to label from.
test = person.segment >= person.segment.max() - 3
X_pool, y_pool = features[~test], person.arousal[~test]
X_test, y_test = features[test], person.arousal[test]

# %%
# One loop per strategy: 6 rounds of 4 queries.


def head():
    # Few labels make few batches per epoch: more epochs than the study's profile uses.
    return DenseHeadRegressor(general, optimizer=FusedAdam, lr=3e-4, max_epochs=40, random_state=0)


strategies = {
    "random": (head(), RandomSampler(random_state=0)),
    "GSx": (head(), GreedySampler("x")),
    "GSy": (head(), GreedySampler("y")),
    "iGS": (head(), GreedySampler("xy")),
    "MCDUE": (head(), MCDropoutSampler(n_iter=20, random_state=0)),
    "max_std (modAL)": (MCDropoutRegressor(head(), n_iter=20, random_state=0), max_std_sampling),
}
curves = {}
for name, (estimator, strategy) in strategies.items():
    learner = ActiveLearner(estimator=estimator, query_strategy=strategy)
    remaining = np.arange(len(X_pool))
    pretrained = head().initialize()
    errors = [rmse(y_test, pretrained.predict(X_test))]  # 0 labels: Transfer 0%
    for _ in range(6):
        query, _ = learner.query(X_pool[remaining], n_instances=4)
        learner.teach(X_pool[remaining][query], y_pool[remaining][query])
        remaining = np.delete(remaining, query)
        prediction = learner.predict(X_test)
        errors.append(rmse(y_test, prediction))
    curves[name] = errors
    print(f"{name:16s} " + " ".join(f"{e:.3f}" for e in errors))
print(f"({time.perf_counter() - start:.0f} s)")

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, errors in curves.items():
    ax.plot(np.arange(len(errors)) * 4, errors, marker="o", label=name)
ax.set_xlabel("labelled frames")
ax.set_ylabel("arousal RMSE on held-out segments")
ax.set_title("Active learning for one synthetic subject")
ax.legend(frameon=False, fontsize=8)
fig.tight_layout()

# %%
# At 0 labels every curve starts from the pre-trained net (Transfer 0%): arousal is the
# target whose expression the generator makes most person-specific, so that is where a
# few of this person's labels can help. One person and one split make the ranking of
# strategies noisy; compare them over many subjects, with a paired test, with
# :func:`sklearn_fer.evaluation.sampling_curve` and
# :func:`sklearn_fer.evaluation.compare_samplers`.
