import shutil

import numpy as np
import pytest

from sklearn_fer.optim import FusedAdam
from sklearn_fer.persistence import ModelFolderError, load_pretrained, save_pretrained
from sklearn_fer.regressors import DenseHeadRegressor
from sklearn_fer.workflow import personalise, query_video, read_labels, set_label


def _head():
    return DenseHeadRegressor(None, optimizer=FusedAdam, lr=1e-3, max_epochs=5, batch_size=8)


@pytest.fixture(scope="module")
def labelled(general, clip, tmp_path_factory):
    """Every frame with a face chosen; all but two labelled from the generator's truth."""
    video, truth = clip
    folder = tmp_path_factory.mktemp("person") / "labels"
    chosen = query_video(video, general, folder, n=100, sampler="random", every_seconds=1)
    for row in chosen.iloc[2:].itertuples():
        valence, arousal = truth[int(row.time_s)]
        set_label(folder, row.path, float(valence), float(arousal))
    return folder, len(chosen) - 2


@pytest.fixture(scope="module")
def result(labelled, general):
    folder, _ = labelled
    return personalise(folder, general, cv=3, head=_head(), random_state=0)


def test_the_labelled_frames_are_cross_validated_against_the_general_model(result, labelled):
    _, n_labelled = labelled
    assert result.n_labelled == n_labelled and result.n_folds == 3
    scores = result.scores
    assert scores[["target", "model"]].values.tolist() == [
        ["valence", "general (Transfer 0%)"],
        ["valence", "personal"],
        ["arousal", "general (Transfer 0%)"],
        ["arousal", "personal"],
    ]
    assert scores["rmse"].notna().all()
    assert set(result.results["condition"]) == {"transfer_0", "transfer_100"}
    assert len(result.results) == 3 * 2 * 2  # folds x targets x conditions


def test_transfer_0_is_the_general_model_on_the_held_out_frames(result, labelled, general):
    from sklearn_fer.datasets import load_labelled_faces
    from sklearn_fer.metrics import rmse

    folder, _ = labelled
    faces = load_labelled_faces(folder, image_size=64)
    nets, _ = load_pretrained(general)
    rows = result.results[result.results["condition"] == "transfer_0"]
    # Folds partition the frames, so the folds' squared errors add up to the whole set's.
    for target in ("valence", "arousal"):
        per_fold = rows[rows["target"] == target]
        assert np.isfinite(per_fold["rmse"]).all()
        whole = rmse(faces[target], nets[target].predict(faces.images))
        assert min(per_fold["rmse"]) <= whole + 1e-6 <= max(per_fold["rmse"]) + 2e-6


def test_the_personal_models_are_fine_tuned_heads_that_save_and_load(result, tmp_path, clip):
    from sklearn_fer.datasets import VideoFrames

    assert list(result.models) == ["valence", "arousal"]
    frames = np.stack([f for _, f in VideoFrames(clip[0], every_seconds=6)])[:, :64, :64]
    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64)
    nets, _ = load_pretrained(folder, kind="personal")
    for target, pipeline in result.models.items():
        np.testing.assert_allclose(
            nets[target].predict(frames), pipeline.predict(frames), rtol=1e-4, atol=1e-5
        )
        general_head = pipeline.named_steps["head"].pretrained
        assert not np.allclose(pipeline.predict(frames), general_head.predict(frames), atol=1e-5)


def test_the_same_seed_gives_the_same_personal_model(result, labelled, general):
    again = personalise(labelled[0], general, cv=3, head=_head(), random_state=0)
    np.testing.assert_allclose(again.scores["rmse"], result.scores["rmse"], rtol=1e-5)


def test_a_personal_model_is_not_personalised_again(result, labelled, tmp_path):
    folder = save_pretrained(result.models, tmp_path / "personal", image_size=64)
    with pytest.raises(ModelFolderError, match="holds a personal model; a general model"):
        personalise(labelled[0], folder)


def test_too_few_labels(general, labelled, tmp_path):
    folder, _ = labelled
    (tmp_path / "faces").mkdir()
    labels = read_labels(folder)
    lines = ["path,valence,arousal"]
    for i, row in enumerate(labels.itertuples()):
        (tmp_path / row.path).write_bytes((folder / row.path).read_bytes())
        lines.append(f"{row.path},{'0.1,0.2' if i == 0 else ','}")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="has 1 labelled frame"):
        personalise(tmp_path, general)


def test_bad_labels_are_named_and_nothing_is_trained(general, labelled, tmp_path):
    folder, _ = labelled
    (tmp_path / "faces").mkdir()
    first = read_labels(folder)["path"][0]
    (tmp_path / first).write_bytes((folder / first).read_bytes())
    (tmp_path / "labels.csv").write_text(f"path,valence,arousal\n{first},0.5,1.7\n")
    with pytest.raises(ValueError, match="line 2 .*label outside"):
        personalise(tmp_path, general)


def test_bad_cv(general, labelled):
    with pytest.raises(ValueError, match="cv must be an int >= 2"):
        personalise(labelled[0], general, cv=1)


# -- issue 26: rows trained on once, folds that do not depend on row order ----------------


def _copy(folder, to, edit):
    """A copy of a labelling folder whose labels.csv lines (header kept) go through edit."""
    shutil.copytree(folder, to)
    lines = (to / "labels.csv").read_text().splitlines()
    (to / "labels.csv").write_text("\n".join([lines[0], *edit(lines[1:])]) + "\n")
    return to


def _labelled_only(lines):
    return [line for line in lines if line.split(",")[1]]


def test_a_file_listed_twice_is_refused_with_its_line(general, labelled, tmp_path):
    folder, _ = labelled
    copy = _copy(folder, tmp_path / "l", lambda lines: [*lines, "./" + _labelled_only(lines)[0]])
    with pytest.raises(ValueError, match=r"line 14 \(\./faces/.*\): the same file as line 4"):
        personalise(copy, general, cv=2, head=_head())
    backslash = _copy(
        folder,
        tmp_path / "b",
        lambda lines: [*lines, _labelled_only(lines)[1].replace("/", "\\", 1)],
    )
    with pytest.raises(ValueError, match="the same file as line 5"):
        personalise(backslash, general, cv=2, head=_head())


def test_errors_name_the_line_and_no_python_argument(general, labelled, tmp_path):
    folder, _ = labelled
    copy = _copy(folder, tmp_path / "l", lambda lines: lines)
    missing = read_labels(copy)["path"][3]
    (copy / missing).unlink()
    with pytest.raises(ValueError) as error:
        personalise(copy, general, cv=2, head=_head())
    assert f"line 5 ({missing}): missing image" in str(error.value)
    assert "errors=" not in str(error.value)


def test_the_scores_do_not_depend_on_the_order_of_the_rows(result, labelled, general, tmp_path):
    folder, _ = labelled
    rng = np.random.default_rng(0)
    shuffled = _copy(folder, tmp_path / "s", lambda lines: list(rng.permutation(lines)))
    again = personalise(shuffled, general, cv=3, head=_head(), random_state=0)
    np.testing.assert_allclose(again.scores["rmse"], result.scores["rmse"], rtol=1e-5)
    np.testing.assert_allclose(again.scores["ccc"], result.scores["ccc"], rtol=1e-5)


def test_a_label_that_never_varies_has_no_ccc(general, labelled, tmp_path):
    folder, _ = labelled

    def constant_valence(lines):
        out = []
        for line in lines:
            cells = line.split(",")
            if cells[1]:
                cells[1] = "0.500"
            out.append(",".join(cells))
        return out

    copy = _copy(folder, tmp_path / "l", constant_valence)
    with pytest.warns(UserWarning, match="valence labels never vary in every test fold"):
        constant = personalise(copy, general, cv=3, head=_head())
    scores = constant.scores.set_index(["target", "model"])["ccc"]
    assert scores.loc["valence"].isna().all()  # undefined, for the general and personal
    assert scores.loc["arousal"].notna().all()
