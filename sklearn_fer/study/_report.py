"""The one report writer of every study: ``report.md``, assembled from blocks.

:class:`Report` is what a study writes its sections into (headings, paragraphs, tables,
figures, bullet lists); :func:`write_report` frames them the same way for every study:
title, a notice when the data are synthetic, the study's introduction, its
configuration and departures from the paper, the study's own sections, the wall time
of each stage and the versions that produced it.
"""

from __future__ import annotations

import pandas as pd
import torch

from .. import __version__
from .._atomic import atomic_write
from .._general_nets import flat_settings

#: What a report's paper column says of a setting the paper does not give.
NOT_STATED = "not stated"

SYNTHETIC_NOTICE = (
    "**These results come from synthetic data.** The faces were drawn by "
    "`sklearn_fer.datasets.make_faces` (cartoon faces whose expressions encode "
    "valence and arousal, with person-specific expressiveness by design); they say "
    "how the method behaves on that generator, not on real people."
)


def markdown_table(frame, floatfmt=".3f"):
    """A DataFrame as a GitHub-flavoured markdown table (pandas' ``to_markdown``, through
    tabulate); NaN and None as empty cells."""
    cells = frame.astype(object).where(frame.notna(), None)
    return cells.to_markdown(index=False, floatfmt=floatfmt, missingval="")


def format_seconds(seconds):
    """Seconds as "42 s", "12 min" or "3.5 h"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Report:
    """A markdown document built block by block; blocks are separated by a blank line.

    Examples
    --------
    >>> import pandas as pd
    >>> report = Report()
    >>> report.heading("Results")
    >>> report.table(pd.DataFrame({"condition": ["transfer_0"], "rmse": [0.1234]}))
    >>> print(report.text())
    ## Results
    <BLANKLINE>
    | condition   |   rmse |
    |:------------|-------:|
    | transfer_0  |  0.123 |
    <BLANKLINE>
    """

    def __init__(self):
        self.blocks = []

    def heading(self, text, level=2):
        """A heading (``level`` 1 is the title)."""
        self.blocks.append(f"{'#' * level} {text}")

    def paragraph(self, text):
        """A paragraph of markdown text."""
        self.blocks.append(text)

    def table(self, frame, floatfmt=".3f"):
        """A DataFrame as a table (floats formatted with ``floatfmt``)."""
        self.blocks.append(markdown_table(frame, floatfmt))

    def figure(self, name):
        """The study's figure ``name`` (written beside the report as ``<name>.png``)."""
        self.blocks.append(f"![{name}]({name}.png)")

    def bullets(self, items):
        """A bullet list, one item per string."""
        self.blocks.append("\n".join(f"- {item}" for item in items))

    def text(self):
        """The document."""
        return "\n\n".join(self.blocks) + "\n"


def _configuration_section(report, study, config):
    report.heading("Configuration")
    settings = [(k, str(v)) for k, v in flat_settings(config).items()]
    report.table(pd.DataFrame(settings, columns=["setting", "value"]))
    report.heading("Settings that differ from the paper's, or that it does not state", level=3)
    rows = study.deviations(config)
    if rows:
        report.table(
            pd.DataFrame(
                [(a, str(b), str(c), d) for a, b, c, d in rows],
                columns=["setting", "paper", "this study", "why"],
            )
        )
    else:
        report.paragraph("None.")
    gaps = study.paper_gaps(config)
    if gaps:
        report.paragraph(
            "The paper's column holds only what the paper states. Settings it does not "
            "state, and what the paper profile takes for them: "
            + "; ".join(f"`{k}`: {v}" for k, v in gaps)
            + "."
        )


def write_report(study, config, results, timings, out):
    """Write ``out/report.md`` for a finished study, atomically.

    Parameters
    ----------
    study : Study
        Provides the introduction, the departures from the paper and the sections.
    config : dataclass
        The study's configuration.
    results : pandas.DataFrame
        What the study's ``run`` returned.
    timings : dict of str to float
        Wall time of each stage, in seconds.
    out : pathlib.Path
        The output folder.

    Returns
    -------
    pathlib.Path
    """
    report = Report()
    report.heading(f"{study.report_title} ({config.profile} profile)", level=1)
    if getattr(config, "dataset", None) == "synthetic":
        report.paragraph(f"{SYNTHETIC_NOTICE} {study.data_note}".rstrip())
    for paragraph in study.introduction(config):
        report.paragraph(paragraph)
    _configuration_section(report, study, config)
    study.write_sections(report, config, results)
    report.heading("Timing")
    report.table(
        pd.DataFrame(
            [(k, format_seconds(v)) for k, v in timings.items()],
            columns=["stage", "wall time"],
        )
    )
    report.paragraph(machine_line(getattr(config, "device", "cpu")))
    return atomic_write(out / "report.md", report.text())


def _cpu_model():
    """The CPU's model name (Linux's /proc/cpuinfo, else the platform's), or "unknown"."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line(device):
    """Versions and machine a run's numbers come from, as one sentence of the report.

    Units run on one thread, so results do not depend on the core count; they depend on
    the CPU's instruction set unless MKL, oneDNN and torch are restricted to AVX2 (what
    ``sklearn-fer reproduce`` does unless ``--native-kernels``), and the sentence says
    which.

    Examples
    --------
    >>> machine_line("cpu").startswith("sklearn-fer ")
    True
    """
    import os
    from importlib import metadata

    found = []
    for name in ("numpy", "scikit-learn", "skorch", "opencv-python-headless"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:  # another OpenCV wheel, say
            continue
    from .._threads import portable_kernels_set

    capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "unknown")()
    if portable_kernels_set():
        kernels = (
            "MKL, oneDNN and torch's kernels were restricted to AVX2 (reproduce's default), "
            "so they do not depend on which x86-64 CPU with AVX2 ran them either."
        )
    else:
        kernels = (
            "but they can depend on the CPU: its widest numeric kernels (here not "
            "restricted to AVX2) round differently."
        )
    return (
        f"sklearn-fer {__version__}, torch {torch.__version__} (CPU kernels {capability}), "
        f"{', '.join(found)}; device "
        f"{device}, on {_cpu_model()} ({os.cpu_count()} cores). Each unit of work runs on one "
        f"thread, so the numbers do not depend on the core count; {kernels}"
    )
