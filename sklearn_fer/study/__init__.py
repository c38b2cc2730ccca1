"""The whole study of Rescigno et al. (2020), end to end, resumable: ``sklearn-fer reproduce``.

:func:`reproduce` pre-trains the general model (or reuses a cached one for the same
configuration), runs the transfer study and the sampling curves, and writes into one
folder ``results.csv``, ``report.md``, ``transfer.png``, ``sampling.png`` and the general
model's weights (``model/``). Every finished piece of work is saved atomically as it
completes (pre-training checkpoints each epoch; each subject, target and fold of each
study is one file under ``cache/``), so an interrupted run loses nothing already done and
the same command resumes it.

Profiles (:data:`PROFILES`): ``smoke`` (tiny, for tests), ``quick`` (the README's main job:
at most 10 minutes on 2 CPU cores, departing from the paper where a CPU budget demands it;
``report.md`` lists every such setting and why) and ``paper`` (the paper's settings).

Layout, for the studies still to come: ``_study`` is the extension point (a
:class:`Study` declares how to run its work, its report sections and its figures;
:class:`StudyContext` is what it is handed), ``_run`` runs any study the same way
(output folder, stages, ``results.csv``, figures, report), ``_report`` is the one
report writer. Every study has one shape: ``_x`` (its run), ``_x_config`` (its
configuration, profiles and departures from its paper) and ``_x_report`` (its report
sections and figures): ``_rescigno`` (Rescigno et al. 2020, with its PathNet part in
``_rescigno_pathnet`` and ``_rescigno_pathnet_report``; estimators, data, the studies'
general models and run-time estimate in their own modules), ``_nasri`` (Nasri et al.
2020, ``--study nasri``: expressions by K-fold on a wild set, a small in-house set and
both) and ``_zhou_shi`` (Zhou & Shi 2017, ``--study zhou-shi``: AU-selective feature maps
and robustness). Each is one entry of ``_registry`` (its name, profiles, options, output
folder and public names), from which :data:`STUDIES`, this package's ``__all__``, the
command line and the API page are built. Names are imported on first use, so that the
command line reads the registry without importing any study. See the architecture page
of the documentation.
"""

import importlib

from ._registry import ENTRIES

#: Where each public name lives: the machinery every study shares, then each registered
#: study's own names (its registry entry's ``api``).
_EXPORTS = {
    "STUDIES": "._run",
    "reproduce": "._run",
    "Study": "._study",
    "StudyContext": "._study",
    "StudyError": "._study",
    "Report": "._report",
    "PretrainConfig": ".._general_nets",
    **{spec.split(":")[1]: "." + spec.split(":")[0] for entry in ENTRIES for spec in entry.api},
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__all__})
