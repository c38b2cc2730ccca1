"""How the FER2013 model's answer on the real speech moves with the face crop.

Before issue 23 every model was fed :class:`~sklearn_fer.FaceCropper`'s crop (a square 20%
wider than the Haar box on each side, colour, area resampling); the FER2013 model was
trained with another (``fer``'s: the box squared, 10 px on each side, gray, bilinear to
64 px: :data:`sklearn_fer._model_crop.FER_CROP`), which the model now carries. On the
frames of ``obama_speech.mp4`` sampled every 0.5 s (a serious face,
no valence-arousal ground truth), this prints, for each crop, how many frames the model
calls happy and the mean valence of the published map (Russell & Mehrabian 1977), first
with the old crop at several margins, then with ``fer``'s crop at several pixel offsets
and margins. Real faces; labels from a published expression-to-affect map, not ground
truth.

Run: ``python benchmarks/bench_crop_margin.py``
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import torch

from sklearn_fer import FaceCropper
from sklearn_fer._model_crop import FER_CROP, ModelCrop
from sklearn_fer.datasets import VideoFrames
from sklearn_fer.nets import FER2013_EXPRESSIONS, load_fer2013_valence_arousal

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from fetch_real_media import COMPLETE, default_destination  # noqa: E402


def main():
    folder = default_destination()
    if not (folder / COMPLETE).is_file():
        print(f"no real media in {folder}: run make venv (tools/fetch_real_media.py)")
        return 1
    torch.set_num_threads(1)
    frames = [frame for _, frame in VideoFrames(folder / "obama_speech.mp4", every_seconds=0.5)]
    boxes = FaceCropper().detect(frames)
    kept = [(f, b) for f, b in zip(frames, boxes) if b is not None]
    net = load_fer2013_valence_arousal().eval()
    happy = FER2013_EXPRESSIONS.index("happy")
    print(f"obama_speech.mp4 every 0.5 s: {len(frames)} frames, {len(kept)} with a Haar face")
    crops = [
        (f"old crop (colour, area), margin {m:.1f}", ModelCrop(64, margin=m))
        for m in (0.0, 0.1, 0.2, 0.3)
    ]
    crops += [
        (
            f"fer's crop (gray, bilinear), offsets {o} px",
            dataclasses.replace(FER_CROP, offsets=(o, o)),
        )
        for o in (0, 10, 20, 30)
    ]
    crops += [
        (
            f"fer's crop (gray, bilinear), margin {m:.1f}",
            dataclasses.replace(FER_CROP, offsets=(0, 0), margin=m),
        )
        for m in (0.1, 0.2)
    ]
    print(f"{'crop':48s} {'happy':>7s} {'valence':>8s} {'arousal':>8s}")
    for name, crop in crops:
        faces = np.stack([crop.cut(f, b) for f, b in kept])
        with torch.inference_mode():
            affect, probabilities = net.forward_both(torch.from_numpy(faces))
        n_happy = int((probabilities.argmax(1) == happy).sum())
        mark = "  <- the model's own (FER_CROP)" if crop == FER_CROP else ""
        print(
            f"{name:48s} {n_happy:3d}/{len(kept):<3d} {float(affect[:, 0].mean()):8.3f} "
            f"{float(affect[:, 1].mean()):8.3f}{mark}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
