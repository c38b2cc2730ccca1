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
