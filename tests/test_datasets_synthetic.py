import numpy as np
import pytest

from sklearn_fer.datasets import make_faces


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


def test_descr_says_the_data_are_synthetic(lab):
    assert "synthetic" in lab.DESCR.lower()
    assert "modelling assumption" in lab.DESCR


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


def _mean_abs_difference(a, b):
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def test_expression_is_drawn_where_the_face_shows_it():
    # Same identity and scene: valence changes the lower face, arousal the eyes too, and
    # neither the hair line at the top of the frame.
    from sklearn_fer.datasets._synthetic import _lab_scene, _make_identity, _make_setting, _render

    identity_rng = np.random.default_rng(0)
    identity = _make_identity(identity_rng)
    setting = _make_setting(identity_rng, "lab")
    scene = _lab_scene(np.random.default_rng(1), setting)
    scene["noise"] = 0.0
    happy = _render(identity, scene, 0.9, 0.0, False, np.random.default_rng(2), 128)
    sad = _render(identity, scene, -0.9, 0.0, False, np.random.default_rng(2), 128)
    calm = _render(identity, scene, 0.0, -0.9, False, np.random.default_rng(2), 128)
    excited = _render(identity, scene, 0.0, 0.9, False, np.random.default_rng(2), 128)
    mouth, hairline = (slice(75, 110), slice(30, 100)), (slice(0, 20), slice(0, 128))
    eyes = (slice(40, 60), slice(20, 108))
    assert _mean_abs_difference(happy[mouth], sad[mouth]) > 2
    assert _mean_abs_difference(calm[mouth], excited[mouth]) > 2
    assert _mean_abs_difference(calm[eyes], excited[eyes]) > 2
    for a, b in ((happy, sad), (calm, excited)):
        assert _mean_abs_difference(a[hairline], b[hairline]) == 0


def test_default_expressiveness_is_more_personal_for_arousal():
    faces = make_faces(300, 1, random_state=0)
    offset_spread = faces.expression_offset.std(axis=0)
    log_gain_spread = np.log(faces.expression_gain).std(axis=0)
    assert offset_spread[1] > 2 * offset_spread[0]
    assert log_gain_spread[1] > 2 * log_gain_spread[0]


def test_personal_expressiveness_can_be_turned_off():
    faces = make_faces(5, 1, offset_std=0, gain_std=0, random_state=0)
    np.testing.assert_array_equal(faces.expression_offset, 0)
    np.testing.assert_array_equal(faces.expression_gain, 1)


def test_image_size_scales_the_same_face():
    small = make_faces(1, 2, image_size=64, random_state=0)
    large = make_faces(1, 2, image_size=128, random_state=0)
    assert large.images.shape[1:] == (128, 128, 3)
    np.testing.assert_array_equal(small.target, large.target)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"domain": "studio"}, "domain must be one of"),
        ({"n_subjects": 0}, "n_subjects must be an int >= 1"),
        ({"n_samples_per_subject": -3}, "n_samples_per_subject must be an int >= 1"),
        ({"image_size": 62}, "image_size must be an int >= 63"),
        ({"image_size": 64.0}, "image_size must be an int >= 63"),
        ({"frames_per_segment": 0}, "frames_per_segment"),
        ({"offset_std": -0.1}, "offset_std"),
        ({"gain_std": (0.1, np.nan)}, "gain_std"),
        ({"blink_rate": 1.5}, "blink_rate"),
        ({"expression_noise": -1}, "expression_noise"),
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
