"""The statistic behind AU selectivity: the AUC of a map's response, and its permutation test.

A feature map's *selectivity* to an action unit is how well its pooled response separates
images where the AU is present from images where it is absent: the area under the ROC
curve (AUC), computed from ranks as the Mann-Whitney U statistic divided by
``n_present * n_absent`` (ties count one half), and reported as ``2 * AUC - 1`` (the
rank-biserial correlation): +1 when the map responds more to every image showing the AU
than to any image without it, -1 for the reverse, 0 for no separation.

Everything here is vectorised over maps and AUs: the responses are ranked once, and a
permutation of the images is a permutation of the rows of the rank matrix, so each batch
of permutations is one matrix product.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

__all__ = ["au_aucs", "check_aus", "permutation_pvalues", "present_matrix", "rank_responses"]

# Rank sums are sums of half-integers: exact in float64, so comparisons need no tolerance
# beyond rounding of the division.
_TOLERANCE = 1e-12
_PERMUTATION_BATCH = 64


def check_aus(aus, n_samples, *, name="aus"):
    """AU labels as a finite float64 ``(n_samples, n_aus)`` array, and their column names.

    A 1-D array is one AU; a DataFrame names its columns.
    """
    names = None
    if hasattr(aus, "columns") and hasattr(aus, "to_numpy"):
        names = [str(c) for c in aus.columns]
        aus = aus.to_numpy()
    try:
        values = np.asarray(aus, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must hold numbers (AU intensities or 0/1 occurrences), got "
            f"{type(aus).__name__} that does not convert to floats."
        ) from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != n_samples or values.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (n_samples, n_aus) = ({n_samples}, n_aus) with one row per "
            f"image (or (n_samples,) for one AU), got shape {np.shape(aus)}."
        )
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if names is None:
        names = [f"au{j}" for j in range(values.shape[1])]
    return values, names


def present_matrix(aus, threshold, names, *, context="selectivity"):
    """Which images show each AU (``aus > threshold``), and which AUs vary at all.

    An AU present in every image or in none has no selectivity (the AUC is undefined): it
    is left out with a ``UserWarning`` naming it; when no AU varies, ``ValueError``.

    Returns
    -------
    present : ndarray of bool, shape (n_samples, n_aus)
    varies : ndarray of bool, shape (n_aus,)
    """
    present = aus > threshold
    counts = present.sum(axis=0)
    varies = (counts > 0) & (counts < len(aus))
    if not varies.any():
        raise ValueError(
            f"no AU varies across these {len(aus)} images at threshold {threshold:g} (each is "
            f"present in all of them or in none): {context} is undefined. Use images that "
            "show and do not show the AUs, or another threshold."
        )
    if not varies.all():
        constant = [
            f"{name} ({'present in all' if count else 'absent from all'})"
            for name, count, ok in zip(names, counts, varies)
            if not ok
        ]
        warnings.warn(
            f"{len(constant)} AU(s) do not vary across these {len(aus)} images at threshold "
            f"{threshold:g}, so their {context} is undefined and they are left out: "
            f"{', '.join(constant)}.",
            UserWarning,
            stacklevel=3,
        )
    return present, varies


def rank_responses(responses):
    """Ranks of each map's responses over the images (ties get their mean rank)."""
    return stats.rankdata(np.asarray(responses, dtype=np.float64), axis=0)


def _auc_from_rank_sums(rank_sums, n_present, n_absent):
    u = rank_sums - n_present * (n_present + 1) / 2
    return u / (n_present * n_absent)


def au_aucs(ranks, present):
    """AUC of every map (column of ``ranks``) for every AU (column of ``present``).

    Returns
    -------
    ndarray of shape (n_aus, n_maps)
    """
    present = present.astype(np.float64)
    n_present = present.sum(axis=0)[:, None]
    n_absent = len(present) - n_present
    return _auc_from_rank_sums(present.T @ ranks, n_present, n_absent)


def permutation_pvalues(ranks, present, aucs, n_permutations, seed):
    """Two-sided permutation p-values, raw and max-statistic adjusted, for every AU x map.

    Under the null hypothesis (a map's response does not depend on whether the AU is
    present) the images' labels are exchangeable. Each permutation shuffles the images
    (the same permutations for every map and AU, drawn from ``seed``) and recomputes
    every AUC. With ``d = |AUC - 0.5|``:

    * ``p_value = (1 + #{permutations with d_perm >= d}) / (1 + n_permutations)`` per map;
    * ``p_adjusted``: the same count against the permutation's *largest* ``d`` over all
      maps given here, for that AU (Westfall & Young's single-step max-T), which controls
      the family-wise error rate over the maps under any dependence between them.

    Returns
    -------
    p_value, p_adjusted : ndarray of shape (n_aus, n_maps)
    """
    rng = np.random.default_rng(seed)
    n = len(ranks)
    present = present.astype(np.float64)
    n_present = present.sum(axis=0)[None, :, None]
    n_absent = n - n_present
    observed = np.abs(aucs - 0.5) - _TOLERANCE
    exceed = np.zeros(aucs.shape, dtype=np.int64)
    exceed_max = np.zeros(aucs.shape, dtype=np.int64)
    for start in range(0, n_permutations, _PERMUTATION_BATCH):
        size = min(_PERMUTATION_BATCH, n_permutations - start)
        order = rng.permuted(np.tile(np.arange(n), (size, 1)), axis=1)
        # (size, n_aus, n) @ (n, n_maps): every AU's rank sum under every permutation.
        rank_sums = present[order].transpose(0, 2, 1) @ ranks
        deviation = np.abs(_auc_from_rank_sums(rank_sums, n_present, n_absent) - 0.5)
        exceed += (deviation >= observed).sum(axis=0)
        exceed_max += (deviation.max(axis=2, keepdims=True) >= observed).sum(axis=0)
    scale = 1.0 / (n_permutations + 1)
    return (exceed + 1) * scale, (exceed_max + 1) * scale
