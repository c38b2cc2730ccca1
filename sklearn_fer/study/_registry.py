"""The registry of studies: what each study declares, read without importing any study.

One :class:`StudyEntry` per study names it (``--study``), its paper, what it does and
writes, its profiles, the command-line options it takes beyond ``--profile``,
``--seed`` and ``--device``, its default output folder, its :class:`~._study.Study`
class and its public names. From :data:`ENTRIES` come
:data:`~sklearn_fer.study.STUDIES`, the package's ``__all__``, ``sklearn-fer
reproduce``'s choices, help and refusals (``cli/_reproduce.py``), and the study listing
of the API page (:func:`api_listing`): adding a study adds one entry here, beside its
modules.

This module imports nothing heavy: the command line builds its parser from it.
"""

from __future__ import annotations

import dataclasses
import importlib
import textwrap

#: Every profile name a study may have, in the order the command line lists them.
PROFILE_ORDER = ("smoke", "quick", "paper")

#: The options a study may declare (``cli/_reproduce.py`` defines each one's argument):
#: configuration choices, given to the study's ``configure``, and data folders, given to
#: :func:`~sklearn_fer.study.reproduce`.
CONFIG_OPTIONS = ("dataset", "participants", "group_folds", "backbone")
DATA_FOLDER_OPTIONS = ("affectnet_root", "amigos_root")


@dataclasses.dataclass(frozen=True)
class StudyEntry:
    """What a study declares to the package, the command line and the documentation.

    Parameters
    ----------
    name : str
        Its name on the command line (``--study``) and in :data:`STUDIES`.
    paper : str
        The paper it follows, as cited in the help (``"Nasri et al. 2020"``).
    summary : str
        One phrase for ``--study``'s help.
    does : str
        What it does and writes, for ``reproduce``'s description.
    study : str
        ``"module:Class"`` of its :class:`~sklearn_fer.study.Study`, the module relative
        to ``sklearn_fer.study``.
    api : tuple of str
        Its public names, each ``"module:name"`` (classes, then functions, then data),
        re-exported by ``sklearn_fer.study`` and listed on the API page.
    profiles : tuple of str, default=("smoke", "quick", "paper")
        Its profiles (names of :data:`PROFILE_ORDER`).
    options : tuple of str, default=()
        The command-line options it takes, from :data:`CONFIG_OPTIONS` and
        :data:`DATA_FOLDER_OPTIONS`; any other is refused for it.
    folder : str, default="{name}-{profile}"
        Its default output folder under ``sklearn_fer_results/``.

    Examples
    --------
    >>> from sklearn_fer.study._registry import ENTRIES
    >>> [(entry.name, entry.out_folder("smoke")) for entry in ENTRIES]
    [('rescigno', 'smoke'), ('nasri', 'nasri-smoke'), ('zhou-shi', 'zhou-shi-smoke')]
    """

    name: str
    paper: str
    summary: str
    does: str
    study: str
    api: tuple
    profiles: tuple = PROFILE_ORDER
    options: tuple = ()
    folder: str = "{name}-{profile}"

    def __post_init__(self):
        unknown = set(self.options) - set(CONFIG_OPTIONS) - set(DATA_FOLDER_OPTIONS)
        if unknown:
            raise ValueError(
                f"study {self.name!r} declares unknown options {sorted(unknown)}; options are "
                f"{[*CONFIG_OPTIONS, *DATA_FOLDER_OPTIONS]}."
            )
        if not self.profiles or set(self.profiles) - set(PROFILE_ORDER):
            raise ValueError(
                f"study {self.name!r} declares profiles {list(self.profiles)}; each must be "
                f"one of {list(PROFILE_ORDER)}."
            )

    def out_folder(self, profile):
        """Its default output folder for ``profile`` (under ``sklearn_fer_results/``)."""
        return self.folder.format(name=self.name, profile=profile)

    def config_options(self):
        """Its options that are configuration choices (given to ``configure``)."""
        return tuple(option for option in self.options if option in CONFIG_OPTIONS)

    def load(self):
        """An instance of its :class:`~sklearn_fer.study.Study`, checked against the entry."""
        module, name = self.study.split(":")
        study = getattr(importlib.import_module(f".{module}", __package__), name)()
        if study.name != self.name or sorted(study.profiles) != sorted(self.profiles):
            raise TypeError(
                f"{type(study).__name__} (name {study.name!r}, profiles "
                f"{sorted(study.profiles)}) does not match its registry entry (name "
                f"{self.name!r}, profiles {sorted(self.profiles)})."
            )
        return study


#: The studies, in the order the command line and the documentation list them; the
#: first is ``--study``'s default.
ENTRIES = (
    StudyEntry(
        name="rescigno",
        paper="Rescigno et al. 2020",
        summary="personalised valence and arousal by transfer learning, per subject",
        does="pre-train the general model (or reuse a cached one), run the transfer "
        "conditions and the sampling curves per subject, and write results.csv, report.md, "
        "transfer.png, sampling.png and the model's weights into --out",
        study="_rescigno:RescignoStudy",
        api=(
            "_rescigno:RescignoStudy",
            "_rescigno_config:StudyConfig",
            "_rescigno_config:make_config",
            "_rescigno_config:deviations",
            "_estimate:estimate_seconds",
            "_rescigno_config:PROFILES",
            "_rescigno_config:PAPER",
        ),
        options=("dataset", "participants", "group_folds", "affectnet_root", "amigos_root"),
        folder="{profile}",
    ),
    StudyEntry(
        name="nasri",
        paper="Nasri et al. 2020",
        summary="expressions by K-fold on a wild set, an in-house set and both",
        does="train an expression classifier on a wild set, a small in-house set and both, "
        "from scratch and fine-tuned, by K-fold; write results.csv, report.md and "
        "confusion.png",
        study="_nasri:NasriStudy",
        api=(
            "_nasri:NasriStudy",
            "_nasri_config:NasriConfig",
            "_nasri_config:make_nasri_config",
            "_nasri_config:NASRI_PROFILES",
            "_nasri_config:NASRI_PAPER",
        ),
        options=("backbone",),
    ),
    StudyEntry(
        name="zhou-shi",
        paper="Zhou & Shi 2017",
        summary="AU-selective feature maps and robustness",
        does="pre-train twin nets on synthetic wild faces, measure each conv map's "
        "selectivity to each action unit and test heads on the most, least or randomly "
        "AU-selective maps on shifted faces; write results.csv, report.md, layers.png, "
        "selectivity.png and robustness.png",
        study="_zhou_shi:ZhouShiStudy",
        api=(
            "_zhou_shi:ZhouShiStudy",
            "_zhou_shi_config:ZhouShiConfig",
            "_zhou_shi_config:make_zhou_shi_config",
            "_zhou_shi_config:ZHOU_SHI_PROFILES",
        ),
        profiles=("smoke", "quick"),
    ),
)

#: The entries by name.
REGISTRY = {entry.name: entry for entry in ENTRIES}


def api_listing():
    """The API page's listing of the studies, built from :data:`ENTRIES`.

    ``docs/api.rst`` holds it between the ``.. studies: begin`` and ``.. studies: end``
    comments; a test fails when the two differ (paste this function's text there).
    """
    blocks = []
    for entry in ENTRIES:
        names = [spec.split(":")[1] for spec in entry.api]
        classes = [n for n in names if n[0].isupper() and not n.isupper()]
        functions = [n for n in names if n[0].islower()]
        data = [n for n in names if n.isupper()]
        quoted = [f"``{p}``" for p in entry.profiles]
        profiles = ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) > 1 else quoted[0]
        text = (
            f"The study of {entry.paper}, ``sklearn-fer reproduce --study {entry.name}``: "
            f"{entry.summary}; profiles {profiles}"
            + (f" (in {', '.join(f'``{n}``' for n in data)})" if data else "")
            + "."
        )
        text = textwrap.fill(text, width=90, break_on_hyphens=False, break_long_words=False)
        blocks.append(text)
        for template, listed in (("class", classes), ("function", functions)):
            if listed:
                lines = [".. autosummary::", "   :toctree: generated"]
                lines += [f"   :template: {template}.rst", "", *(f"   {n}" for n in listed)]
                blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
