import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_fer.datasets import ACTION_UNITS, AFFECTNET_EXPRESSIONS, make_faces
from sklearn_fer.datasets._faces._action_units import (
    CIRCUMPLEX,
    CORE_AFFECT,
    EXPRESSION_PROTOTYPES,
)


@pytest.fixture(scope="module")
def lab():
    return make_faces(3, 20, random_state=0)


def test_bunch_contents_shapes_and_dtypes(lab):
    n = 60
    assert lab.images.shape == (n, 64, 64, 3) and lab.images.dtype == np.uint8
    for name in ("valence", "arousal"):
        assert lab[name].shape == (n,) and lab[name].dtype == np.float32
    np.testing.assert_array_equal(lab.target, np.column_stack([lab.valence, lab.arousal]))
    assert np.all(np.abs(lab.target) <= 1)
    np.testing.assert_array_equal(lab.subject, np.repeat([0, 1, 2], 20))
    assert lab.expression_offset.shape == lab.expression_gain.shape == (3, 2)
    assert lab.feature_names == ["valence", "arousal"]
    assert lab.expression.shape == (n,) and lab.expression.dtype == np.int64
    assert set(np.unique(lab.expression)) <= set(range(8))
    assert lab.aus.shape == (n, 18) and lab.aus.dtype == np.float32
    assert lab.aus.min() >= 0 and lab.aus.max() <= 1
    assert lab.au_names == list(ACTION_UNITS) and lab.au_names[:3] == ["AU1", "AU2", "AU4"]
    assert lab.au_gain.shape == (3, 18)


def test_expression_names_are_affectnets_shared_coding(lab):
    assert lab.expression_names == [AFFECTNET_EXPRESSIONS[code] for code in range(8)]
    assert lab.expression_names[1] == "happiness" and lab.expression_names[7] == "contempt"
    seven = make_faces(1, 2, n_expressions=7, random_state=0)
    assert seven.expression_names == lab.expression_names[:7]


def test_descr_says_the_data_are_synthetic_and_where_the_mapping_comes_from(lab):
    assert "synthetic" in lab.DESCR.lower()
    assert "modelling assumption" in lab.DESCR
    for source in ("EMFACS", "Russell (1980)", "Ekman, Friesen & Hager (2002)", "CK+"):
        assert source in lab.DESCR
    assert "7 contempt" in lab.DESCR and "AU14 0.8" in lab.DESCR
    assert "7 contempt" not in make_faces(1, 1, n_expressions=7, random_state=0).DESCR


def test_same_seed_same_data_other_seed_other_data():
    first = make_faces(2, 6, domain="wild", random_state=3)
    second = make_faces(2, 6, domain="wild", random_state=3)
    other = make_faces(2, 6, domain="wild", random_state=4)
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.target, second.target)
    assert not np.array_equal(first.images, other.images)


def test_a_subjects_identity_does_not_depend_on_the_sample_count():
    few = make_faces(3, 5, random_state=0)
    many = make_faces(5, 40, random_state=0)
    np.testing.assert_array_equal(few.expression_offset, many.expression_offset[:3])
    np.testing.assert_array_equal(few.expression_gain, many.expression_gain[:3])


def test_domains_never_share_identities():
    lab = make_faces(4, 1, domain="lab", random_state=0)
    wild = make_faces(4, 1, domain="wild", random_state=0)
    assert not np.allclose(lab.expression_offset, wild.expression_offset)


def test_lab_labels_are_constant_within_segments_of_five_frames(lab):
    for segment in np.unique(lab.segment):
        rows = lab.segment == segment
        assert rows.sum() <= 5
        assert np.unique(lab.target[rows], axis=0).shape[0] == 1
        assert np.unique(lab.expression[rows]).size == 1
        assert np.unique(lab.subject[rows]).size == 1
    assert np.unique(lab.segment).size == 3 * 4  # 20 frames per subject, 5 per segment


def test_lab_segments_cover_the_four_quadrants_for_every_subject(lab):
    for subject in range(3):
        signs = {tuple(np.sign(t)) for t in lab.target[lab.subject == subject]}
        assert signs == {(1, 1), (1, -1), (-1, 1), (-1, -1)}


def test_lab_frames_are_four_seconds_apart(lab):
    np.testing.assert_array_equal(lab.time_s[:20], 4.0 * np.arange(20))


def test_wild_images_each_have_their_own_segment_and_no_time():
    wild = make_faces(2, 5, domain="wild", random_state=0)
    assert np.unique(wild.segment).size == 10
    assert np.all(np.isnan(wild.time_s))


def test_wild_backgrounds_vary_more_than_a_lab_subjects():
    wild = make_faces(1, 30, domain="wild", random_state=0)
    lab = make_faces(1, 30, domain="lab", random_state=0)

    def corner_spread(data):
        corners = data.images[:, :4, :4].reshape(len(data.images), -1).mean(axis=1)
        return corners.std()

    assert corner_spread(wild) > 5 * corner_spread(lab)


def test_default_expressiveness_is_more_personal_for_arousal():
    faces = make_faces(300, 1, random_state=0)
    offset_spread = faces.expression_offset.std(axis=0)
    log_gain_spread = np.log(faces.expression_gain).std(axis=0)
    assert offset_spread[1] > 2 * offset_spread[0]
    assert log_gain_spread[1] > 2 * log_gain_spread[0]


def test_personal_expressiveness_can_be_turned_off():
    faces = make_faces(5, 1, offset_std=0, gain_std=0, au_gain_std=0, random_state=0)
    np.testing.assert_array_equal(faces.expression_offset, 0)
    np.testing.assert_array_equal(faces.expression_gain, 1)
    np.testing.assert_array_equal(faces.au_gain, 1)


def test_each_person_has_their_own_au_gains():
    faces = make_faces(200, 1, random_state=0)
    log_gain = np.log(faces.au_gain)
    assert log_gain.std(axis=0).min() > 0.15  # every AU varies between people
    assert not np.allclose(log_gain[0], log_gain[1])


def test_au_gains_change_the_aus_of_the_same_labels():
    # Same seed, so the same labels and frames: only the people's AU gains differ.
    plain = make_faces(3, 20, au_gain_std=0, expression_noise=0, random_state=0)
    personal = make_faces(3, 20, au_gain_std=0.5, expression_noise=0, random_state=0)
    np.testing.assert_array_equal(plain.target, personal.target)
    np.testing.assert_array_equal(plain.expression, personal.expression)
    shown = (plain.aus > 0.05) & (plain.aus < 0.5) & (personal.aus < 1)
    ratio = personal.aus[shown] / plain.aus[shown]
    expected = personal.au_gain[personal.subject][shown]
    np.testing.assert_allclose(ratio, expected, rtol=1e-4)


def test_image_size_scales_the_same_face():
    small = make_faces(1, 2, image_size=64, random_state=0)
    large = make_faces(1, 2, image_size=128, random_state=0)
    assert large.images.shape[1:] == (128, 128, 3)
    np.testing.assert_array_equal(small.target, large.target)


@pytest.fixture(scope="module")
def wild():
    return make_faces(150, 8, domain="wild", random_state=0)


def _au(faces, name):
    return faces.aus[:, faces.au_names.index(name)]


def test_valence_and_arousal_stay_visible_through_the_aus(wild):
    # Valence through the lip corners (AU12 up, AU15 down), arousal through the lids
    # (AU5 up, AU41 droop) and the mouth opening (AU25, AU26).
    lip_corners = _au(wild, "AU12") - _au(wild, "AU15")
    activation = _au(wild, "AU5") - _au(wild, "AU41") + _au(wild, "AU25") + _au(wild, "AU26")
    assert np.corrcoef(wild.valence, lip_corners)[0, 1] > 0.8
    assert np.corrcoef(wild.arousal, activation)[0, 1] > 0.8


def test_expressions_sit_where_the_circumplex_puts_them(wild):
    mean = {
        code: wild.target[wild.expression == code].mean(axis=0)
        for code in range(8)
        if np.any(wild.expression == code)
    }
    assert len(mean) == 8
    assert mean[1][0] > 0.3  # happiness: positive valence
    assert mean[2][0] < -0.3 and mean[2][1] < -0.1  # sadness: negative, low arousal
    assert mean[3][1] > 0.3 and mean[4][1] > 0.3  # surprise and fear: high arousal
    for code in (4, 5, 6, 7):  # fear, disgust, anger, contempt: negative valence
        assert mean[code][0] < -0.2
    assert np.abs(mean[0]).max() < 0.25  # neutral near the origin


@pytest.mark.parametrize(
    "code, cues",
    [
        (5, ["AU9"]),  # disgust: the nose wrinkle
        (3, ["AU1", "AU2", "AU26"]),  # surprise: raised brows, dropped jaw
        (7, ["AU14"]),  # contempt: the one-sided dimpler
        (4, ["AU20", "AU4"]),  # fear: stretched lips, brows drawn together
        (6, ["AU23", "AU7"]),  # anger: tightened lips and lids
    ],
)
def test_expressions_carry_cues_of_their_own(wild, code, cues):
    shows = wild.expression == code
    for cue in cues:
        intensity = _au(wild, cue)
        assert intensity[shows].mean() > intensity[~shows].mean() + 0.25, cue


def test_expressions_are_recovered_from_aus_far_better_than_from_valence_and_arousal(wild):
    # A linear classifier on the ground-truth AUs recovers the expression far above the
    # majority class; a flexible classifier on (valence, arousal) alone, which would be
    # near perfect if the expression were a function of them, does measurably worse.
    majority = np.bincount(wild.expression).max() / len(wild.expression)
    on_aus = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    on_labels = KNeighborsClassifier(n_neighbors=25)
    aus_accuracy = cross_val_score(on_aus, wild.aus, wild.expression, cv=3).mean()
    labels_accuracy = cross_val_score(on_labels, wild.target, wild.expression, cv=3).mean()
    assert majority < 0.3
    assert aus_accuracy > 0.85
    assert labels_accuracy > 2 * majority  # consistent with valence and arousal
    assert aus_accuracy > labels_accuracy + 0.2  # but not determined by them


def test_seven_expressions_drop_contempt_and_keep_valence_arousal_and_identities():
    eight = make_faces(20, 10, domain="wild", random_state=0)
    seven = make_faces(20, 10, domain="wild", n_expressions=7, random_state=0)
    assert 7 in eight.expression and 7 not in seven.expression
    assert set(np.unique(seven.expression)) <= set(range(7))
    np.testing.assert_array_equal(eight.target, seven.target)
    np.testing.assert_array_equal(eight.au_gain, seven.au_gain)
    same = eight.expression != 7
    assert np.mean(eight.expression[same] == seven.expression[same]) > 0.8


def test_blinks_are_au45_and_nothing_else():
    faces = make_faces(10, 20, blink_rate=0.3, random_state=0)
    blink = _au(faces, "AU45")
    assert set(np.unique(blink)) == {0.0, 1.0}
    assert 0.15 < blink.mean() < 0.45
    assert np.all(make_faces(2, 20, blink_rate=0, random_state=0).aus[:, -1] == 0)


def _documented_table(title):
    """The rows of the first reST simple table after ``title`` in make_faces' Notes,
    continuation lines joined to their row, each row as its list of cells."""
    lines = make_faces.__doc__.split(title, 1)[1].splitlines()
    rules = [i for i, line in enumerate(lines) if line.strip().startswith("====")][:3]
    starts = [m.start() for m in re.finditer(r"=+", lines[rules[0]])] + [None]
    rows = []
    for line in lines[rules[1] + 1 : rules[2]]:
        cells = [
            line[a:b].strip()
            for a, b in zip(starts[:-1], [s - 1 if s else None for s in starts[1:]])
        ]
        if cells[0]:
            rows.append(cells)
        else:
            rows[-1][-1] += " " + cells[-1]
    return rows


def test_the_docstring_tables_are_the_mapping_the_code_uses():
    core = {au: formula for au, _, formula in _documented_table("Core affect")}
    assert list(core) == list(CORE_AFFECT)
    for au, formula in core.items():
        terms = re.findall(r"(?:^|([+-]) )([\d.]+) (valence[+-]|arousal[+-]|rest)", formula)
        documented = {term: float(sign + weight) for sign, weight, term in terms}
        assert documented == CORE_AFFECT[au], au
    prototypes = _documented_table("Expression prototypes")
    assert [int(code) for code, *_ in prototypes] == list(EXPRESSION_PROTOTYPES)
    for code, name, center, aus in prototypes:
        code = int(code)
        assert name == AFFECTNET_EXPRESSIONS[code]
        assert center == "({:g}, {:g})".format(*CIRCUMPLEX[code])
        documented = dict(re.findall(r"(AU\d+) ([\d.]+)", aus))
        assert {au: float(v) for au, v in documented.items()} == EXPRESSION_PROTOTYPES[code]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"domain": "studio"}, r"'domain' .* a str among .*Got 'studio'"),
        ({"n_subjects": 0}, r"'n_subjects' .* \[1, inf\)\. Got 0 instead"),
        ({"n_subjects": True}, r"'n_subjects' .* an int \(not a bool\)"),
        ({"n_samples_per_subject": -3}, r"'n_samples_per_subject' .* \[1, inf\)\. Got -3"),
        ({"image_size": 62}, r"'image_size' .* \[63, inf\)\. Got 62 instead"),
        ({"image_size": 64.0}, r"'image_size' .* an int .* Got 64.0 instead"),
        ({"frames_per_segment": 0}, "frames_per_segment"),
        ({"offset_std": -0.1}, "offset_std"),
        ({"gain_std": (0.1, np.nan)}, "gain_std"),
        ({"blink_rate": 1.5}, "blink_rate"),
        ({"expression_noise": -1}, "expression_noise"),
        ({"n_expressions": 6}, r"'n_expressions' .* among \{[78], [78]\}\. Got 6"),
        ({"n_expressions": True}, r"'n_expressions' .* among \{[78], [78]\}\. Got True"),
        ({"n_expressions": "8"}, r"'n_expressions' .* among \{[78], [78]\}\. Got '8'"),
        ({"n_expressions": 7.0}, r"'n_expressions' .* among \{[78], [78]\}\. Got 7.0"),
        ({"au_gain_std": -0.5}, r"'au_gain_std' .* \[0.0, inf\)\. Got -0.5"),
        ({"au_gain_std": np.inf}, "au_gain_std"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_faces(**{"n_subjects": 1, "n_samples_per_subject": 1, **kwargs})


@pytest.mark.slow
def test_wild_faces_teach_a_general_model_that_transfers_to_unseen_people():
    # A briefly trained general model (the quick profile's valence net) predicts the
    # valence of people it never saw clearly better than the label's standard deviation,
    # the constant predictor's RMSE.
    from sklearn_fer import AlexNetRegressor, FusedAdam

    train = make_faces(500, 4, domain="wild", random_state=0)
    test = make_faces(100, 2, domain="wild", random_state=1)
    net = AlexNetRegressor(
        module__hidden_units=512,
        optimizer=FusedAdam,
        lr=1e-4,
        max_epochs=6,
        random_state=0,
    ).fit(train.images, train.valence)
    rmse = float(np.sqrt(np.mean((net.predict(test.images) - test.valence) ** 2)))
    std = float(test.valence.std())
    print(f"unseen subjects: valence RMSE {rmse:.3f}, label std {std:.3f}")
    assert rmse < 0.75 * std
