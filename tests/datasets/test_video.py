import cv2
import numpy as np
import pytest

from sklearn_fer import FaceCropper
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.datasets._video import faces_in_batches

from .._helpers import face_frames
from .._mp4 import frame_times, write_variable_rate
from .._real_media import real_media


def _write(path, values, fps, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for value in values:
        writer.write(np.full((size[1], size[0], 3), value, dtype=np.uint8))
    writer.release()
    return path


def test_each_sample_is_the_first_frame_at_or_after_its_requested_time(tmp_path):
    # Frame i has brightness 10 i and, at 3 frames/s, the timestamp i / 3.
    video = VideoFrames(_write(tmp_path / "v.avi", range(0, 200, 10), 3.0), every_seconds=1.5)
    samples = list(video.iter_frames())
    # Requested 0, 1.5, 3, 4.5, 6: frames 0 (0 s), 5 (1.667 s), 9 (3 s), 14 (4.667 s), 18.
    assert [index for index, _, _ in samples] == [0, 5, 9, 14, 18]
    assert [t for _, t, _ in samples] == [0.0, 1.666667, 3.0, 4.666667, 6.0]
    np.testing.assert_allclose([f.mean() for _, _, f in samples], [0, 50, 90, 140, 180], atol=4)
    assert video.n_expected == len(samples) and video.fps == 3.0 and video.frame_count == 20
    assert samples[0][2].shape == (48, 64, 3) and samples[0][2].dtype == np.uint8
    assert [t for t, _ in video] == [t for _, t, _ in samples]


def test_a_period_below_the_frame_interval_yields_every_frame_once(tmp_path):
    path = _write(tmp_path / "v.avi", range(0, 200, 10), 10.0)
    for every in (0.07, 0.1, 0.0999, None):
        frames = list(VideoFrames(path, every_seconds=every).iter_frames())
        assert [index for index, _, _ in frames] == list(range(20)), every
        assert VideoFrames(path, every_seconds=every).n_expected == 20
    # At 0.15 s: requested 0, 0.15, 0.3, 0.45 ... -> frames 0, 2, 3, 5, 6, 8 ...
    picked = [i for i, _, _ in VideoFrames(path, every_seconds=0.15).iter_frames()]
    assert picked[:6] == [0, 2, 3, 5, 6, 8]


def test_a_frame_keeps_its_index_whatever_the_period(tmp_path):
    path = _write(tmp_path / "v.avi", range(0, 250, 10), 6.0)
    every = {i: t for i, t, _ in VideoFrames(path, every_seconds=None).iter_frames()}
    for period in (0.333, 1.0, 0.5):
        for index, time_s, _ in VideoFrames(path, every_seconds=period).iter_frames():
            assert every[index] == time_s
    chosen = list(VideoFrames(path).at_indices([7, 3, 3, 99]))
    assert [(i, t) for i, t, _ in chosen] == [(3, every[3]), (7, every[7])]
    np.testing.assert_allclose([f.mean() for _, _, f in chosen], [30, 70], atol=4)


def test_times_are_the_frames_own_on_a_variable_rate_video(tmp_path):
    # Six frames 0.05 s apart, then six 0.15 s apart: the container says 10 frames/s.
    frames = [np.full((48, 64, 3), 20 * i, np.uint8) for i in range(12)]
    own = write_variable_rate(tmp_path / "vfr.mov", frames, [0.05] * 6 + [0.15] * 6)
    np.testing.assert_allclose(frame_times(tmp_path / "vfr.mov"), own)
    video = VideoFrames(tmp_path / "vfr.mov", every_seconds=0.3)
    assert video.fps == 10.0
    samples = list(video.iter_frames())
    # Requested 0, 0.3, 0.6, 0.9: the frames shown at those times, at their own times.
    assert [(i, t) for i, t, _ in samples] == [(0, 0.0), (6, 0.3), (8, 0.6), (10, 0.9)]
    np.testing.assert_allclose([f.mean() for _, _, f in samples], [0, 120, 160, 200], atol=4)


@pytest.mark.parametrize(
    "name", ["face_noface.mov", "noface_face.mov", "obama_speech.mp4", "WolfgangLanger_Pexels.mp4"]
)
def test_times_match_the_containers_on_the_real_videos(name):
    path = real_media(name)
    own = frame_times(path)
    every = list(VideoFrames(path, every_seconds=None).iter_frames())
    assert [i for i, _, _ in every] == list(range(len(own)))
    np.testing.assert_allclose([t for _, t, _ in every], own, atol=1e-6)
    # Sampled every 0.5 s: the first frame at or after each k * 0.5, at its own time.
    requested = np.arange(0, own[-1] + 1e-9, 0.5)
    expected = sorted({int(np.argmax(own >= r - 1e-6)) for r in requested})
    samples = list(VideoFrames(path, every_seconds=0.5).iter_frames())
    assert [i for i, _, _ in samples] == expected
    np.testing.assert_allclose([t for _, t, _ in samples], own[expected], atol=1e-6)


def test_every_frame_of_a_real_video_at_a_period_below_its_frame_interval():
    # 23.98 frames/s: 0.04 s is below the frame interval (0.0417 s).
    path = real_media("WolfgangLanger_Pexels.mp4")
    assert len(list(VideoFrames(path, every_seconds=0.04))) == 472


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
