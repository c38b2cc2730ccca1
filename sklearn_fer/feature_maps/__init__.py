"""Action-unit-selective feature maps (Zhou & Shi 2017): measure them, keep them.

Zhou & Shi find that feature maps of the higher conv layers of a CNN transferred to
expression recognition are selective to facial action units (AUs), and that which maps
are kept matters for robustness. Here:

* :func:`map_selectivity`: a tidy table of every map's selectivity to every AU on a set
  of images (the AUC of its response, a permutation test, a family-wise correction),
  and :func:`selectivity_summary`: the fraction of AU-selective maps per layer;
* :class:`FeatureMapSelector`: a scikit-learn selector after
  :class:`~sklearn_fer.FrozenConvFeaturizer` that keeps the ``k`` most AU-selective maps
  (AU labels given at fit time as metadata), or the most relevant to the target.

The figures are :func:`plot_au_selectivity`, :func:`plot_layer_selectivity` and
:func:`plot_robustness`; the robustness study is
:func:`sklearn_fer.evaluation.evaluate_robustness` and ``sklearn-fer reproduce --study
zhou-shi``.

Layout: ``_auc`` holds the statistic and its vectorised permutation test, ``_maps`` how
features group into maps, ``_selectivity`` the tables, ``_selector`` the selector and
``_plotting`` the figures.
"""

from ._plotting import plot_au_selectivity, plot_layer_selectivity, plot_robustness
from ._selectivity import SELECTIVITY_COLUMNS, map_selectivity, selectivity_summary
from ._selector import FeatureMapSelector

__all__ = [
    "SELECTIVITY_COLUMNS",
    "FeatureMapSelector",
    "map_selectivity",
    "plot_au_selectivity",
    "plot_layer_selectivity",
    "plot_robustness",
    "selectivity_summary",
]
