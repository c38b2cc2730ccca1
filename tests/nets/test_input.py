"""ImageInput: uint8 and float, channels last and first, normalisation."""

from pathlib import Path

import numpy as np
import pytest
import torch

from sklearn_fer.nets import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    AlexNet,
    ImageInput,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "torchvision_alexnet_state_dict.json"


def test_input_stage_normalises_uint8_channels_last():
    image = torch.zeros(1, 64, 64, 3, dtype=torch.uint8)
    image[..., 0] = 255  # pure red
    out = ImageInput()(image)
    assert out.shape == (1, 3, 64, 64)
    expected = [(1.0 - IMAGENET_MEAN[0]) / IMAGENET_STD[0]] + [
        (0.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c] for c in (1, 2)
    ]
    np.testing.assert_allclose(out[0, :, 10, 10].numpy(), expected, rtol=1e-6)


def test_input_stage_gives_same_result_for_all_accepted_layouts():
    rng = np.random.default_rng(0)
    nhwc = torch.from_numpy(rng.integers(0, 256, (2, 64, 64, 3), dtype=np.uint8))
    stage = ImageInput()
    reference = stage(nhwc)
    torch.testing.assert_close(stage(nhwc.permute(0, 3, 1, 2).contiguous()), reference)
    torch.testing.assert_close(stage(nhwc.float() / 255), reference)
    torch.testing.assert_close(stage((nhwc.float() / 255).permute(0, 3, 1, 2)), reference)


def test_input_stage_buffers_stay_out_of_the_state_dict():
    assert not any(name.startswith("input.") for name in AlexNet().state_dict())


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (torch.zeros(2, 64, 64), ValueError, "4-D"),
        (torch.zeros(2, 64, 64, 4), ValueError, "3 colour channels"),
        (torch.zeros(2, 64, 64, 3, dtype=torch.int32), TypeError, "uint8 or floating"),
    ],
)
def test_input_stage_rejects_bad_batches(bad, error, match):
    with pytest.raises(error, match=match):
        ImageInput()(bad)


def test_gray_input_is_opencv_luma_on_minus_one_to_one():
    import cv2

    from sklearn_fer.nets import GrayInput

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    got = GrayInput(64)(torch.from_numpy(images)).numpy()[:, 0]
    expected = np.stack([cv2.cvtColor(im, cv2.COLOR_RGB2GRAY) for im in images]) / 255.0
    assert got.shape == (3, 64, 64)
    # OpenCV rounds its gray values to integers (half a level) with 14-bit fixed-point
    # weights (a few hundredths of a level more); the stage keeps float32.
    np.testing.assert_allclose((got + 1) / 2, expected, atol=0.55 / 255)


def test_gray_input_resizes_as_opencv_bilinear():
    import cv2

    from sklearn_fer.nets import GrayInput

    gray = np.random.default_rng(1).integers(0, 256, size=(95, 95), dtype=np.uint8)
    rgb = np.repeat(gray[None, :, :, None], 3, axis=3)
    got = (GrayInput(64)(torch.from_numpy(rgb)).numpy()[0, 0] + 1) / 2
    expected = cv2.resize(gray.astype(np.float32), (64, 64), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_allclose(got, expected / 255.0, atol=1e-4)


def test_gray_input_rejects_other_channel_counts():
    from sklearn_fer.nets import GrayInput

    with pytest.raises(ValueError, match="3 colour channels"):
        GrayInput()(torch.zeros(1, 64, 64, 1, dtype=torch.uint8))
