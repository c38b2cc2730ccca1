"""Compute on one thread, so that results do not depend on the machine's core count.

Torch and BLAS split reductions by thread, and a different split rounds differently;
over a few epochs of training the difference grows from the last bit to the third
decimal. A study's units of work therefore always run on exactly one thread, whether
joblib runs them in this process or in workers, and parallelism comes from running
several units at once: results are the same for any ``--n-jobs``.
"""

from __future__ import annotations

import contextlib

__all__ = ["one_thread"]


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
