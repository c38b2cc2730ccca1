"""A tiny general model folder and a short video of one synthetic face per frame."""

import numpy as np
import pytest

from sklearn_fer import FaceCropper
from sklearn_fer.datasets import VideoFrames

from .._helpers import detectable_frames, tiny_general_folder, write_video


@pytest.fixture(scope="session")
def general(tmp_path_factory):
    """A general model folder: twin tiny AlexNets, one epoch on synthetic wild faces."""
    return tiny_general_folder(tmp_path_factory.mktemp("models") / "general")


@pytest.fixture(scope="session")
def clip(tmp_path_factory):
    """A 13 s video: 12 synthetic faces, one per second, and a blank frame at 5 s.

    Returns ``(path, truth)`` with truth[t] = (valence, arousal) of the frame at t seconds,
    NaN for the blank one and any the default FaceCropper misses once the video is
    compressed.
    """
    frames, valence, arousal = detectable_frames(12, random_state=2)
    blank = np.full_like(frames[0], 120)
    order = [*frames[:5], blank, *frames[5:]]
    truth = np.column_stack([valence, arousal])
    truth = np.insert(truth, 5, np.nan, axis=0)
    path = write_video(tmp_path_factory.mktemp("video") / "person one.avi", order)
    decoded = [frame for _, frame in VideoFrames(path, every_seconds=1)]
    missed = np.array([box is None for box in FaceCropper().detect(decoded)])
    truth[missed] = np.nan
    return path, truth
