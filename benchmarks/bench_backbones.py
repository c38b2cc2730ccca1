"""Featurizer throughput of every built-in backbone at its native size, in one run.

Prints, measured side by side (rounds interleaved, medians reported, because these
machines are noisy):

* images/s of ``FrozenConvFeaturizer.transform`` for AlexNet at 224 px, Xception at
  299 px and the mini-Xception at 64 px (each backbone's native input), and of a bare
  ``torch.inference_mode`` loop over the same frozen part (the ratio says what the
  transformer costs);
* the GFLOP/s each achieves (multiply-adds x 2 of its conv and linear layers, counted by
  forward hooks), against a float32 4096 x 4096 matmul timed in the same run.

Small, memory-bound layers (the mini-Xception's 8-channel 62 x 62 maps, depthwise
convolutions) run far below the matmul's rate: the column says how far.

Run: ``python benchmarks/bench_backbones.py [--device cuda] [--rounds 3] [--scale 1.0]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from bench_featurizer import forward_flops, synchronize, time_matmul

from sklearn_fer import FrozenConvFeaturizer
from sklearn_fer.nets import conv_part, make_backbone

#: name, native side, images per round (at --scale 1), batch size
BACKBONES = (
    ("alexnet", 224, 128, 32),
    ("xception", 299, 16, 8),
    ("mini_xception", 64, 1024, 128),
)


def bare_loop(conv, images, batch_size, device):
    out = None
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            batch = torch.from_numpy(images[start : start + batch_size]).to(device)
            features = conv(batch).cpu().numpy()
            if out is None:
                out = np.empty((len(images), features.shape[1]), dtype=np.float32)
            out[start : start + len(batch)] = features
    return out


def timed(function, device):
    synchronize(device)
    start = time.perf_counter()
    result = function()
    synchronize(device)
    return time.perf_counter() - start, result


def prepare(name, size, n_images, batch_size, device, rng):
    net = make_backbone(name).eval().to(device)
    images = rng.integers(0, 256, size=(n_images, size, size, 3), dtype=np.uint8)
    featurizer = FrozenConvFeaturizer(net, batch_size=batch_size, device=device).fit(images[:1])
    conv = conv_part(net).eval().requires_grad_(False)
    example = torch.from_numpy(images[:1]).to(device)
    flops = forward_flops(conv, example)["total"]
    return {
        "name": name,
        "size": size,
        "images": images,
        "batch": batch_size,
        "featurizer": featurizer,
        "conv": conv,
        "flops": flops,
        "rates": {"featurizer": [], "bare": []},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="images per round x this")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    runs = [
        prepare(name, size, max(2, int(n * args.scale)), batch, args.device, rng)
        for name, size, n, batch in BACKBONES
    ]
    matmul = []
    for run in runs:  # warm-up: oneDNN picks its kernels on the first batches
        run["featurizer"].transform(run["images"][: run["batch"]])
        bare_loop(run["conv"], run["images"][: run["batch"]], run["batch"], args.device)
    for _ in range(args.rounds):
        matmul.append(time_matmul(args.device, repeats=3))
        for run in runs:
            images = run["images"]
            seconds, fast = timed(lambda r=run: r["featurizer"].transform(r["images"]), args.device)
            run["rates"]["featurizer"].append(len(images) / seconds)
            seconds, slow = timed(
                lambda r=run: bare_loop(r["conv"], r["images"], r["batch"], args.device),
                args.device,
            )
            run["rates"]["bare"].append(len(images) / seconds)
            np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-4)
    peak = statistics.median(matmul)
    threads = torch.get_num_threads()
    print(f"device {args.device}, torch {torch.__version__}, {threads} threads")
    print(f"float32 4096x4096 matmul: {peak:.1f} GFLOP/s (median of {args.rounds})")
    header = (
        f"{'backbone':14s} {'size':>4s} {'GFLOP/img':>9s} {'featurizer img/s':>16s} "
        f"{'bare img/s':>10s} {'ratio':>6s} {'GFLOP/s':>8s} {'of matmul':>9s}"
    )
    print(header)
    for run in runs:
        fast = statistics.median(run["rates"]["featurizer"])
        bare = statistics.median(run["rates"]["bare"])
        gflops = fast * run["flops"] / 1e9
        print(
            f"{run['name']:14s} {run['size']:4d} {run['flops'] / 1e9:9.3f} {fast:16.1f} "
            f"{bare:10.1f} {fast / bare:6.2f} {gflops:8.1f} {gflops / peak:9.1%}"
        )


if __name__ == "__main__":
    main()
