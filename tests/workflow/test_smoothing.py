import numpy as np
import pytest

from sklearn_fer.workflow._smoothing import CentredMean


def _brute_force(times, values, seconds):
    out = []
    for t in times:
        window = values[np.abs(times - t) <= seconds / 2]
        window = window[~np.isnan(window)]
        out.append(window.mean() if len(window) else np.nan)
    return np.array(out)


def _stream(times, values, seconds):
    smoother = CentredMean(seconds, ["valence"])
    rows, held = [], 0
    for t, v in zip(times, values):
        rows += smoother.push({"time_s": float(t), "valence": float(v)})
        held = max(held, len(smoother._past) + len(smoother._pending))
    rows += smoother.flush()
    return rows, held


@pytest.mark.parametrize("seconds", [1.0, 8.0, 13.0, 1000.0])
def test_the_stream_gives_the_centred_mean_of_each_row(seconds):
    rng = np.random.default_rng(0)
    times = np.arange(0, 200, 4.0)
    values = rng.uniform(-1, 1, len(times))
    values[rng.random(len(times)) < 0.2] = np.nan  # frames without a face
    rows, _ = _stream(times, values, seconds)
    assert [r["time_s"] for r in rows] == times.tolist()
    np.testing.assert_allclose(
        [r["valence_smoothed"] for r in rows], _brute_force(times, values, seconds)
    )
    np.testing.assert_array_equal([r["valence"] for r in rows], values)


def test_only_one_window_of_rows_is_held():
    times = np.arange(0, 4000, 4.0)
    _, held = _stream(times, np.zeros(len(times)), 20.0)
    assert held <= 20 / 4 + 2


def test_a_window_without_faces_gives_nan():
    rows, _ = _stream(np.array([0.0, 4.0, 8.0]), np.array([np.nan, np.nan, 0.5]), 8.0)
    assert np.isnan(rows[0]["valence_smoothed"])
    assert rows[1]["valence_smoothed"] == 0.5


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), "5"])
def test_bad_windows(seconds):
    with pytest.raises(ValueError, match="positive number"):
        CentredMean(seconds, ["valence"])


def test_a_window_holds_the_rows_on_its_edges():
    # Rows 0.2 s apart and a 0.4 s window: each inner row averages itself and both
    # neighbours, although 3 * 0.2 - 2 * 0.2 > 0.2 in floating point. With values k**2 the
    # mean of three is k**2 + 2/3; of two or of one it is something else.
    times = np.array([k * 0.2 for k in range(12)])
    values = np.arange(12.0) ** 2
    rows, _ = _stream(times, values, 0.4)
    inner = np.array([r["valence_smoothed"] for r in rows])[1:-1]
    np.testing.assert_allclose(inner, values[1:-1] + 2 / 3)
