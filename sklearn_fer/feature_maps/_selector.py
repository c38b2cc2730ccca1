"""FeatureMapSelector: keep the k feature maps (all their positions) that matter most."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin, f_classif, f_regression
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._validation import RANDOM_STATE, NumberInterval
from ._auc import au_aucs, check_aus, present_matrix, rank_responses
from ._maps import map_layout

__all__ = ["FeatureMapSelector"]


def _pooled(X, map_index, n_maps):
    """Each map's mean over its positions: ``(n_samples, n_maps)``."""
    counts = np.bincount(map_index, minlength=n_maps)
    if np.all(counts == 1) and np.array_equal(map_index, np.arange(n_maps)):
        return np.asarray(X, dtype=np.float64)
    members = sparse.csr_matrix(
        (1.0 / counts[map_index], (np.arange(len(map_index)), map_index)),
        shape=(len(map_index), n_maps),
    )
    return np.asarray(members.T @ np.asarray(X, dtype=np.float64).T).T


def _target_scores(pooled, y):
    """Univariate F statistic of each map's mean response: scikit-learn's own tests."""
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    if len(y) != len(pooled):
        raise ValueError(
            f"X and y have inconsistent lengths: {len(pooled)} samples but {len(y)} targets."
        )
    kind = type_of_target(y, input_name="y")
    with warnings.catch_warnings():
        # Constant maps (dead ReLUs) have no F statistic: NaN, ranked last.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Features .* are constant", category=UserWarning)
        if kind in ("binary", "multiclass"):
            return f_classif(pooled, y)[0]
        if kind in ("continuous", "continuous-multioutput"):
            y2d = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            return np.mean([f_regression(pooled, y2d[:, j])[0] for j in range(y2d.shape[1])], 0)
    raise ValueError(
        f"Unknown label type {kind!r}: criterion='target' needs continuous targets or class "
        "labels; give AU "
        "labels (fit(X, y, aus=...)) to rank maps by AU selectivity."
    )


class FeatureMapSelector(SelectorMixin, BaseEstimator):
    """Keep the ``k`` feature maps, with all their positions, that matter most.

    The feature-map selection of Zhou & Shi (2017), as an ordinary scikit-learn step
    after :class:`~sklearn_fer.FrozenConvFeaturizer`. Features are grouped into maps
    (``n_maps``); each map is scored on its mean response over its positions, and the
    ``k`` best (``keep="top"``), worst (``"bottom"``) or a random ``k`` (``"random"``,
    the control) are kept whole. Two criteria:

    * ``"au"``, **AU selectivity**, when AU labels are given at fit time: a map's score
      is its largest ``|2 * AUC - 1|`` over the AUs, the AUC of its response separating
      images where the AU is present (label > ``threshold``) from images where it is
      absent (the statistic of :func:`~sklearn_fer.feature_maps.map_selectivity`,
      without its permutation test);
    * ``"target"``, **relevance to the target**, without AU labels: scikit-learn's
      univariate F statistic of the map's mean response
      (:func:`~sklearn.feature_selection.f_regression` for continuous targets, averaged
      over columns; :func:`~sklearn.feature_selection.f_classif` for classes).

    AU labels reach ``fit`` as metadata: ``selector.fit(X, y, aus=aus)`` directly, and
    in a :class:`~sklearn.pipeline.Pipeline` or a grid search through scikit-learn's
    metadata routing (``sklearn.set_config(enable_metadata_routing=True)`` and
    ``FeatureMapSelector(...).set_fit_request(aus=True)``; then
    ``pipeline.fit(images, y, aus=aus)`` and ``search.fit(images, y, aus=aus)``, which
    splits ``aus`` with the folds). ``k`` and ``criterion`` are ordinary parameters, so
    ``GridSearchCV`` searches them.

    ``SelectKBest`` ranks single features and would split a map's positions; this
    selector keeps whole maps, and builds on the same base (``SelectorMixin``), so
    ``get_support``, ``transform``, ``inverse_transform`` and ``get_feature_names_out``
    behave as scikit-learn's selectors'.

    Parameters
    ----------
    k : int or "all", default=10
        Maps to keep; at most the number of maps.
    criterion : {"auto", "au", "target"}, default="auto"
        ``"auto"``: AU selectivity when ``aus`` is given to ``fit``, else relevance to
        ``y``.
    keep : {"top", "bottom", "random"}, default="top"
        The ``k`` highest-scoring maps, the ``k`` lowest, or ``k`` drawn at random
        (scores are still computed when labels are given, for ``scores_``). Maps whose
        mean response is the same for every training sample (dead ReLUs) carry no
        information and have no score: each choice takes them last, only when ``k``
        exceeds the maps that respond, so that ``"bottom"`` and ``"random"`` are not
        made of dead maps.
    n_maps : "auto" or int, default="auto"
        How features group into maps. ``"auto"``: from the featurizer's feature names
        when ``X`` is a DataFrame that carries them (``featurizer.set_output(
        transform="pandas")``), else every feature is one map (pooled features). An
        int: the features are that many equal consecutive blocks, the featurizer's
        map-major order (``feature_map_shape_[0]`` of a flattening featurizer).
    threshold : float, default=0.2
        An AU is present where its label is above this, in [0, 1).
    random_state : int, RandomState instance or None, default=None
        Seeds ``keep="random"``.

    Attributes
    ----------
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had them.
    n_maps_ : int
        Number of maps.
    map_index_ : ndarray of int, shape ``(n_features_in_,)``
        The map of each input feature.
    map_names_ : ndarray of object, shape ``(n_maps_,)``
        A name per map (``conv5_map017``, or the feature's name for pooled input).
    criterion_ : {"au", "target"} or None
        The criterion used; None when ``keep="random"`` was fitted without labels.
    scores_ : ndarray of shape ``(n_maps_,)`` or None
        Each map's score (larger: more selective or more relevant; NaN for a map whose
        response is constant); None without labels.
    selectivity_ : ndarray of shape ``(n_maps_, n_aus)`` or None
        With ``criterion_ == "au"``: each map's signed ``2 * AUC - 1`` per AU tested.
    au_names_ : list of str or None
        The AUs tested (those that vary in the training data).
    maps_ : ndarray of int, shape (k,)
        The kept maps, best first (for ``"random"``, in the order drawn).

    See Also
    --------
    sklearn_fer.feature_maps.map_selectivity : the same statistic with a permutation
        test, per layer.
    sklearn.feature_selection.SelectKBest : the single-feature selector this mirrors.

    References
    ----------
    Zhou & Shi (2017). Action unit selective feature maps in deep networks for facial
    expression recognition. IJCNN.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_fer.feature_maps import FeatureMapSelector
    >>> rng = np.random.default_rng(0)
    >>> aus = rng.uniform(0, 1, size=(40, 2))
    >>> X = rng.normal(size=(40, 3, 4))          # 3 maps of 4 positions each
    >>> X[:, 1] += 3 * (aus[:, [0]] > 0.2)         # map 1 responds to the first AU
    >>> X = X.reshape(40, 12)
    >>> selector = FeatureMapSelector(k=1, n_maps=3).fit(X, aus=aus)
    >>> selector.maps_.tolist(), selector.get_support(indices=True).tolist()
    ([1], [4, 5, 6, 7])
    >>> selector.transform(X).shape
    (40, 4)
    """

    _parameter_constraints = {
        "k": [StrOptions({"all"}), NumberInterval(Integral, 1, None, closed="left")],
        "criterion": [StrOptions({"auto", "au", "target"})],
        "keep": [StrOptions({"top", "bottom", "random"})],
        "n_maps": [StrOptions({"auto"}), NumberInterval(Integral, 1, None, closed="left")],
        "threshold": [NumberInterval(Real, 0, 1, closed="left")],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        k=10,
        *,
        criterion="auto",
        keep="top",
        n_maps="auto",
        threshold=0.2,
        random_state=None,
    ):
        self.k = k
        self.criterion = criterion
        self.keep = keep
        self.n_maps = n_maps
        self.threshold = threshold
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, aus=None):
        """Score the maps on ``X`` and keep ``k`` of them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Conv features (the featurizer's output).
        y : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
            Targets; needed for ``criterion="target"`` (and for ``"auto"`` without
            ``aus``).
        aus : array-like of shape (n_samples, n_aus) or (n_samples,), default=None
            AU labels (intensities or 0/1), metadata: routed by a pipeline when
            requested with ``set_fit_request(aus=True)``.

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        names = getattr(self, "feature_names_in_", None)
        self.map_index_, self.map_names_ = map_layout(self.n_maps, X.shape[1], names)
        self.n_maps_ = len(self.map_names_)
        k = self.n_maps_ if self.k == "all" else int(self.k)
        if k > self.n_maps_:
            raise ValueError(
                f"k={self.k} is larger than the number of feature maps ({self.n_maps_}); "
                f"choose k <= {self.n_maps_} or k='all'."
            )
        live = self._score(X, y, aus)
        self.maps_ = self._choose(k, live)
        return self

    def _resolved_criterion(self, y, aus):
        if self.criterion == "au" or (self.criterion == "auto" and aus is not None):
            if aus is None:
                raise ValueError(
                    "criterion='au' ranks maps by AU selectivity and needs AU labels at fit "
                    "time: fit(X, y, aus=aus) (in a pipeline, set_fit_request(aus=True))."
                )
            return "au"
        if y is None:
            if self.keep == "random":
                return None
            raise ValueError(
                "FeatureMapSelector requires y to be passed, but the target y is None: "
                "criterion='target' ranks maps by their relevance to y (or give AU labels, "
                "fit(X, aus=aus))."
            )
        return "target"

    def _score(self, X, y, aus):
        self.criterion_ = self._resolved_criterion(y, aus)
        self.scores_ = self.selectivity_ = self.au_names_ = None
        pooled = _pooled(X, self.map_index_, self.n_maps_)
        live = np.ptp(pooled, axis=0) > 0
        if self.criterion_ == "target":
            self.scores_ = np.asarray(_target_scores(pooled, y), dtype=np.float64)
        elif self.criterion_ == "au":
            values, au_names = check_aus(aus, len(X))
            present, varies = present_matrix(
                values, self.threshold, au_names, context="AU selectivity"
            )
            aucs = au_aucs(rank_responses(pooled), present[:, varies])
            self.selectivity_ = (2 * aucs - 1).T
            self.au_names_ = [name for name, ok in zip(au_names, varies) if ok]
            self.scores_ = np.abs(self.selectivity_).max(axis=1)
        if self.scores_ is not None:
            # A map whose response never changes carries nothing: no score, ranked last.
            self.scores_[~live] = np.nan
        return live

    def _choose(self, k, live):
        live_maps, dead_maps = np.flatnonzero(live), np.flatnonzero(~live)
        if self.keep == "random":
            rng = check_random_state(self.random_state)
            order = np.concatenate([rng.permutation(live_maps), rng.permutation(dead_maps)])
            return order[:k]
        scores = self.scores_[live_maps]
        ranked = np.argsort(-scores if self.keep == "top" else scores, kind="stable")
        return np.concatenate([live_maps[ranked], dead_maps])[:k]

    def transform(self, X):
        """Keep the chosen maps' columns of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Conv features, as many columns as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_selected_features)
        """
        check_is_fitted(self)
        # Numbers only, as in fit (scikit-learn's selectors would pass strings through).
        validate_data(self, X, dtype=[np.float64, np.float32], reset=False, ensure_min_samples=1)
        return super().transform(X)

    def _get_support_mask(self):
        check_is_fitted(self, "maps_")
        return np.isin(self.map_index_, self.maps_)
