"""PathNet meta-transfer: personal models that keep what the general model knew.

Fernando et al. (2017) evolve, for each task, a path through a modular network and
freeze it before the next task, which may reuse the frozen modules but not change them.
The 2023 meta-transfer paper applies this to emotion recognition across domains. Here a
general path is evolved on many people's conv features and each person's path on their
own frames, so the general model's predictions stay exactly what they were.

* :class:`PathNet`: the torch module (L layers of M dense modules, a head per task);
* :class:`PathNetRegressor`, :class:`PathNetClassifier`: scikit-learn estimators whose
  ``fit`` runs the binary-tournament genetic algorithm, and whose ``source`` parameter
  makes a fit a transfer from a fitted one;
* :func:`plot_paths`, :func:`plot_fitness_history`: their figures.
"""

from ._classifier import PathNetClassifier
from ._module import PathNet
from ._plotting import plot_fitness_history, plot_paths
from ._regressor import PathNetRegressor

__all__ = [
    "PathNet",
    "PathNetClassifier",
    "PathNetRegressor",
    "plot_fitness_history",
    "plot_paths",
]
