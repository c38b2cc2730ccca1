"""What would make the quick profile's pre-training shorter: a step's cost, and the plateau.

Prints, measured in one run on one thread:

* milliseconds per pre-training step of the quick profile's AlexNet (64 px, 512 units,
  batch 16, fused Adam) with the default convolutions, in ``channels_last`` and with
  oneDNN switched off, interleaved rounds;
* the same step timed in one process alone, in one process on two threads, and in two
  processes side by side (as the study's twin nets train): what a second core adds each
  way, and what sharing the memory system costs each process;
* with ``--plateau``, the epochs of one general net (``--target``, ``--lr``, ``--hidden``,
  ``--epochs``): training loss and RMSE on held-out synthetic wild faces after each one.
  A net on the plateau predicts the mean: its held-out RMSE equals the labels' standard
  deviation, printed at the end. The quick profile's 12 epochs at lr 1e-4 are the fewest
  after which both nets have left it (arousal leaves it at epoch 7 or 8).

Run: ``python benchmarks/bench_pretraining.py [--plateau --target arousal --lr 3e-4]``
(the plateau trace of 12 epochs takes about 100 s).
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time

import numpy as np
import torch

from sklearn_fer._general_nets import general_net as general_model
from sklearn_fer._threads import one_thread
from sklearn_fer.datasets import make_faces
from sklearn_fer.nets import AlexNet
from sklearn_fer.study import make_config
from sklearn_fer.study._data import load_data


def step_milliseconds(layout, n_steps=40, rounds=3):
    """Median ms per training step of the quick profile's AlexNet, per convolution layout."""
    torch.manual_seed(0)
    images = torch.randint(0, 256, (16, 64, 64, 3), dtype=torch.uint8)
    target = torch.randn(16, 1)
    times = {name: [] for name in layout}
    nets = {}
    for name in layout:
        net = AlexNet(hidden_units=512, n_outputs=1)
        if name == "channels_last":
            net = net.to(memory_format=torch.channels_last)
        nets[name] = (net, torch.optim.Adam(net.parameters(), lr=1e-4, fused=True))

    def run(name, steps):
        net, optimizer = nets[name]
        torch.backends.mkldnn.enabled = name != "no oneDNN"
        try:
            for _ in range(steps):
                optimizer.zero_grad()
                torch.nn.functional.mse_loss(net(images), target).backward()
                optimizer.step()
        finally:
            torch.backends.mkldnn.enabled = True

    for name in layout:
        run(name, 3)  # warm-up
    for _ in range(rounds):
        for name in layout:
            start = time.perf_counter()
            run(name, n_steps)
            times[name].append((time.perf_counter() - start) / n_steps * 1000)
    return {name: float(np.median(values)) for name, values in times.items()}


def side_by_side(n_steps=60):
    """ms per step of the default layout: one process alone, one on two threads, two at once."""
    command = [sys.executable, __file__, "--step-only", "--steps", str(n_steps)]

    def launch(count, threads=1):
        runs = [
            subprocess.Popen(
                [*command, "--threads", str(threads)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(count)
        ]
        return [float(run.communicate()[0]) for run in runs]

    return launch(1)[0], launch(1, threads=2)[0], launch(2)


def plateau_trace(target, lr, hidden, epochs):
    """Print the training loss and held-out RMSE of one general net after each epoch."""
    from skorch.callbacks import Callback

    quick = make_config("quick")
    pretraining = dataclasses.replace(quick.pretraining, lr=lr, hidden_units=hidden, epochs=epochs)
    config = dataclasses.replace(quick, pretraining=pretraining)
    wild, _ = load_data(config, None, None, lambda message: None)
    held_out = make_faces(100, 4, domain="wild", image_size=64, random_state=config.seed + 2)
    start = time.perf_counter()

    class _Trace(Callback):
        def on_epoch_end(self, net, **kwargs):
            rmse = np.sqrt(np.mean((net.predict(held_out.images) - held_out[target]) ** 2))
            print(
                f"  epoch {len(net.history):2d}: training loss "
                f"{net.history[-1, 'train_loss']:.4f}, held-out RMSE {rmse:.3f} "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )

    net = general_model(config, ["valence", "arousal"].index(target))
    net.set_params(callbacks=[("trace", _Trace())]).fit(wild.images, wild[target])
    print(f"  the held-out labels' standard deviation (the plateau): {held_out[target].std():.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plateau", action="store_true")
    parser.add_argument("--target", choices=["valence", "arousal"], default="arousal")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--step-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=60, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step_only:  # one side of side_by_side()
        torch.set_num_threads(args.threads)
        print(step_milliseconds(("default",), n_steps=args.steps, rounds=1)["default"])
        return
    with one_thread():
        steps = step_milliseconds(("default", "channels_last", "no oneDNN"))
        print("pre-training step, quick profile's AlexNet, batch 16, one thread (medians):")
        for name, ms in steps.items():
            print(f"  {name:<14s} {ms:6.1f} ms ({steps['default'] / ms:.2f}x the default)")
        alone, two_threads, pair = side_by_side()
        print(
            f"one process alone {alone:.1f} ms a step; on two threads {two_threads:.1f} ms "
            f"({alone / two_threads:.2f}x the steps per second); two processes side by side "
            f"{pair[0]:.1f} and {pair[1]:.1f} ms ({4 * alone / sum(pair):.2f}x)"
        )
        if args.plateau:
            print(
                f"\n{args.target} net, lr {args.lr:g}, {args.hidden} units, {args.epochs} epochs:"
            )
            plateau_trace(args.target, args.lr, args.hidden, args.epochs)


if __name__ == "__main__":
    main()
