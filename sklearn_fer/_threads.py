"""Compute so that results do not depend on the machine: one thread per unit of work, and
(for ``sklearn-fer reproduce``) the same vector instructions on every x86-64 CPU.

Torch and BLAS split reductions by thread, and a different split rounds differently;
over a few epochs of training the difference grows from the last bit to the third
decimal. A study's units of work therefore always run on exactly one thread, whether
joblib runs them in this process or in workers, and parallelism comes from running
several units at once: results are the same for any ``--n-jobs``.

The instruction set rounds differently too: MKL (dense layers), oneDNN (convolutions)
and torch's own vectorised kernels each pick the widest code path the CPU has (AVX-512,
AMX), so a study's numbers on one CPU differ from another's in the fourth decimal after
a few epochs (measured in ``docs/performance.rst``). :func:`portable_kernels`
restricts all three to AVX2, which every x86-64 CPU of the last decade has; it must run
before torch computes anything in the process, and the processes started afterwards
(joblib's workers) inherit it. ``sklearn-fer reproduce`` calls it; importing the library
never does.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["PORTABLE_KERNELS", "one_thread", "portable_kernels", "portable_kernels_set"]

#: Environment of the portable mode: each library's own switch to its AVX2 code path
#: (MKL_CBWR also makes MKL's results the same on Intel and AMD CPUs of that level).
PORTABLE_KERNELS = {
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "MKL_CBWR": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
}


@contextlib.contextmanager
def portable_kernels():
    """Restrict MKL, oneDNN and torch's kernels to AVX2 in this process and the processes
    it starts, for the duration of the block.

    Each library reads its variable the first time it computes, so the mode can only hold
    when torch has computed nothing in this process yet (importing torch is fine). When
    torch already chose wider kernels here, nothing is changed, so that this process and
    its workers keep computing alike, and the block gets False.

    Yields
    ------
    bool
        True when the mode holds (also on a CPU without AVX-512, whose kernels are
        AVX2 or narrower anyway); False when torch had already chosen AVX-512 kernels.

    Examples
    --------
    >>> import os
    >>> with portable_kernels() as held:
    ...     held == (os.environ.get("ONEDNN_MAX_CPU_ISA") == "AVX2")
    True
    """
    import torch

    saved = {name: os.environ.get(name) for name in PORTABLE_KERNELS}
    os.environ.update(PORTABLE_KERNELS)
    held = not torch.backends.cpu.get_cpu_capability().startswith("AVX512")
    try:
        if not held:
            _restore(saved)
        yield held
    finally:
        _restore(saved)


def _restore(saved):
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def portable_kernels_set(environ=None):
    """True when every variable of :data:`PORTABLE_KERNELS` holds its portable value.

    Examples
    --------
    >>> portable_kernels_set({})
    False
    """
    environ = os.environ if environ is None else environ
    return all(environ.get(name) == value for name, value in PORTABLE_KERNELS.items())


@contextlib.contextmanager
def one_thread():
    """Limit torch and the BLAS/OpenMP libraries to one thread; restore them after.

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with one_thread():
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(previous)
