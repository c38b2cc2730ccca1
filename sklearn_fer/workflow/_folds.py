"""The cross-validation folds of one person's labelled frames: the same for a seed however
the rows of ``labels.csv`` are ordered, and neighbouring frames never split between them.

Frames a moment apart show nearly the same face: one in the training fold and one in the
test fold would flatter the personal model (it has seen the test frame, or its twin). So
frames of the same video less than :data:`NEIGHBOUR_SECONDS` apart form one group, a
group goes whole into one fold, and the groups are dealt into folds in an order shuffled
with the seed (each to the fold with the fewest frames so far). Rows are first put in a
canonical order (video, time, path), so neither the groups nor the folds nor the order in
which the model sees the frames depend on the file's row order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._random import derive_seed
from ._labels import normalised_path

__all__ = ["NEIGHBOUR_SECONDS", "canonical_order", "fold_of_each_frame"]

#: Frames of one video closer than this (seconds) stay in one fold. Below the paper's 4 s
#: sampling, so frames sampled as the paper does are folded one by one; above the frame
#: interval of any video, so frames queried every few frames are kept together.
NEIGHBOUR_SECONDS = 1.0


def _column(frame, name):
    if name not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame[name].astype(str).str.strip()


def _video_keys(frame):
    """Which video each row comes from: its SHA-256 when query wrote one, else its name."""
    sha, name = _column(frame, "video_sha256"), _column(frame, "video")
    return np.where(sha != "", "sha256:" + sha, "name:" + name).astype(str)


def canonical_order(frame):
    """Row order by video, time and path: the same whatever the file's order.

    Parameters
    ----------
    frame : pandas.DataFrame
        Labelled rows as text (``path`` and, when present, ``video``, ``video_sha256``,
        ``time_s``).

    Returns
    -------
    ndarray of int
        A permutation of the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"path": ["b.png", "a.png", "c.png"], "video": ["v", "v", "w"],
    ...                      "time_s": ["8", "4", "0"]})
    >>> canonical_order(rows).tolist()
    [1, 0, 2]
    """
    times = pd.to_numeric(_column(frame, "time_s"), errors="coerce").to_numpy(dtype=float)
    paths = np.array([normalised_path(p) for p in frame["path"]], dtype=str)
    # np.lexsort sorts by the last key first; rows without a time come after those with one.
    return np.lexsort((paths, np.nan_to_num(times, nan=np.inf), _video_keys(frame)))


def time_groups(frame):
    """Group number of each row (in canonical order): runs of one video's frames, each
    less than :data:`NEIGHBOUR_SECONDS` after the previous. Rows without a time are alone.
    """
    times = pd.to_numeric(_column(frame, "time_s"), errors="coerce").to_numpy(dtype=float)
    videos = _video_keys(frame)
    groups = np.zeros(len(frame), dtype=np.int64)
    for i in range(1, len(frame)):
        near = (
            videos[i] == videos[i - 1]
            and np.isfinite(times[i - 1 : i + 1]).all()
            and times[i] - times[i - 1] < NEIGHBOUR_SECONDS
        )
        groups[i] = groups[i - 1] + (0 if near else 1)
    return groups


def fold_of_each_frame(frame, n_folds, random_state):
    """The test fold of each row of ``frame`` (already in :func:`canonical_order`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Labelled rows as text, in canonical order.
    n_folds : int
        Folds wanted; fewer when there are fewer groups of neighbouring frames.
    random_state : int
        Seeds the order in which groups are dealt into folds.

    Returns
    -------
    folds : ndarray of int
        Fold of each row, 0 .. n - 1, every fold used.

    Raises
    ------
    ValueError
        All rows are neighbouring frames of one video (one group): nothing to hold out.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"path": ["a", "b", "c", "d"], "video": "v",
    ...                      "time_s": ["0", "0.5", "4", "8"]})
    >>> fold_of_each_frame(rows, 3, random_state=0).tolist()  # 0 s and 0.5 s together
    [1, 1, 0, 2]
    """
    groups = time_groups(frame)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    if n_groups < 2:
        raise ValueError(
            f"the {len(frame)} labelled frames are all less than {NEIGHBOUR_SECONDS:g} s "
            "apart in one video: cross-validation needs frames from at least two moments "
            "(label frames further apart, e.g. sklearn-fer query with a longer "
            "--every-seconds)."
        )
    n_folds = min(int(n_folds), n_groups)
    sizes = np.bincount(groups)
    rng = np.random.default_rng(derive_seed(random_state, 53))
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    load = np.zeros(n_folds, dtype=np.int64)
    for group in rng.permutation(n_groups):
        fold_of_group[group] = int(np.argmin(load))
        load[fold_of_group[group]] += sizes[group]
    return fold_of_group[groups]
