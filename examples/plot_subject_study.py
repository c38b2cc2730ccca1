"""
The subject-level study: transfer conditions and sampling curves
================================================================

The evaluation of Rescigno et al. (2020, Section 4) as library calls: per subject,
K-fold cross-validation of the three transfer conditions
(:func:`~sklearn_fer.evaluation.evaluate_transfer`, the paper's Fig. 5) and of
fine-tuning on fractions of each training fold picked by five samplers
(:func:`~sklearn_fer.evaluation.sampling_curve`, Fig. 6), averaged over subjects, with a
paired Wilcoxon test of each sampler against random and the elbow of each curve.

This is ``sklearn-fer reproduce`` in miniature: 4 subjects, 3 folds, small nets. **The
data are synthetic** (:func:`~sklearn_fer.datasets.make_faces`), and the settings are a
CPU demo's; the command's report lists how they differ from the paper's.
"""

# %%
import time

import matplotlib.pyplot as plt

from sklearn_fer import AlexNetRegressor, DenseHeadRegressor, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import (
    compare_samplers,
    default_samplers,
    elbow_fractions,
    evaluate_transfer,
    sampling_curve,
    summarize,
)
from sklearn_fer.plotting import plot_sampling, plot_transfer

start = time.perf_counter()
wild = make_faces(300, 4, domain="wild", random_state=0)
lab = make_faces(4, 30, domain="lab", random_state=1)

# %%
# Twin general nets, one per target, as in the paper.
settings = dict(module__hidden_units=256, optimizer=FusedAdam, lr=1e-4, max_epochs=6)
general = {
    target: AlexNetRegressor(**settings, random_state=i).fit(wild.images, wild[target])
    for i, target in enumerate(["valence", "arousal"])
}
head = DenseHeadRegressor(None, optimizer=FusedAdam, lr=3e-4, max_epochs=10, batch_size=32)
common = dict(
    subjects=lab.subject, target_names=["valence", "arousal"], cv=3, head=head, random_state=0
)

# %%
# Fig. 5: No Transfer, Transfer 0% and Transfer 100%.
transfer = evaluate_transfer(
    general,
    lab.images,
    lab.target,
    no_transfer=AlexNetRegressor(**settings, random_state=0),
    **common,
)
print(summarize(transfer)[["target", "condition", "rmse_mean", "rmse_std", "ccc_mean"]])
plot_transfer(transfer, title="Transfer conditions (synthetic data)")

# %%
# Fig. 6: RMSE against the labelled fraction for each sampler.
curve = sampling_curve(
    general,
    lab.images,
    lab.target,
    samplers=default_samplers(n_iter=20, random_state=0),
    fractions=[0.1, 0.3, 0.6, 0.9],
    **common,
)
plot_sampling(curve, reference=transfer, title="Sampling curves (synthetic data)")
plt.show()

# %%
# Each sampler against random, paired by subject (with 4 subjects no p-value can fall
# below 0.125: the test is here to show the method, not to settle the question).
print(compare_samplers(curve).round(3).head(10))
print(elbow_fractions(curve))
print(f"({time.perf_counter() - start:.0f} s)")
