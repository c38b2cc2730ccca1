import hashlib
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from sklearn_fer.active import GreedySampler
from sklearn_fer.persistence import ModelFolderError, load_pretrained
from sklearn_fer.workflow import LABEL_COLUMNS, SAMPLERS, query_video, read_labels, set_label
from sklearn_fer.workflow._face_files import LABEL_SIZE
from sklearn_fer.workflow._pool import featurizers, pool_features

from .._helpers import detectable_frames, write_video
from .._mp4 import frame_times, write_variable_rate


def _pool(video, every_seconds=1):
    """What query_video chooses among: faces cropped at LABEL_SIZE, then 64 px."""
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames
    from sklearn_fer.workflow._query import video_pool

    frames = VideoFrames(video, every_seconds=every_seconds)
    return video_pool(frames, FaceCropper(output_size=64), label_size=LABEL_SIZE)


@pytest.fixture(scope="module")
def two_rounds(general, clip, tmp_path_factory):
    """A folder queried twice (GSx, then random), a label set between the rounds."""
    video, _ = clip
    folder = tmp_path_factory.mktemp("rounds") / "labels"
    first = query_video(video, general, folder, n=3, every_seconds=1)
    set_label(folder, first["path"][0], 0.5, -0.5)
    before = (folder / "labels.csv").read_text().splitlines()
    second = query_video(video, general, folder, n=3, sampler="random", every_seconds=1)
    return folder, first, second, before


def test_chosen_faces_and_a_labels_file_to_fill_in(two_rounds, clip):
    folder, first, _, _ = two_rounds
    assert len(first) == 3
    table = (folder / "labels.csv").read_text().splitlines()
    assert table[0] == ",".join(LABEL_COLUMNS)
    labels = read_labels(folder)
    assert labels["valence"].isna().sum() == 5 and labels["arousal"].isna().sum() == 5
    assert (labels["video"] == "person one.avi").all()
    assert labels["sampler"].tolist() == ["gsx"] * 3 + ["random"] * 3
    assert first["time_s"].is_monotonic_increasing and 5.0 not in labels["time_s"].tolist()
    digest = hashlib.sha256(Path(clip[0]).read_bytes()).hexdigest()
    assert (labels["video_sha256"] == digest).all()
    for row in labels.itertuples():
        # A face a person can judge (the model's input is 64 px), named by the video's
        # identity and the frame's index; at 2 frames/s, frame 2 t is shown at t seconds.
        assert cv2.imread(str(folder / row.path)).shape == (LABEL_SIZE, LABEL_SIZE, 3)
        assert row.path == f"faces/person_one_{digest[:12]}_{row.frame:06d}.png"
        assert row.frame == 2 * row.time_s
        context = cv2.imread(str(folder / row.context))
        assert row.context == row.path.replace(".png", "_frame.jpg")
        assert context.shape == (240, 320, 3)  # the whole frame (narrower than 480 px)


def test_rounds_add_frames_and_never_change_earlier_rows(two_rounds):
    folder, first, second, before = two_rounds
    after = (folder / "labels.csv").read_text().splitlines()
    assert after[: len(before)] == before
    assert set(second["path"]).isdisjoint(first["path"])
    labels = read_labels(folder)
    assert labels["round"].tolist() == [1, 1, 1, 2, 2, 2]
    assert labels.loc[0, ["valence", "arousal"]].tolist() == [0.5, -0.5]


def test_a_fraction_of_the_frames_with_a_face(general, clip, tmp_path):
    video, truth = clip
    n_faces = int(np.isfinite(truth[:, 0]).sum())
    chosen = query_video(video, general, tmp_path / "l", fraction=0.25, every_seconds=1)
    assert len(chosen) == int(np.ceil(0.25 * n_faces))


def test_earlier_rounds_are_the_labelled_set_of_greedy_sampling(general, clip, tmp_path):
    # As in modAL: GSx's picks after a round of 3 continue the greedy run that started it,
    # so two rounds of 3 choose what one round of 6 does ...
    video, _ = clip
    query_video(video, general, tmp_path / "two", n=3, every_seconds=1)
    query_video(video, general, tmp_path / "two", n=3, every_seconds=1)
    query_video(video, general, tmp_path / "one", n=6, every_seconds=1)
    two = read_labels(tmp_path / "two")
    assert set(two["time_s"]) == set(read_labels(tmp_path / "one")["time_s"])
    # ... which is not what 3 picks among the remaining frames alone would be.
    nets, _ = load_pretrained(general)
    pool = _pool(video)
    times, faces = pool.time_s, pool.faces
    rest = ~np.isin(times, two.query("round == 1")["time_s"])
    alone = times[rest][GreedySampler("x").select(pool_features(featurizers(nets), faces[rest]), 3)]
    assert set(alone) != set(two.query("round == 2")["time_s"])


@pytest.mark.parametrize("sampler", [name for name in SAMPLERS if name not in ("gsx", "random")])
def test_every_sampler_chooses_distinct_frames_with_a_face(general, clip, tmp_path, sampler):
    video, truth = clip
    chosen = query_video(video, general, tmp_path / "l", n=4, sampler=sampler, every_seconds=1)
    assert len(set(chosen["time_s"])) == 4
    assert all(np.isfinite(truth[int(t)]).all() for t in chosen["time_s"])
    assert (chosen["sampler"] == sampler).all()


def test_gsx_picks_what_greedy_sampling_picks_on_the_features(general, clip, tmp_path):
    video, _ = clip
    chosen = query_video(video, general, tmp_path / "l", n=5, every_seconds=1)
    nets, _ = load_pretrained(general)
    pool = _pool(video)
    picks = GreedySampler("x").select(pool_features(featurizers(nets), pool.faces), 5)
    assert sorted(chosen["time_s"]) == sorted(pool.time_s[picks])


def test_what_is_labelled_is_what_is_trained_on(general, clip, tmp_path):
    # The pool's inputs are the saved faces, resized as personalise's loader resizes them.
    from sklearn_fer.datasets import load_labelled_faces

    video, _ = clip
    chosen = query_video(video, general, tmp_path / "l", n=4, sampler="random", every_seconds=1)
    for row in chosen.itertuples():
        set_label(tmp_path / "l", row.path, 0.1, 0.2)
    loaded = load_labelled_faces(tmp_path / "l", image_size=64)
    pool = _pool(video)
    rows = [int(np.flatnonzero(pool.index == frame)[0]) for frame in chosen["frame"]]
    np.testing.assert_array_equal(loaded.images, pool.faces[rows])
    # ... and the saved face is the crop at LABEL_SIZE: the 64-px crop is close to it.
    big = cv2.cvtColor(cv2.imread(str(tmp_path / "l" / chosen["path"][0])), cv2.COLOR_BGR2RGB)
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames

    ((_, _, frame),) = VideoFrames(video).at_indices([chosen["frame"][0]])
    direct = FaceCropper(output_size=LABEL_SIZE).transform(frame[None])[0]
    assert np.abs(big.astype(int) - direct).max() == 0


def test_a_video_without_faces(general, tmp_path):
    video = write_video(tmp_path / "wall.avi", [np.full((240, 320, 3), 90, np.uint8)] * 3)
    with pytest.raises(ValueError, match="no face found in any of the 3 frames"):
        query_video(video, general, tmp_path / "l", n=2, every_seconds=1)
    assert not (tmp_path / "l" / "labels.csv").exists()


def test_when_every_frame_is_chosen_there_is_nothing_left(general, clip, tmp_path):
    video, truth = clip
    n_faces = int(np.isfinite(truth[:, 0]).sum())
    chosen = query_video(video, general, tmp_path / "l", n=100, sampler="random", every_seconds=1)
    assert len(chosen) == n_faces
    with pytest.raises(ValueError, match="already in"):
        query_video(video, general, tmp_path / "l", n=1, every_seconds=1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(), "exactly one of n"),
        (dict(n=2, fraction=0.5), "exactly one of n"),
        (dict(n=0), "n must be an int >= 1"),
        (dict(fraction=1.5), "fraction must be a number in"),
        (dict(n=2, sampler="best"), "sampler must be one of"),
        (dict(n=2, every_seconds=0), "every_seconds"),
    ],
)
def test_bad_arguments(general, clip, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        query_video(clip[0], general, tmp_path / "l", **kwargs)
    assert not (tmp_path / "l").exists()


def test_a_labelling_folder_is_not_a_model(general, clip, tmp_path):
    query_video(clip[0], general, tmp_path / "l", n=2, every_seconds=1)
    with pytest.raises(ModelFolderError, match="labelling folder"):
        query_video(clip[0], tmp_path / "l", tmp_path / "m", n=2, every_seconds=1)


def test_an_unreadable_video(general, tmp_path):
    (tmp_path / "clip.avi").write_bytes(b"\x00" * 100)
    with pytest.raises(OSError, match="cannot open video"):
        query_video(tmp_path / "clip.avi", general, tmp_path / "l", n=2)


# -- issue 26: the labelling folder loses nothing ----------------------------------------


def _files(folder):
    return {p.name: p.read_bytes() for p in (folder / "faces").iterdir()}


def test_videos_whose_names_clean_alike_never_share_a_file(general, tmp_path):
    # "my video.avi", "my_video.avi" and "my video.mov" all cleaned to "my_video": the
    # second query replaced the first's faces while its rows still named the first video.
    frames, _, _ = detectable_frames(6, random_state=7)
    videos = [
        write_video(tmp_path / "my video.avi", list(frames[:3])),
        write_video(tmp_path / "my_video.avi", list(frames[3:])),
        write_video(tmp_path / "my video.mov", list(frames[::-1][:3])),
    ]
    folder = tmp_path / "labels"
    kept = {}
    for video in videos:
        chosen = query_video(video, general, folder, n=3, sampler="random", every_seconds=1)
        assert len(chosen) == 3
        files = _files(folder)
        assert {k: files[k] for k in kept} == kept  # nothing written before was changed
        kept = files
    labels = read_labels(folder)
    assert len(labels) == 9 and labels["path"].is_unique and labels["context"].is_unique
    assert len(kept) == 18  # a face and its frame per row
    # Each row's face is its own video's frame: the same crop as from that video alone.
    for i, video in enumerate(videos):
        alone = tmp_path / f"alone{i}"
        query_video(video, general, alone, n=3, sampler="random", every_seconds=1)
        mine = labels[labels["video"] == video.name]
        for a, b in zip(read_labels(alone)["path"], mine["path"]):
            assert (alone / a).read_bytes() == (folder / b).read_bytes()


def test_a_query_that_would_overwrite_a_file_refuses_before_writing(general, clip, tmp_path):
    video, _ = clip
    folder = tmp_path / "labels"
    chosen = query_video(video, general, tmp_path / "probe", n=2, every_seconds=1)
    (folder / "faces").mkdir(parents=True)
    (folder / chosen["path"][1]).write_bytes(b"someone's labelled face")
    with pytest.raises(ValueError, match="refusing to overwrite 1 file.*exists, with other"):
        query_video(video, general, folder, n=2, every_seconds=1)
    assert [p.name for p in (folder / "faces").iterdir()] == [Path(chosen["path"][1]).name]
    assert (folder / chosen["path"][1]).read_bytes() == b"someone's labelled face"
    assert not (folder / "labels.csv").exists()
    # Files holding exactly what a query writes (one interrupted after its faces) are fine.
    (folder / chosen["path"][1]).unlink()
    query_video(video, general, folder / "again", n=2, every_seconds=1)
    again = query_video(video, general, tmp_path / "probe2", n=2, every_seconds=1)
    for name in [*again["path"], *again["context"]]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes((tmp_path / "probe2" / name).read_bytes())
    assert len(query_video(video, general, folder, n=2, every_seconds=1)) == 2


def test_a_video_of_the_same_name_from_another_folder_is_another_video(general, tmp_path):
    frames, _, _ = detectable_frames(8, random_state=8)
    (tmp_path / "monday").mkdir()
    (tmp_path / "tuesday").mkdir()
    first = write_video(tmp_path / "monday" / "clip.avi", list(frames[:4]))
    second = write_video(tmp_path / "tuesday" / "clip.avi", list(frames[4:]))
    folder = tmp_path / "labels"
    query_video(first, general, folder, n=4, sampler="random", every_seconds=1)
    chosen = query_video(second, general, folder, n=4, sampler="random", every_seconds=1)
    assert len(chosen) == 4 and chosen.attrs["n_already"] == 0
    # The same video again (copied elsewhere, renamed): every frame is already there.
    copy = tmp_path / "copy of clip.avi"
    copy.write_bytes(second.read_bytes())
    with pytest.raises(ValueError, match="already in"):
        query_video(copy, general, folder, n=1, every_seconds=1)


def test_a_finer_step_never_picks_a_frame_again(general, tmp_path):
    # Twelve different faces, one per frame at 3 frames/s. A first round every second
    # takes frames 0, 3, 6, 9; a second every 0.333 s must add the other 8, and only them
    # (0.999 s and 1 s are the same frame).
    frames, _, _ = detectable_frames(12, random_state=9)
    video = write_video(tmp_path / "me.avi", list(frames), seconds_per_frame=1 / 3, fps=3.0)
    folder = tmp_path / "labels"
    query_video(video, general, folder, n=100, sampler="random", every_seconds=1)
    second = query_video(video, general, folder, n=100, sampler="random", every_seconds=0.333)
    faces = [(folder / p).read_bytes() for p in read_labels(folder)["path"]]
    assert len(second) == 8 and len(set(faces)) == 12  # no crop saved twice
    assert read_labels(folder)["frame"].tolist() == [0, 3, 6, 9, 1, 2, 4, 5, 7, 8, 10, 11]
    assert second.attrs == {
        "n_sampled": 12,
        "n_faces": 12,
        "n_already": 4,
        "n_wanted": 100,
        "round": 2,
    }


def test_each_row_has_its_frames_own_time_on_a_variable_rate_video(general, tmp_path):
    # Six faces 0.25 s apart, then six 0.75 s apart: the container's average is 2 fps.
    frames, _, _ = detectable_frames(12, random_state=10)
    deltas = [0.25] * 6 + [0.75] * 6
    own = write_variable_rate(tmp_path / "phone.mov", list(frames), deltas, timescale_fps=2.0)
    np.testing.assert_allclose(frame_times(tmp_path / "phone.mov"), own)
    chosen = query_video(
        tmp_path / "phone.mov", general, tmp_path / "l", n=100, sampler="random", every_seconds=1
    )
    # Requested 0, 1, ..., 5: the first frames at or after them, at their own times
    # (the average rate put frames 2 k at k seconds: 2, 4 and 5 s are no frame's time).
    np.testing.assert_allclose(chosen["time_s"], [0, 1, 2.25, 3, 4.5, 5.25])
    assert chosen["frame"].tolist() == [0, 4, 7, 8, 10, 11]
    np.testing.assert_allclose(chosen["time_s"], own[chosen["frame"].to_numpy()])


def test_a_deleted_round_column_is_refused(general, clip, tmp_path):
    video, _ = clip
    folder = tmp_path / "labels"
    query_video(video, general, folder, n=2, every_seconds=1)
    table = (folder / "labels.csv").read_text().splitlines()
    header = table[0].split(",")
    at = header.index("round")
    cut = [",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in table]
    (folder / "labels.csv").write_text("\n".join(cut) + "\n")
    before = sorted(p.name for p in (folder / "faces").iterdir())
    with pytest.raises(ValueError, match="no round numbers .*'round' column deleted"):
        query_video(video, general, folder, n=2, every_seconds=1)
    assert sorted(p.name for p in (folder / "faces").iterdir()) == before


def test_the_frame_in_context_shows_the_face_box(general, tmp_path):
    # A 1280x720 frame is saved 480 px wide with a green box where the face was found.
    from sklearn_fer import FaceCropper

    frames, _, _ = detectable_frames(2, random_state=11)
    big = [cv2.resize(f, (1280, 960)) for f in frames]
    big = [np.ascontiguousarray(f[120:840]) for f in big]
    video = write_video(tmp_path / "wide.avi", big)
    chosen = query_video(video, general, tmp_path / "l", n=1, every_seconds=1)
    context = cv2.cvtColor(
        cv2.imread(str(tmp_path / "l" / chosen["context"][0])), cv2.COLOR_BGR2RGB
    )
    assert context.shape == (270, 480, 3)
    from sklearn_fer.datasets import VideoFrames

    ((_, _, frame),) = VideoFrames(video).at_indices([chosen["frame"][0]])
    x, y, w, h = (v * 480 / 1280 for v in FaceCropper().detect(frame[None])[0])
    green = (context[..., 1] > 180) & (context[..., 0] < 90) & (context[..., 2] < 90)
    rows, cols = np.nonzero(green)
    assert abs(cols.min() - x) <= 3 and abs(cols.max() - (x + w)) <= 3
    assert abs(rows.min() - y) <= 3 and abs(rows.max() - (y + h)) <= 3


def test_a_folder_from_before_frame_indices_keeps_its_frames(general, clip, tmp_path):
    # Rows without frame and video_sha256 (an earlier version's) name the video and a
    # time: the frame shown then counts as already chosen, and the new rows add columns.
    video, truth = clip
    folder = tmp_path / "labels"
    (folder / "faces").mkdir(parents=True)
    cv2.imwrite(str(folder / "faces/person_one_000002000ms.png"), np.zeros((64, 64, 3), np.uint8))
    (folder / "labels.csv").write_text(
        "path,valence,arousal,expression,video,time_s,round,sampler\n"
        "faces/person_one_000002000ms.png,0.1,0.2,,person one.avi,2.000,1,gsx\n"
    )
    chosen = query_video(video, general, folder, n=100, sampler="random", every_seconds=1)
    assert chosen.attrs["n_already"] == 1 and 2.0 not in chosen["time_s"].tolist()
    assert len(chosen) == int(np.isfinite(truth[:, 0]).sum()) - 1
    labels = read_labels(folder)
    assert labels.loc[0, ["valence", "arousal"]].tolist() == [0.1, 0.2]
    assert labels["round"].tolist()[1:] == [2] * len(chosen) and pd.isna(labels["frame"][0])
