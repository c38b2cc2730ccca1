"""How selective each feature map of each conv layer is to each action unit (Zhou & Shi 2017)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions, validate_params

from .._frozen import pretrained_module
from .._validation import RANDOM_STATE, NumberInterval, positive_int
from ..featurizers import FrozenConvFeaturizer
from ..nets import check_backbone, conv_layers
from ._auc import au_aucs, check_aus, permutation_pvalues, present_matrix, rank_responses

__all__ = ["SELECTIVITY_COLUMNS", "map_selectivity", "selectivity_summary"]

#: The columns of :func:`map_selectivity`'s table, one row per layer x map x AU.
SELECTIVITY_COLUMNS = [
    "layer",
    "depth",
    "map",
    "feature",
    "au",
    "n_present",
    "n_absent",
    "auc",
    "selectivity",
    "p_value",
    "p_adjusted",
    "selective",
    "responsive",
]
_POOLINGS = ("mean", "max")


def _check_layers(pretrained, layers):
    module = check_backbone(pretrained_module(pretrained, "map_selectivity"))
    available = list(conv_layers(module))
    if layers is None:
        return available, available
    if isinstance(layers, str):
        layers = [layers]
    layers = list(layers)
    unknown = [layer for layer in layers if layer not in available]
    if unknown or not layers:
        raise ValueError(
            f"unknown layer(s) {unknown or layers!r} for {type(module).__name__}; its conv "
            f"layers are {available}."
        )
    return sorted(set(layers), key=available.index), available


def _layer_rows(layer, depth, names, ranks, present, au_names, settings):
    """The tidy rows of one layer: every map x every AU that varies."""
    aucs = au_aucs(ranks, present)
    p_value, p_adjusted = permutation_pvalues(
        ranks, present, aucs, settings["n_permutations"], settings["seed"]
    )
    n_aus, n_maps = aucs.shape
    n_present = present.sum(axis=0)
    frame = pd.DataFrame(
        {
            "layer": layer,
            "depth": depth,
            "map": np.tile(np.arange(n_maps), n_aus),
            "feature": np.tile(np.asarray(names, dtype=object), n_aus),
            "au": np.repeat(np.asarray(au_names, dtype=object), n_maps),
            "n_present": np.repeat(n_present, n_maps),
            "n_absent": np.repeat(len(present) - n_present, n_maps),
            "auc": aucs.ravel(),
            "selectivity": 2 * aucs.ravel() - 1,
            "p_value": p_value.ravel(),
            "p_adjusted": p_adjusted.ravel(),
        }
    )
    # Bonferroni over the AUs tested: a layer's family-wise error rate is at most alpha.
    frame["selective"] = frame["p_adjusted"] <= settings["alpha"] / n_aus
    # A map whose response is the same for every image (a dead ReLU) cannot be selective.
    frame["responsive"] = np.tile(ranks.max(axis=0) > ranks.min(axis=0), n_aus)
    # One row per layer x map x AU, maps first.
    return frame.sort_values(["map"], kind="stable")


@validate_params(
    {
        "pooling": [StrOptions(set(_POOLINGS))],  # one response per map
        "threshold": [NumberInterval(Real, None, None, closed="neither")],
        "n_permutations": [positive_int()],
        "alpha": [NumberInterval(Real, 0, 1, closed="neither")],
        "batch_size": [positive_int()],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def map_selectivity(
    pretrained,
    images,
    aus,
    *,
    layers=None,
    au_names=None,
    pooling="mean",
    threshold=0.2,
    n_permutations=1000,
    alpha=0.05,
    batch_size=64,
    random_state=None,
):
    """Each feature map's selectivity to each action unit, with a permutation test.

    Zhou & Shi (2017) find that feature maps of the higher conv layers of a CNN
    transferred to expression recognition are *selective* to facial action units (AUs).
    This measures it. For each conv layer, each map's response to an image is its mean
    (or max) over positions (:class:`~sklearn_fer.FrozenConvFeaturizer` with
    ``pooling``); an AU is *present* in an image when its label exceeds ``threshold``.

    * **Statistic**: the AUC of the map's response separating images where the AU is
      present from images where it is absent (Mann-Whitney U / (n_present * n_absent),
      ties counting one half), reported as ``selectivity = 2 * AUC - 1`` in [-1, 1]
      (the rank-biserial correlation; positive when the map responds more when the AU
      is present, negative when it is suppressed by it).
    * **Test**: a two-sided permutation test of ``|AUC - 0.5|`` (``p_value``:
      ``n_permutations`` shuffles of the images, the same for every map, AU and layer,
      drawn from ``random_state``; the smallest possible p-value is
      ``1 / (n_permutations + 1)``).
    * **Multiple comparisons**: within a layer and AU, the single-step max-T adjustment
      of Westfall & Young (``p_adjusted``: each permutation's largest ``|AUC - 0.5|``
      over the layer's maps is the null distribution), which controls the family-wise
      error rate over the layer's maps whatever their correlation; a map is
      ``selective`` to an AU when ``p_adjusted <= alpha / n_aus`` (Bonferroni over the
      AUs that vary), so the chance that *any* map of a layer is called selective to
      *any* AU by chance is at most ``alpha``.

    Parameters
    ----------
    pretrained : AlexNetRegressor, BackboneClassifier or torch.nn.Module
        A fitted net whose module follows the backbone protocol and names its conv
        layers (:func:`~sklearn_fer.nets.conv_layers`).
    images : array-like of shape (n_samples, height, width, 3)
        uint8 RGB images (floating ones on the [0, 1] scale).
    aus : array-like of shape (n_samples, n_aus) or (n_samples,)
        AU intensities (``make_faces(...).aus``) or 0/1 occurrences; a DataFrame names
        its columns.
    layers : str, list of str or None, default=None
        The conv layers to measure (None: all of them, in forward order).
    au_names : list of str or None, default=None
        Names of the columns of ``aus`` (default: a DataFrame's columns, else ``au0``,
        ``au1``, ...).
    pooling : {"mean", "max"}, default="mean"
        How a map's positions become its one response per image.
    threshold : float, default=0.2
        An AU is present where its label is above this (0.2 is FACS' trace level A on
        ``make_faces``' scale; any value in [0, 1) works for 0/1 labels).
    n_permutations : int, default=1000
        Permutations of the test. With ``m`` AUs nothing can be called selective unless
        ``1 / (n_permutations + 1) <= alpha / m``: 1000 suffices for 18 AUs at 0.05.
    alpha : float, default=0.05
        Family-wise error rate per layer.
    batch_size : int, default=64
        Images per forward pass.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations.

    Returns
    -------
    pandas.DataFrame
        One row per layer x map x AU (AUs that vary in ``images`` only), maps in order,
        columns ``SELECTIVITY_COLUMNS``: ``layer``, ``depth`` (1 for the first conv
        layer of the net), ``map`` (index within the layer), ``feature`` (the
        featurizer's name for the map, such as ``conv5_map017``), ``au``,
        ``n_present``, ``n_absent``, ``auc``, ``selectivity``, ``p_value``,
        ``p_adjusted``, ``selective`` and ``responsive`` (False for a map whose
        response is the same on every image, a dead ReLU: its AUC is 0.5).

    Raises
    ------
    ValueError
        An unknown layer, AU labels of the wrong shape, or no AU that varies across the
        images (selectivity is undefined). An AU present in every image or in none is
        left out with a ``UserWarning`` that names it: its rows would be undefined.

    Warns
    -----
    UserWarning
        AUs without variation (left out), or too few permutations for anything to be
        called selective.

    See Also
    --------
    selectivity_summary : the fraction of AU-selective maps per layer.
    FeatureMapSelector : keeps the most selective maps in a pipeline.
    plot_au_selectivity : the maps x AUs heatmap.

    References
    ----------
    Zhou & Shi (2017). Action unit selective feature maps in deep networks for facial
    expression recognition. IJCNN.

    Westfall & Young (1993). Resampling-Based Multiple Testing. Wiley (the max-T
    adjustment).

    Examples
    --------
    >>> from sklearn_fer import AlexNetRegressor
    >>> from sklearn_fer.datasets import make_faces
    >>> from sklearn_fer.feature_maps import map_selectivity
    >>> faces = make_faces(4, 10, random_state=0)
    >>> net = AlexNetRegressor(module__hidden_units=8).initialize()
    >>> table = map_selectivity(net, faces.images, faces.aus[:, [0, 8]], layers="conv5",
    ...                         au_names=["AU1", "AU12"], n_permutations=200,
    ...                         random_state=0)
    >>> table.shape, sorted(table["au"].unique())
    ((512, 13), ['AU1', 'AU12'])
    >>> bool(table["selectivity"].between(-1, 1).all())
    True
    """
    chosen, available = _check_layers(pretrained, layers)
    values, default_names = check_aus(aus, len(images))
    names = default_names if au_names is None else [str(name) for name in au_names]
    if len(names) != values.shape[1]:
        raise ValueError(f"au_names has {len(names)} names for {values.shape[1]} AU columns.")
    present, varies = present_matrix(values, threshold, names)
    present, names = present[:, varies], [n for n, ok in zip(names, varies) if ok]
    if 1 / (n_permutations + 1) > alpha / len(names):
        import warnings

        warnings.warn(
            f"with n_permutations={n_permutations} no p-value can fall below "
            f"{1 / (n_permutations + 1):.4g}, above alpha / n_aus = {alpha / len(names):.4g}: "
            "no map can be called selective; use more permutations.",
            UserWarning,
            stacklevel=2,
        )
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    settings = dict(n_permutations=n_permutations, alpha=alpha, seed=seed)
    frames = []
    for layer in chosen:
        featurizer = FrozenConvFeaturizer(
            pretrained, layer=layer, pooling=pooling, batch_size=batch_size
        ).fit(images)
        ranks = rank_responses(featurizer.transform(images))
        map_names = featurizer.get_feature_names_out()
        depth = available.index(layer) + 1
        frames.append(_layer_rows(layer, depth, map_names, ranks, present, names, settings))
    return pd.concat(frames, ignore_index=True)[SELECTIVITY_COLUMNS]


def selectivity_summary(selectivity):
    """The fraction of AU-selective maps per layer, and how selective its maps are.

    Parameters
    ----------
    selectivity : pandas.DataFrame
        The table of :func:`map_selectivity`.

    Returns
    -------
    pandas.DataFrame
        One row per layer, in forward order: ``layer``, ``depth``, ``n_maps``,
        ``n_aus`` (AUs tested), ``n_selective`` (maps selective to at least one AU,
        after the family-wise correction of :func:`map_selectivity`),
        ``fraction_selective``, ``n_responsive`` (maps whose response varies across
        the images; all maps when the table has no ``responsive`` column),
        ``fraction_selective_responsive`` (``n_selective / n_responsive``, NaN when no
        map responds: dead maps make ``fraction_selective`` small whatever the live
        ones do), ``median_best_selectivity`` (the median over responsive maps of each
        map's largest ``|selectivity|`` over AUs) and ``best_au`` (the AU with the most
        selective maps; None when no map is selective).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_fer.feature_maps import selectivity_summary
    >>> table = pd.DataFrame({"layer": ["conv1"] * 4, "depth": 1, "map": [0, 0, 1, 1],
    ...                       "au": ["AU1", "AU12"] * 2,
    ...                       "selectivity": [0.1, -0.8, 0.2, 0.3],
    ...                       "selective": [False, True, False, False]})
    >>> summary = selectivity_summary(table)
    >>> summary[["layer", "n_maps", "fraction_selective", "best_au"]].values.tolist()
    [['conv1', 2, 0.5, 'AU12']]
    >>> float(summary["median_best_selectivity"].iloc[0])
    0.55
    """
    missing = {"layer", "depth", "map", "au", "selectivity", "selective"} - set(selectivity.columns)
    if missing:
        raise ValueError(
            f"selectivity lacks the column(s) {sorted(missing)}: expected the table of "
            "map_selectivity."
        )
    rows = []
    for (depth, layer), block in selectivity.groupby(["depth", "layer"], sort=True):
        rows.append(_layer_summary(layer, depth, block))
    return pd.DataFrame(rows)


def _layer_summary(layer, depth, block):
    responsive = block["responsive"].astype(bool) if "responsive" in block else True
    live = block[responsive] if "responsive" in block else block
    best = live.assign(strength=live["selectivity"].abs()).groupby("map")["strength"].max()
    selective = block[block["selective"].astype(bool)]
    counts = selective.groupby("au")["map"].nunique()
    n_maps, n_live = block["map"].nunique(), live["map"].nunique()
    n_selective = selective["map"].nunique()
    return {
        "layer": layer,
        "depth": int(depth),
        "n_maps": int(n_maps),
        "n_aus": int(block["au"].nunique()),
        "n_selective": int(n_selective),
        "fraction_selective": n_selective / n_maps,
        "n_responsive": int(n_live),
        "fraction_selective_responsive": n_selective / n_live if n_live else np.nan,
        "median_best_selectivity": float(best.median()) if n_live else np.nan,
        "best_au": str(counts.idxmax()) if len(counts) else None,
    }
