"""perturb_faces: the wild domain's perturbations at a controlled strength."""

import numpy as np
import pytest

from sklearn_fer.datasets import PERTURBATIONS, make_faces, perturb_faces

KINDS = list(PERTURBATIONS)


@pytest.fixture(scope="module")
def faces():
    return make_faces(2, 4, random_state=0).images


def _change(images, kind, strength, seed=0):
    shifted = perturb_faces(images, kind, strength, random_state=seed)
    return np.abs(shifted.astype(np.int16) - images).mean()


@pytest.mark.parametrize("kind", KINDS)
def test_strength_zero_is_the_identity_and_a_copy(faces, kind):
    shifted = perturb_faces(faces, kind, 0.0, random_state=0)
    np.testing.assert_array_equal(shifted, faces)
    assert shifted.dtype == np.uint8 and not np.shares_memory(shifted, faces)


@pytest.mark.parametrize("kind", KINDS)
def test_the_change_grows_with_the_strength(faces, kind):
    changes = [_change(faces, kind, s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert changes[0] == 0
    assert all(a < b for a, b in zip(changes[1:], changes[2:])), changes
    assert changes[1] > 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_input_is_left_alone_and_seeds_reproduce(faces, kind):
    before = faces.copy()
    first = perturb_faces(faces, kind, 0.6, random_state=3)
    np.testing.assert_array_equal(faces, before)
    np.testing.assert_array_equal(first, perturb_faces(faces, kind, 0.6, random_state=3))
    # An image's draws depend on its position only, not on the images after it.
    np.testing.assert_array_equal(first[:3], perturb_faces(faces[:3], kind, 0.6, random_state=3))


@pytest.mark.parametrize("kind", ["occlusion", "noise", "pose", "lighting"])
def test_other_seeds_draw_other_perturbations(faces, kind):
    assert not np.array_equal(
        perturb_faces(faces, kind, 0.6, random_state=0),
        perturb_faces(faces, kind, 0.6, random_state=1),
    )


def test_a_smaller_occluder_lies_inside_a_larger_one(faces):
    small = perturb_faces(faces, "occlusion", 0.2, random_state=0) != faces
    large = perturb_faces(faces, "occlusion", 0.9, random_state=0) != faces
    assert small.any()
    assert np.all(large[small])


def test_noise_has_the_stated_spread_on_a_mid_grey_image():
    grey = np.full((4, 64, 64, 3), 128, dtype=np.uint8)
    for strength in (0.25, 1.0):
        difference = perturb_faces(grey, "noise", strength, random_state=0).astype(float) - 128
        assert difference.std() == pytest.approx(24 * strength, rel=0.03)
        assert abs(difference.mean()) < 0.5


def test_blur_keeps_flat_images_and_smooths_edges(faces):
    flat = np.full((2, 64, 64, 3), 77, dtype=np.uint8)
    np.testing.assert_array_equal(perturb_faces(flat, "blur", 1.0), flat)
    roughness = [
        np.abs(np.diff(perturb_faces(faces, "blur", s).astype(float), axis=2)).mean()
        for s in (0.0, 0.5, 1.0)
    ]
    assert roughness[0] > roughness[1] > roughness[2]


def test_lighting_darkens_more_with_strength(faces):
    means = [perturb_faces(faces, "lighting", s, random_state=0).mean() for s in (0, 0.5, 1)]
    assert means[0] > means[1] > means[2]


def test_pose_turns_the_image_about_its_centre():
    image = np.zeros((1, 65, 65, 3), dtype=np.uint8)
    image[0, 32, :] = 255  # a horizontal bar through the centre
    turned = perturb_faces(image, "pose", 1.0, random_state=0)[0]
    assert turned[32, 32].tolist() == [255, 255, 255]  # the centre stays put
    assert turned[32, 2].max() < 255  # the bar's ends have left the row


def test_any_image_size_and_real_photographs_work():
    images = np.random.default_rng(0).integers(0, 256, size=(2, 40, 50, 3), dtype=np.uint8)
    for kind in KINDS:
        assert perturb_faces(images, kind, 0.5, random_state=0).shape == (2, 40, 50, 3)


@pytest.mark.parametrize(
    "kind, strength, match",
    [
        ("fog", 0.5, r"kind must be one of \['occlusion', 'noise', 'blur', 'pose', 'lighting'\]"),
        ("noise", -0.1, r"strength must be a number in \[0, 1\], got -0.1"),
        ("noise", 1.5, r"strength must be a number in \[0, 1\], got 1.5"),
        ("noise", float("nan"), "strength must be a number in"),
        ("noise", True, "strength must be a number in"),
        ("noise", "0.5", "strength must be a number in"),
    ],
)
def test_bad_settings_are_named(faces, kind, strength, match):
    with pytest.raises(ValueError, match=match):
        perturb_faces(faces, kind, strength)


def test_bad_images_are_refused(faces):
    with pytest.raises(TypeError, match="images must be uint8"):
        perturb_faces(faces / 255.0, "noise", 0.5)
    with pytest.raises(ValueError, match=r"images must be RGB images of shape"):
        perturb_faces(faces[..., 0], "noise", 0.5)
