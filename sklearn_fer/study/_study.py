"""The extension point of the study layer: what a study declares to ``reproduce``.

A :class:`Study` says how to run its work (usually one or more
:class:`~sklearn_fer.evaluation.SubjectProtocol` runs, through the one runner and its
resumable cache), what its report says about the results, and which figures it draws.
:func:`~sklearn_fer.study.reproduce` does the rest for every study the same way: checks
the output folder, times the stages, writes ``results.csv`` atomically, saves the figures
and frames the report (:mod:`._report`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import Path


class StudyError(ValueError):
    """A study cannot start as asked (bad settings, missing data, foreign ``out`` folder).

    Examples
    --------
    >>> from sklearn_fer.study import make_config
    >>> try:
    ...     make_config("huge")
    ... except StudyError as error:
    ...     print(error)
    profile must be one of ['paper', 'quick', 'smoke'], got 'huge'.
    """


@dataclasses.dataclass
class StudyContext:
    """What ``reproduce`` hands a running study.

    Parameters
    ----------
    out : pathlib.Path
        The output folder (checked, holding this configuration).
    data_home : path-like or None
        Where models are cached across output folders.
    roots : dict of str to path-like or None
        Data folders by name (``"affectnet"``, ``"amigos"``).
    n_jobs : int or None
        Parallel jobs.
    progress : bool
        Show progress bars.
    log : callable
        Receives one-line progress messages.
    timings : dict of str to float
        Wall time of each finished stage (see :meth:`stage`).
    outputs : dict of str to pathlib.Path
        Extra files the study wrote (a model folder), returned by ``reproduce``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_fer.study import StudyContext
    >>> context = StudyContext(out=Path(tempfile.mkdtemp()), progress=False)
    >>> with context.stage("data"):
    ...     pass
    >>> list(context.timings), context.cache_dir.name
    (['data'], 'cache')
    """

    out: Path
    data_home: object = None
    roots: dict = dataclasses.field(default_factory=dict)
    n_jobs: object = None
    progress: bool = True
    log: object = print
    timings: dict = dataclasses.field(default_factory=dict)
    outputs: dict = dataclasses.field(default_factory=dict)

    @property
    def cache_dir(self):
        """Where the study's units are cached (``out/cache``)."""
        return self.out / "cache"

    @contextlib.contextmanager
    def stage(self, name):
        """Time a stage of the study into ``timings[name]``."""
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start


class Study:
    """A study that ``sklearn-fer reproduce`` can run: the study layer's extension point.

    Subclasses set the class attributes and implement :meth:`configure`, :meth:`run`
    and :meth:`write_sections`; the rest has sensible defaults (:meth:`check` refuses
    an unreachable CUDA device for every study). A study is made known to
    :data:`STUDIES` and ``sklearn-fer reproduce`` by one entry of the registry
    (``sklearn_fer/study/_registry.py``), which declares its name, profiles, options and
    output folder; the entry and the class must agree on the name and the profiles.

    Attributes
    ----------
    name : str
        The study's name on the command line (``--study``), as its registry entry has it.
    report_title : str
        Title of ``report.md`` (the profile is appended).
    data_note : str
        Appended to the synthetic-data notice (which real data the paper used).
    config_class : type
        The study's configuration dataclass.
    profiles : dict of str to config
        Named configurations (``smoke``, ``quick``, ``paper``).

    See Also
    --------
    RescignoStudy : the paper's study, the first of these.
    reproduce : runs a study.
    sklearn_fer.evaluation.SubjectProtocol : the per-subject work a study usually runs.

    Examples
    --------
    A study that reports the mean valence of the synthetic lab faces (a real study runs
    :class:`~sklearn_fer.evaluation.SubjectProtocol` units in :meth:`run`):

    >>> import pandas as pd
    >>> from sklearn_fer.datasets import make_faces
    >>> from pathlib import Path
    >>> from sklearn_fer.study import Report, Study, StudyContext
    >>> class MeanValence(Study):
    ...     name = "mean-valence"
    ...     report_title = "Mean valence"
    ...     def run(self, config, context):
    ...         with context.stage("data"):
    ...             faces = make_faces(2, 5, random_state=0)
    ...         return pd.DataFrame({"subject": faces.subject, "valence": faces.valence})
    ...     def write_sections(self, report, config, results):
    ...         report.heading("Mean valence per subject")
    ...         report.table(results.groupby("subject", as_index=False)["valence"].mean())
    >>> study = MeanValence()
    >>> report = Report()
    >>> results = study.run(None, StudyContext(out=Path(".")))
    >>> study.write_sections(report, None, results)
    >>> report.blocks[0]
    '## Mean valence per subject'
    """

    name = ""
    report_title = ""
    data_note = ""
    config_class = None
    profiles = {}

    def __init__(self):
        if not self.name:
            raise TypeError(f"{type(self).__name__} must set the class attribute `name`.")

    def configure(self, profile, **choices):  # pragma: no cover - abstract
        """The configuration of a named profile with the command line's ``choices``:
        ``seed``, ``device`` and the configuration options its registry entry declares
        (``sklearn_fer.study._registry``), no others."""
        raise NotImplementedError

    def announce(self, config):
        """A line the command line prints before the run starts ("" for none): say, how
        long a long profile will take."""
        return ""

    def check(self, config, context):
        """Refuse to start (raise :class:`StudyError`) when data or devices are missing.

        The default refuses a CUDA ``config.device`` that torch cannot reach (a
        configuration without a ``device`` has none to check); a study with data folders
        to check extends it, calling ``super().check``.
        """
        import torch

        device = str(getattr(config, "device", "cpu"))
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise StudyError(f"device {device!r} was asked for but CUDA is not available.")

    def run(self, config, context):  # pragma: no cover - abstract
        """Do the work and return the tidy results (rows of ``RESULT_COLUMNS``)."""
        raise NotImplementedError

    def introduction(self, config):
        """Paragraphs under the report's title: the protocol, in words."""
        return []

    def deviations(self, config):
        """Rows ``(setting, paper's value, this study's value, reason)``."""
        return []

    def paper_gaps(self, config):
        """Pairs ``(setting, how it was chosen)`` for settings the paper does not state."""
        return []

    def write_sections(self, report, config, results):  # pragma: no cover - abstract
        """Add the study's own sections to a :class:`~._report.Report`."""
        raise NotImplementedError

    def figures(self, config, results):
        """The study's figures by name: ``{name: matplotlib Figure}`` (``<name>.png``)."""
        return {}
