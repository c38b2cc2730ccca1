"""Seeding torch from a scikit-learn ``random_state`` without touching the caller's RNG."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["derive_seed", "draw_seed", "torch_rng"]


def draw_seed(random_state):
    """Draw an int seed from a ``random_state``; None stays None (unseeded).

    An int always gives the same seed; a ``RandomState`` instance advances, as
    scikit-learn estimators do, so successive calls differ but stay reproducible.
    """
    if random_state is None:
        return None
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def derive_seed(seed, *keys):
    """A seed for an independent stream, derived from ``seed`` and integer ``keys``.

    Weight initialisation and each training call get their own stream, so an int
    ``random_state`` does not replay the initialisation draws as dropout masks.
    """
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0] >> 1)


# Torch's global generators are shared by every thread of a process: two threads seeding
# and drawing from them at once would interleave their streams (dropout masks, batch
# orders) and make results depend on timing. Seeded blocks therefore run one at a time
# per process; process-based parallelism (joblib's default, dask workers) is unaffected.
_SEEDED = threading.RLock()


def _cuda_indices(device):
    if not torch.cuda.is_available():
        return []
    if device is None:
        # Placement left to someone else (skorch's AccelerateMixin sets device=None and
        # lets accelerate choose): fork every CUDA generator the block might draw from.
        return list(range(torch.cuda.device_count()))
    device = torch.device(device)
    if device.type != "cuda":
        return []
    return [device.index if device.index is not None else torch.cuda.current_device()]


@contextlib.contextmanager
def torch_rng(seed, device="cpu"):
    """Run a block with torch's global generators seeded, then restore them.

    Torch's dropout and weight initialisers draw from the global generator; forking it
    makes a fit reproducible without changing the random stream the caller sees after it.

    Seeded blocks hold a process-wide lock, so threads cannot interleave their draws from
    the shared generators; with thread-based parallelism seeded fits run one at a time.

    Parameters
    ----------
    seed : int or None
        None leaves the generators alone (the block draws from the caller's stream).
    device : str, torch.device or None, default="cpu"
        The CUDA device whose generator is forked too, when it is a CUDA device; None
        (placement left to another library, such as accelerate) forks every CUDA device's.
    """
    if seed is None:
        yield
        return
    indices = _cuda_indices(device)
    with _SEEDED, torch.random.fork_rng(devices=indices):
        # Seed only the generators forked above: torch.manual_seed would also reseed every
        # CUDA device, and those would not be restored afterwards.
        torch.default_generator.manual_seed(seed)
        for index in indices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield
