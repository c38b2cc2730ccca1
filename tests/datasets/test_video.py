import cv2
import numpy as np
import pytest

from sklearn_fer import FaceCropper
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.datasets._video import faces_in_batches

from .._helpers import face_frames


def _write(path, values, fps, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for value in values:
        writer.write(np.full((size[1], size[0], 3), value, dtype=np.uint8))
    writer.release()
    return path


def test_frames_are_those_at_each_multiple_of_the_period(tmp_path):
    # Frame i has brightness 10 i: the sample at t must be frame round(t * fps).
    video = VideoFrames(_write(tmp_path / "v.avi", range(0, 200, 10), 3.0), every_seconds=1.5)
    samples = list(video)
    assert [t for t, _ in samples] == [0.0, 1.5, 3.0, 4.5, 6.0]
    expected = [10 * round(t * 3.0) for t, _ in samples]
    np.testing.assert_allclose([frame.mean() for _, frame in samples], expected, atol=4)
    assert video.n_expected == len(samples) and video.fps == 3.0 and video.frame_count == 20
    assert samples[0][1].shape == (48, 64, 3) and samples[0][1].dtype == np.uint8


def test_iterating_twice_reads_the_video_again(tmp_path):
    video = VideoFrames(_write(tmp_path / "v.avi", range(0, 100, 10), 2.0), every_seconds=1)
    assert [t for t, _ in video] == [t for t, _ in video] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_frames_come_out_rgb(tmp_path):
    path = tmp_path / "red.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 1.0, (64, 48))
    bgr_red = np.zeros((48, 64, 3), np.uint8)
    bgr_red[..., 2] = 200
    writer.write(bgr_red)
    writer.release()
    ((_, frame),) = list(VideoFrames(path, every_seconds=1))
    assert frame[..., 0].mean() > 150 and frame[..., 2].mean() < 50


@pytest.mark.parametrize("content", [None, b"not a video at all"])
def test_what_is_not_a_video_is_an_os_error(tmp_path, content):
    path = tmp_path / "clip.avi"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(OSError, match="cannot open video"):
        VideoFrames(path)


@pytest.mark.parametrize("every", [0, -1, float("nan"), "4", True])
def test_bad_periods(tmp_path, every):
    with pytest.raises(ValueError, match="every_seconds must be a positive number"):
        VideoFrames(tmp_path / "v.avi", every_seconds=every)


def test_faces_in_batches_keeps_order_and_marks_frames_without_a_face():
    frames = face_frames(3)[0]
    blank = np.full_like(frames[0], 90)
    stream = [(float(i), f) for i, f in enumerate([frames[0], blank, frames[1], frames[2]])]
    batches = list(faces_in_batches(stream, FaceCropper(output_size=64), batch_size=3))
    assert [len(times) for times, _, _ in batches] == [3, 1]
    times = np.concatenate([b[0] for b in batches])
    found = np.concatenate([b[1] for b in batches])
    faces = np.concatenate([b[2] for b in batches])
    np.testing.assert_array_equal(times, [0, 1, 2, 3])
    assert found.tolist() == [True, False, True, True]
    assert faces.shape == (3, 64, 64, 3)
