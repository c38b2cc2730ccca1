"""Do the quick study's conclusions hold where AlexNet's last conv map is not collapsed?

At the quick and smoke profiles' 64 px, AlexNet's last conv map is 1 x 1: the average
pool then copies each of its 256 numbers 36 times, so the "9216 features" that GSx's
distances, MCDUE's dropout and the dense head see are 256 numbers. From 127 px on the map
is 3 x 3 or larger (112 px: 2 x 2; 224 px: 6 x 6, AlexNet's own).

This script prints the last conv map's size and the number of distinct features per
image at each size, then runs the same reduced slice of the quick study (fewer wild and
lab faces, 3 folds, random and GSx only, no PathNet, same seed) at 64 px and at 128 px,
and prints side by side what the quick study's conclusions rest on: each transfer
condition's mean RMSE per target (is Transfer 100% below No Transfer and Transfer 0%?),
and the mean RMSE of each sampler at each fraction (does GSx differ from random?).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_image_size.py [--sizes 64 128]``
(about 10 minutes of one core at 64 and 128 px).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time

from sklearn_fer._threads import portable_kernels

#: The pre-training part of the slice (PretrainConfig's fields).
PRETRAINING = dict(wild_subjects=200, wild_images_per_subject=4, epochs=12)
SLICE = dict(
    lab_subjects=4,
    lab_frames_per_subject=60,
    folds=3,
    samplers=("random", "gsx"),
    fractions=(0.1, 0.3, 0.9),
    pathnet=False,
)


def conv_map(size):
    """(side of the last conv map, distinct values among the 9216 features) at ``size``."""
    import numpy as np
    import torch

    from sklearn_fer import AlexNetRegressor, FrozenConvFeaturizer

    images = np.random.default_rng(0).integers(0, 256, (2, size, size, 3), dtype=np.uint8)
    net = AlexNetRegressor(module__hidden_units=16, max_epochs=0).initialize()
    with torch.inference_mode():
        maps = net.module_.features(net.module_.input(torch.as_tensor(images)))
    features = FrozenConvFeaturizer(net).fit().transform(images)
    return maps.shape[-1], len(np.unique(features[0])), features.shape[1]


def run(size):
    from sklearn_fer.evaluation import summarize
    from sklearn_fer.study import make_config, reproduce

    quick = make_config("quick")
    pretraining = dataclasses.replace(quick.pretraining, **PRETRAINING)
    config = dataclasses.replace(quick, image_size=size, pretraining=pretraining, **SLICE)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths = reproduce(
            config,
            f"{folder}/out",
            data_home=f"{folder}/home",
            progress=False,
            log=lambda message: None,
        )
        seconds = time.perf_counter() - start
        import pandas as pd

        results = pd.read_csv(paths["results"])
    transfer = summarize(results[results["study"] == "transfer"], metrics=["rmse"])
    sampling = summarize(results[results["study"] == "sampling"], metrics=["rmse"])
    general = results[results["study"] == "general"].set_index("target")["rmse"]
    return seconds, transfer, sampling, general


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    args = parser.parse_args()
    with portable_kernels():
        print("size  last conv map  distinct features of 9216")
        for size in args.sizes:
            side, distinct, total = conv_map(size)
            print(f"{size:>4}  {side} x {side}{'':>9}{distinct:>6} of {total}")
        runs = {size: run(size) for size in args.sizes}
    sliced = {**PRETRAINING, **SLICE}
    print("\nreduced quick slice:", ", ".join(f"{k}={v}" for k, v in sliced.items()))
    print("\nwall time: " + ", ".join(f"{s} px {r[0]:.0f} s" for s, r in runs.items()))
    print("\ngeneral nets' validation RMSE (fresh synthetic people):")
    for size, (_, _, _, general) in runs.items():
        print(f"  {size} px: " + ", ".join(f"{t} {v:.3f}" for t, v in general.items()))
    print("\ntransfer conditions, mean RMSE across subjects:")
    for target in ("valence", "arousal"):
        for size, (_, transfer, _, _) in runs.items():
            block = transfer[transfer["target"] == target].set_index("condition")["rmse_mean"]
            cells = ", ".join(f"{c} {block[c]:.3f}" for c in block.index)
            below = block["transfer_100"] < min(block["no_transfer"], block["transfer_0"])
            print(f"  {target:<8}{size:>4} px: {cells}; Transfer 100% lowest: {below}")
    print("\nsampling curves, mean RMSE across subjects (random / gsx):")
    for target in ("valence", "arousal"):
        for size, (_, _, sampling, _) in runs.items():
            block = sampling[sampling["target"] == target].pivot_table(
                index="fraction", columns="sampler", values="rmse_mean"
            )
            cells = "; ".join(f"{f:.0%} {r.random:.3f} / {r.gsx:.3f}" for f, r in block.iterrows())
            print(f"  {target:<8}{size:>4} px: {cells}")


if __name__ == "__main__":
    main()
