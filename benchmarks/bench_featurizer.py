"""Throughput of the frozen featurizer and of dense-head fine-tuning, against bare torch.

Prints, measured side by side in one run (rounds interleaved, medians reported, because
these machines are noisy):

* images/s of ``FrozenConvFeaturizer.transform`` at 224 px, batch 64, against a bare
  ``torch.inference_mode`` loop over the same conv layers;
* samples/s of ``DenseHeadRegressor.fit`` (skorch) at batch 16 against a hand-written torch
  loop over the same head (same copy of the pre-trained weights, same optimiser, same
  shuffling);
* the GFLOP/s each achieves, against a float32 4096x4096 matmul timed in the same run;
* the same hand-written loop with this package's fused optimisers (``NesterovSGD``,
  ``FusedAdam``) against torch's default implementations of the same updates.

Targets (issue 2): featurizer >= 0.9x the bare loop; skorch fine-tuning >= 0.9x the
hand-written loop.

Run: ``python benchmarks/bench_featurizer.py [--device cuda] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np
import torch
from torch import nn

from sklearn_fer import (
    AlexNetRegressor,
    DenseHeadRegressor,
    FrozenConvFeaturizer,
    FusedAdam,
    NesterovSGD,
)
from sklearn_fer.nets import conv_part, dense_part


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def forward_flops(module, example):
    """Multiply-adds x 2 of one forward pass, counted on conv and linear layers."""
    flops = {"total": 0, "first_linear": None}

    def conv_hook(layer, inputs, output):
        kernel = layer.in_channels // layer.groups * layer.kernel_size[0] * layer.kernel_size[1]
        flops["total"] += 2 * output.numel() * kernel

    def linear_hook(layer, inputs, output):
        count = 2 * output.numel() * layer.in_features
        flops["total"] += count
        if flops["first_linear"] is None:
            flops["first_linear"] = count

    handles = []
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d):
            handles.append(layer.register_forward_hook(conv_hook))
        elif isinstance(layer, nn.Linear):
            handles.append(layer.register_forward_hook(linear_hook))
    with torch.no_grad():
        module(example)
    for handle in handles:
        handle.remove()
    return flops


def time_matmul(device, repeats=10):
    a = torch.randn(4096, 4096, device=device)
    b = torch.randn(4096, 4096, device=device)
    a @ b
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        synchronize(device)
        times.append(time.perf_counter() - start)
    return 2 * 4096**3 / statistics.median(times) / 1e9


def bare_conv_loop(conv, images, batch_size, device):
    out = np.empty((len(images), 9216), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            batch = torch.from_numpy(images[start : start + batch_size]).to(device)
            out[start : start + batch_size] = conv(batch).cpu().numpy()
    return out


def hand_written_fine_tuning(
    pretrained_module,
    features,
    targets,
    *,
    epochs,
    batch_size,
    lr,
    device,
    seed,
    optimizer=NesterovSGD,
):
    head = copy.deepcopy(dense_part(pretrained_module)).to(device).train()
    optimizer = optimizer(head.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    X = torch.from_numpy(features)
    y = torch.from_numpy(targets).reshape(-1, 1)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            index = order[start : start + batch_size]
            xb, yb = X[index].to(device), y[index].to(device)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(head(xb), yb)
            loss.backward()
            optimizer.step()
    synchronize(device)
    return head


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--images", type=int, default=256, help="images at 224 px")
    parser.add_argument("--samples", type=int, default=320, help="fine-tuning samples")
    parser.add_argument("--epochs", type=int, default=2, help="fine-tuning epochs per round")
    args = parser.parse_args(argv)
    device = args.device
    rng = np.random.default_rng(0)
    torch.manual_seed(0)

    print(f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}")
    pretrained = AlexNetRegressor(device=device, random_state=0).initialize()
    module = pretrained.module_.eval()

    # -- featurizer against a bare inference loop -------------------------------------
    images = rng.integers(0, 256, size=(args.images, 224, 224, 3), dtype=np.uint8)
    featurizer = FrozenConvFeaturizer(pretrained, batch_size=64).fit()
    bare_conv = copy.deepcopy(conv_part(module)).to(device).eval().requires_grad_(False)
    conv_flops = forward_flops(bare_conv, torch.from_numpy(images[:1]).to(device))["total"]
    featurizer.transform(images[:64])  # warm-up (oneDNN primitive creation)
    bare_conv_loop(bare_conv, images[:64], 64, device)
    ours, bare = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        features = featurizer.transform(images)
        synchronize(device)
        ours.append(len(images) / (time.perf_counter() - start))
        start = time.perf_counter()
        reference = bare_conv_loop(bare_conv, images, 64, device)
        synchronize(device)
        bare.append(len(images) / (time.perf_counter() - start))
    np.testing.assert_allclose(features, reference, rtol=1e-4, atol=1e-4)
    feat_ours, feat_bare = statistics.median(ours), statistics.median(bare)

    # -- dense-head fine-tuning: skorch against a hand-written loop -------------------
    X = rng.normal(size=(args.samples, 9216)).astype(np.float32)
    X = np.maximum(X, 0)  # conv features are post-ReLU
    y = rng.uniform(-1, 1, size=args.samples).astype(np.float32)
    head_flops = forward_flops(dense_part(module), torch.from_numpy(X[:1]).to(device))
    # backward: weight gradients of every layer, input gradients of all but the first.
    train_flops = 3 * head_flops["total"] - head_flops["first_linear"]
    skorch_head = DenseHeadRegressor(
        pretrained, max_epochs=args.epochs, batch_size=16, device=device, random_state=0
    )
    skorch_head.fit(X[:32], y[:32])  # warm-up
    hand_written_fine_tuning(
        module, X[:32], y[:32], epochs=1, batch_size=16, lr=0.001, device=device, seed=0
    )
    skorch_rates, hand_rates = [], []
    n_seen = args.samples * args.epochs
    for round_ in range(args.rounds):
        start = time.perf_counter()
        skorch_head.fit(X, y)
        synchronize(device)
        skorch_rates.append(n_seen / (time.perf_counter() - start))
        start = time.perf_counter()
        hand_written_fine_tuning(
            module, X, y, epochs=args.epochs, batch_size=16, lr=0.001, device=device, seed=round_
        )
        hand_rates.append(n_seen / (time.perf_counter() - start))
    tune_ours, tune_hand = statistics.median(skorch_rates), statistics.median(hand_rates)

    # -- fused optimisers against torch's default implementations -------------------
    optimisers = {
        "NesterovSGD (fused)": NesterovSGD,
        "torch.optim.SGD(nesterov=True)": lambda p, lr: torch.optim.SGD(
            p, lr=lr, momentum=0.9, nesterov=True
        ),
        "FusedAdam": FusedAdam,
        "torch.optim.Adam": torch.optim.Adam,
    }
    optimiser_rates = {name: [] for name in optimisers}
    for round_ in range(args.rounds):
        for name, factory in optimisers.items():
            start = time.perf_counter()
            hand_written_fine_tuning(
                module,
                X,
                y,
                epochs=1,
                batch_size=16,
                lr=0.001,
                device=device,
                seed=round_,
                optimizer=factory,
            )
            optimiser_rates[name].append(args.samples / (time.perf_counter() - start))
    optimiser_rates = {name: statistics.median(r) for name, r in optimiser_rates.items()}

    matmul = time_matmul(device)

    def gflops(rate, flops):
        return rate * flops / 1e9

    rows = [
        ("FrozenConvFeaturizer.transform", "images/s", feat_ours, gflops(feat_ours, conv_flops)),
        ("bare inference_mode loop", "images/s", feat_bare, gflops(feat_bare, conv_flops)),
        ("DenseHeadRegressor.fit (skorch)", "samples/s", tune_ours, gflops(tune_ours, train_flops)),
        ("hand-written torch loop", "samples/s", tune_hand, gflops(tune_hand, train_flops)),
        ("float32 4096x4096 matmul", "", float("nan"), matmul),
    ]
    print()
    print(f"{'measurement':34s} {'rate':>10s} {'unit':10s} {'GFLOP/s':>8s} {'of matmul':>9s}")
    for name, unit, rate, gf in rows:
        rate_text = f"{rate:10.1f}" if np.isfinite(rate) else f"{'':10s}"
        print(f"{name:34s} {rate_text} {unit:10s} {gf:8.1f} {gf / matmul:9.0%}")
    print()
    print(
        f"conv features at 224 px: {conv_flops / 1e9:.2f} GFLOP/image; "
        f"head training step: {train_flops / 1e9:.2f} GFLOP/sample"
    )
    print(f"featurizer / bare loop      = {feat_ours / feat_bare:.2f}x  (target >= 0.9x)")
    print(f"skorch / hand-written loop  = {tune_ours / tune_hand:.2f}x  (target >= 0.9x)")
    print("\nhand-written loop, batch 16, by optimiser:")
    for name, rate in optimiser_rates.items():
        print(f"  {name:32s} {rate:8.1f} samples/s")
    sgd = optimiser_rates["NesterovSGD (fused)"] / optimiser_rates["torch.optim.SGD(nesterov=True)"]
    adam = optimiser_rates["FusedAdam"] / optimiser_rates["torch.optim.Adam"]
    print(f"fused / default: SGD {sgd:.2f}x, Adam {adam:.2f}x")


if __name__ == "__main__":
    main()
