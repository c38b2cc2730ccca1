"""Figures, each drawn into the Axes it is given (``ax=``) and returning them, as
matplotlib and seaborn functions do.

* ``_study.py``: the paper's two figures from evaluation results (Rescigno et al. 2020,
  Figs. 5 and 6): :func:`plot_transfer`, :func:`plot_sampling`;
* ``_confusion.py``: :func:`plot_confusion_matrix` of categorical expressions;
* ``_over_time.py``: :func:`plot_over_time`, a video's valence and arousal
  (``sklearn-fer predict --plot``).
"""

from ._confusion import plot_confusion_matrix
from ._over_time import plot_over_time
from ._study import plot_sampling, plot_transfer

__all__ = ["plot_confusion_matrix", "plot_over_time", "plot_sampling", "plot_transfer"]
