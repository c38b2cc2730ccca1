import cv2
import numpy as np
import pytest

from sklearn_fer.active import GreedySampler
from sklearn_fer.persistence import ModelFolderError, load_pretrained
from sklearn_fer.workflow import LABEL_COLUMNS, SAMPLERS, query_video, read_labels, set_label
from sklearn_fer.workflow._pool import featurizers, pool_features

from .._helpers import write_video


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


def test_chosen_faces_and_a_labels_file_to_fill_in(two_rounds):
    folder, first, _, _ = two_rounds
    assert len(first) == 3
    table = (folder / "labels.csv").read_text().splitlines()
    assert table[0] == ",".join(LABEL_COLUMNS)
    labels = read_labels(folder)
    assert labels["valence"].isna().sum() == 5 and labels["arousal"].isna().sum() == 5
    assert (labels["video"] == "person one.avi").all()
    assert labels["sampler"].tolist() == ["gsx"] * 3 + ["random"] * 3
    assert first["time_s"].is_monotonic_increasing and 5.0 not in labels["time_s"].tolist()
    for row in labels.itertuples():
        face = cv2.imread(str(folder / row.path))
        assert face.shape == (64, 64, 3)
        assert row.path == f"faces/person_one_{int(row.time_s * 1000):09d}ms.png"


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
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames
    from sklearn_fer.workflow._query import video_pool

    video, _ = clip
    query_video(video, general, tmp_path / "two", n=3, every_seconds=1)
    query_video(video, general, tmp_path / "two", n=3, every_seconds=1)
    query_video(video, general, tmp_path / "one", n=6, every_seconds=1)
    two = read_labels(tmp_path / "two")
    assert set(two["time_s"]) == set(read_labels(tmp_path / "one")["time_s"])
    # ... which is not what 3 picks among the remaining frames alone would be.
    nets, _ = load_pretrained(general)
    times, faces, _ = video_pool(VideoFrames(video, every_seconds=1), FaceCropper(output_size=64))
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
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import VideoFrames
    from sklearn_fer.workflow._query import video_pool

    video, _ = clip
    chosen = query_video(video, general, tmp_path / "l", n=5, every_seconds=1)
    nets, _ = load_pretrained(general)
    times, faces, _ = video_pool(VideoFrames(video, every_seconds=1), FaceCropper(output_size=64))
    picks = GreedySampler("x").select(pool_features(featurizers(nets), faces), 5)
    assert sorted(chosen["time_s"]) == sorted(times[picks])


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
