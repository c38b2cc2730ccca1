"""The confusion matrix of categorical expressions, in AffectNet's names."""

from __future__ import annotations

import numpy as np

from ..datasets import AFFECTNET_EXPRESSIONS
from ._common import _pyplot

_NORMALIZE = {
    "true": "each row (true class) sums to 1",
    "pred": "each column (predicted class) sums to 1",
    "all": "all cells sum to 1",
    None: "counts",
}


def _expression_names(labels):
    """AffectNet's names for integer expression codes; other labels as they are."""
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.integer) and all(
        int(label) in AFFECTNET_EXPRESSIONS for label in labels
    ):
        return [AFFECTNET_EXPRESSIONS[int(label)] for label in labels]
    return [str(label) for label in labels]


def plot_confusion_matrix(
    y_true,
    y_pred,
    *,
    labels=None,
    display_labels=None,
    normalize="true",
    values_format=None,
    cmap="Blues",
    colorbar=True,
    title=None,
    ax=None,
):
    """Confusion matrix of categorical expressions, named in AffectNet's coding.

    Drawn by :class:`sklearn.metrics.ConfusionMatrixDisplay`; integer labels that are
    AffectNet's expression codes (:data:`~sklearn_fer.datasets.AFFECTNET_EXPRESSIONS`,
    which ``make_faces`` and ``load_affectnet`` return) are shown by name.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted classes.
    labels : array-like or None, default=None
        The classes, in the order of the rows and columns; None takes the sorted classes
        of ``y_true`` and ``y_pred``. Give all the codes (``range(8)``) to keep the same
        layout across folds or subjects that lack a class.
    display_labels : list of str or None, default=None
        Tick labels; None shows AffectNet's names for its integer codes and the labels
        themselves otherwise.
    normalize : {"true", "pred", "all"} or None, default="true"
        ``"true"``: each row sums to 1 (per-class recall on the diagonal), the usual
        figure for unbalanced expression sets; ``"pred"``: each column sums to 1
        (precision on the diagonal); ``"all"``: the whole matrix sums to 1; None: counts.
    values_format : str or None, default=None
        Format of the cell values; None gives ``".2f"`` when normalised, ``"d"`` for
        counts.
    cmap : str or matplotlib Colormap, default="Blues"
    colorbar : bool, default=True
    title : str or None, default=None
        None says how the matrix is normalised.
    ax : matplotlib Axes or None, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_confusion_matrix([0, 1, 1, 7], [0, 1, 0, 7])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['neutral', 'happiness', 'contempt']
    >>> ax.get_ylabel()
    'True label'
    """
    from sklearn.metrics import ConfusionMatrixDisplay
    from sklearn.utils.multiclass import unique_labels

    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {list(_NORMALIZE)}, got {normalize!r}.")
    labels = unique_labels(y_true, y_pred) if labels is None else np.asarray(labels)
    if display_labels is None:
        display_labels = _expression_names(labels)
    elif len(display_labels) != len(labels):
        raise ValueError(
            f"display_labels has {len(display_labels)} names for {len(labels)} classes "
            f"({list(labels)})."
        )
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(1.6 + 0.75 * len(labels), 1.2 + 0.7 * len(labels)))
    display = ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=labels,
        display_labels=display_labels,
        normalize=normalize,
        values_format=values_format or (".2f" if normalize else "d"),
        cmap=cmap,
        colorbar=colorbar,
        xticks_rotation=45,
        ax=ax,
    )
    display.ax_.set_title(title or f"Confusion matrix ({_NORMALIZE[normalize]})")
    return display.ax_
