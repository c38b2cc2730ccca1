"""Running a study end to end: the output folder, the stages, ``results.csv``, the
figures and the report, the same way for every study (:func:`reproduce`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .._atomic import atomic_write
from .._general_nets import flat_settings
from .._locking import FolderBusyError, file_lock
from ._registry import ENTRIES
from ._report import write_report
from ._study import StudyContext, StudyError

#: The studies ``reproduce`` can run, by name (``sklearn-fer reproduce --study NAME``):
#: one per entry of the registry (``_registry.ENTRIES``).
STUDIES = {entry.name: entry.load() for entry in ENTRIES}


#: Held by the run writing into an output folder: a second run on it is refused. A run
#: that finishes deletes it; one interrupted or failed leaves it (no longer held).
LOCK_FILE = ".reproduce.lock"


def study_for(config):
    """The registered study whose configuration class ``config`` is an instance of."""
    for study in STUDIES.values():
        if isinstance(config, study.config_class):
            return study
    raise StudyError(
        f"no registered study takes a {type(config).__name__}; studies: {sorted(STUDIES)}."
    )


def check_out(out, config):
    """The output folder: created, or holding an earlier run of this very configuration."""
    out = Path(os.fspath(out))
    out.mkdir(parents=True, exist_ok=True)
    recorded = out / "config.json"
    settings = flat_settings(config)
    if recorded.exists():
        try:
            previous = json.loads(recorded.read_text())
        except json.JSONDecodeError:
            previous = None
        if previous != json.loads(json.dumps(settings, default=list)):
            raise StudyError(
                f"{str(out)!r} holds results of another configuration (see its config.json); "
                "choose another --out or delete that folder. Nothing was overwritten."
            )
    else:
        _refuse_foreign(out)
        atomic_write(recorded, json.dumps(settings, indent=2, default=list))
    return out


def _refuse_foreign(out):
    """StudyError when ``out`` holds files but no study configuration."""
    foreign = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    if foreign and not (out / "config.json").exists():
        raise StudyError(
            f"{str(out)!r} is not empty and holds no study configuration "
            f"({', '.join(sorted(foreign)[:5])}); choose an empty or new folder."
        )


def _save_figures(figures, out):
    import matplotlib.pyplot as plt

    paths = {}
    for name, figure in figures.items():
        path = out / f"{name}.png"
        atomic_write(
            path, lambda stream, f=figure: f.savefig(stream, dpi=120, format="png"), binary=True
        )
        plt.close(figure)
        paths[name] = path
    return paths


def reproduce(
    config,
    out,
    *,
    affectnet_root=None,
    amigos_root=None,
    n_jobs=None,
    progress=True,
    data_home=None,
    log=print,
):
    """Run (or resume) the study of ``config`` and write its outputs into ``out``.

    Parameters
    ----------
    config : StudyConfig or another registered study's configuration
        From :func:`make_config`; its class decides the study (:data:`STUDIES`).
    out : path-like
        Output folder: new or empty, or holding an earlier run of the same configuration
        (which is resumed; finished work is not recomputed).
    affectnet_root, amigos_root : path-like or None
        Data folders, for ``config.dataset == "amigos"``.
    n_jobs : int or None, default=None
        Parallel jobs over subjects and folds (results do not depend on it).
    progress : bool, default=True
        Progress bars with ETA.
    data_home : path-like or None, default=None
        Where general models are cached across output folders (default:
        :func:`~sklearn_fer.datasets.get_data_home`).
    log : callable, default=print
        Receives one-line progress messages.

    Returns
    -------
    dict of str to pathlib.Path
        ``results``, ``report``, one entry per figure (``transfer``, ``sampling``) and
        the study's other outputs (``model``).

    Raises
    ------
    StudyError
        Bad settings, missing data folders, an unavailable device, an ``out`` folder
        holding another configuration, or one another run is writing into (nothing is
        overwritten then).

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_fer.study import make_config, reproduce
    >>> folder = tempfile.mkdtemp()
    >>> paths = reproduce(make_config("smoke"), folder + "/out", progress=False,
    ...                   data_home=folder + "/cache", log=lambda message: None)
    >>> sorted(paths)
    ['model', 'report', 'results', 'sampling', 'transfer']
    >>> "synthetic data" in paths["report"].read_text()
    True
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    study = study_for(config)
    context = StudyContext(
        out=Path(os.fspath(out)),
        data_home=data_home,
        roots={"affectnet": affectnet_root, "amigos": amigos_root},
        n_jobs=n_jobs,
        progress=progress,
        log=log,
    )
    study.check(config, context)
    if context.out.is_dir():
        _refuse_foreign(context.out)  # before the lock file is written into it
    context.out.mkdir(parents=True, exist_ok=True)
    try:
        # A refusal (another configuration's folder) leaves the folder as it found it.
        with file_lock(context.out / LOCK_FILE, wait=False, remove=True, remove_on=StudyError):
            return _run_locked(study, config, context)
    except FolderBusyError as error:
        raise StudyError(
            f"another reproduce is writing into {str(context.out)!r} ({error}); wait for it "
            "to finish, or choose another --out. Nothing was changed."
        ) from None


def _run_locked(study, config, context):
    context.out = check_out(context.out, config)
    start = time.perf_counter()
    results = study.run(config, context)
    atomic_write(context.out / "results.csv", lambda stream: results.to_csv(stream, index=False))
    figures = _save_figures(study.figures(config, results), context.out)
    context.timings["total"] = time.perf_counter() - start
    report = write_report(study, config, results, context.timings, context.out)
    return {"results": context.out / "results.csv", "report": report, **figures, **context.outputs}
