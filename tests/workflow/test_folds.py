import numpy as np
import pandas as pd
import pytest

from sklearn_fer.workflow._folds import NEIGHBOUR_SECONDS, canonical_order, fold_of_each_frame


def _rows(times, videos=None, shas=None):
    n = len(times)
    rows = pd.DataFrame(
        {
            "path": [f"faces/f{i:02d}.png" for i in range(n)],
            "video": videos if videos is not None else ["me.mp4"] * n,
            "time_s": [f"{t:g}" for t in times],
        }
    )
    if shas is not None:
        rows["video_sha256"] = shas
    return rows


def _folds(rows, n_folds=3, seed=0):
    ordered = rows.iloc[canonical_order(rows)].reset_index(drop=True)
    return dict(zip(ordered["path"], fold_of_each_frame(ordered, n_folds, seed)))


def test_the_folds_are_the_same_whatever_the_row_order():
    rows = _rows(np.arange(0, 40, 4.0))
    expected = _folds(rows)
    for seed in range(5):
        shuffled = rows.sample(frac=1, random_state=seed).reset_index(drop=True)
        assert _folds(shuffled) == expected
    assert sorted(np.bincount(list(expected.values()))) == [3, 3, 4]  # balanced


def test_the_seed_deals_the_folds():
    rows = _rows(np.arange(0, 40, 4.0))
    assert _folds(rows, seed=0) == _folds(rows, seed=0)
    assert len({tuple(_folds(rows, seed=s).values()) for s in range(6)}) > 1


def test_neighbouring_frames_stay_in_one_fold():
    # Runs of frames 0.2 s apart every 5 s: each run is one group.
    times = [start + 0.2 * k for start in (0, 5, 10, 15, 20) for k in range(4)]
    folds = _folds(_rows(times), n_folds=5)
    by_run = [{folds[f"faces/f{4 * run + k:02d}.png"] for k in range(4)} for run in range(5)]
    assert all(len(run) == 1 for run in by_run)
    assert len(set().union(*by_run)) == 5
    # Exactly NEIGHBOUR_SECONDS apart is not neighbouring; two videos never group.
    apart = _folds(_rows([0, NEIGHBOUR_SECONDS, 2 * NEIGHBOUR_SECONDS]), n_folds=3)
    assert sorted(apart.values()) == [0, 1, 2]
    two = _folds(_rows([0, 0.1], videos=["a.mp4", "b.mp4"]), n_folds=2)
    assert sorted(two.values()) == [0, 1]


def test_the_same_name_from_two_videos_is_two_videos():
    rows = _rows([0, 0.1], videos=["me.mp4", "me.mp4"], shas=["a" * 64, "b" * 64])
    assert sorted(_folds(rows, n_folds=2).values()) == [0, 1]


def test_one_moment_only_cannot_be_cross_validated():
    with pytest.raises(ValueError, match="all less than 1 s apart in one video"):
        _folds(_rows([0, 0.2, 0.4]))
