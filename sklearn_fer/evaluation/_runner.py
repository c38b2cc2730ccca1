"""The one runner of units of work: parallel, resumable, with a progress bar.

Any protocol (the transfer conditions, the sampling curves, and the studies that come
after them) describes its work as ``(key, unit)`` pairs and a worker that turns one unit
into result rows. :func:`run_units` skips units the store already holds, runs the rest
with joblib (``joblib.parallel_backend("dask")`` sends them to a cluster unchanged), and
saves each unit's rows the moment it finishes, so an interrupted run resumes where it
stopped. Every unit runs on one thread (:func:`sklearn_fer._threads.one_thread`), so
results are the same whatever ``n_jobs`` is.
"""

from __future__ import annotations

import joblib

from .._threads import one_thread


def run_units(units, worker, n_jobs, store, progress, desc):
    """Run ``(key, unit)`` pairs; return all their rows, cached ones included.

    Parameters
    ----------
    units : list of (str, dict)
        Keys must be unique and stable: they name the store's files.
    worker : callable
        ``worker(unit) -> list of dict``; a module-level function, so that worker
        processes can import it.
    n_jobs : int or None
        joblib's ``n_jobs``.
    store : UnitStore or None
        Finished units are read from and saved to it.
    progress : bool
        Show a progress bar (tqdm) over units.
    desc : str
        The progress bar's label.

    Returns
    -------
    list of dict
    """
    rows, pending = [], []
    for key, unit in units:
        cached = store.load(key) if store is not None else None
        if cached is not None:
            rows.extend(cached)
        else:
            pending.append((key, unit))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(units), initial=len(units) - len(pending), desc=desc, unit="fold")
    try:
        results = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            joblib.delayed(_keyed)(worker, key, unit) for key, unit in pending
        )
        for key, unit_rows in results:
            if store is not None:
                store.save(key, unit_rows)
            rows.extend(unit_rows)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return rows


def _keyed(worker, key, unit):
    # One thread per unit, in this process or a worker: the same arithmetic either way,
    # so results do not depend on n_jobs (see sklearn_fer._threads).
    with one_thread():
        return key, worker(unit)
