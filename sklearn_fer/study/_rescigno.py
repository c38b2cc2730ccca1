"""The study of Rescigno, Spezialetti & Rossi (2020): transfer conditions and sampling
curves per subject, with twin general nets pre-trained "in the wild" (Section 4)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._general_nets import TARGETS
from ..evaluation import evaluate_transfer, sampling_curve
from ._data import load_data
from ._estimators import head, no_transfer, samplers
from ._pretraining import general_models
from ._rescigno_config import PROFILES, StudyConfig, deviations, make_config, paper_gaps
from ._rescigno_pathnet import general_pathnets, held_out_wild, pathnet_results
from ._rescigno_report import figures, write_sections
from ._study import Study, StudyError


class RescignoStudy(Study):
    """Personalised models through transfer learning (Rescigno et al. 2020, Section 4).

    Pre-trains twin general AlexNets (valence, arousal) on the wild set, then per subject
    of the lab set runs the transfer conditions (Fig. 5) and the sampling curves (Fig. 6).

    Examples
    --------
    >>> from sklearn_fer.study import STUDIES
    >>> study = STUDIES["rescigno"]
    >>> study.name, sorted(study.profiles)
    ('rescigno', ['paper', 'quick', 'smoke'])
    """

    name = "rescigno"
    report_title = "sklearn-fer study report"
    data_note = "The paper's data (AffectNet, AMIGOS) are licensed and were not used."
    config_class = StudyConfig
    profiles = PROFILES

    def configure(self, profile, **choices):
        return make_config(profile, **choices)

    def announce(self, config):
        if config.profile != "paper":
            return ""
        from ._estimate import estimate_seconds

        estimate = estimate_seconds(config)
        return (
            f"The paper profile is long: about {estimate['total'] / 3600:.1f} h on "
            f"{config.device} (pre-training {estimate['pretraining'] / 3600:.1f} h, No "
            f"Transfer {estimate['no_transfer'] / 3600:.1f} h, fine-tuning "
            f"{estimate['fine_tuning'] / 3600:.1f} h), estimated from timed steps."
        )

    def check(self, config, context):
        super().check(config, context)
        if config.dataset == "amigos":
            for name in ("affectnet", "amigos"):
                root = context.roots.get(name)
                if root is None or not Path(root).is_dir():
                    raise StudyError(
                        f"--dataset amigos needs --{name}-root pointing to an existing "
                        f"folder, got {root!r}."
                    )

    def run(self, config, context):
        with context.stage("data"):
            wild, lab = load_data(
                config, context.roots.get("affectnet"), context.roots.get("amigos"), context.log
            )
        with context.stage("general model"):
            nets = general_models(
                config,
                wild,
                context.out,
                context.data_home,
                context.progress,
                context.log,
                n_jobs=context.n_jobs,
                validate=True,
            )
        context.outputs["model"] = context.out / "model"
        validation = _validation_rows(context.out / "model")
        if config.pathnet:
            with context.stage("general PathNet"):
                general = general_pathnets(config, nets, wild, context.log, context.n_jobs)
        del wild
        common = dict(
            subjects=lab.subject,
            groups=lab.segment if config.group_folds else None,
            target_names=list(TARGETS),
            cv=config.folds,
            head=head(config),
            n_jobs=context.n_jobs,
            random_state=config.seed,
            cache_dir=context.cache_dir,
            progress=context.progress,
        )
        with context.stage("transfer study"):
            transfer = evaluate_transfer(
                nets, lab.images, lab.target, no_transfer=no_transfer(config), **common
            )
        with context.stage("sampling study"):
            sampling = sampling_curve(
                nets,
                lab.images,
                lab.target,
                samplers=samplers(config),
                fractions=config.fractions,
                **common,
            )
        frames = [transfer, sampling]
        if config.pathnet:
            holdout = held_out_wild(config, context.roots.get("affectnet"))
            frames.append(
                pathnet_results(config, nets, general, lab, holdout, common, context.stage)
            )
        return pd.concat([*frames, validation], ignore_index=True)

    def introduction(self, config):
        folds = (
            "folds keep video segments whole"
            if config.group_folds
            else "frame-level folds, as in the paper"
        )
        return [
            "Protocol of Rescigno, Spezialetti & Rossi (2020), *Personalized models for facial "
            "emotion recognition through transfer learning*, Section 4: per subject, "
            f"{config.folds}-fold cross-validation on the subject's frames ({folds}); "
            "results are means (± standard deviation) across subjects of each subject's mean "
            "over folds. Valence and arousal have separate (twin) nets, as in the paper."
        ]

    def deviations(self, config):
        return deviations(config)

    def paper_gaps(self, config):
        return paper_gaps(config)

    def write_sections(self, report, config, results):
        write_sections(report, config, results)

    def figures(self, config, results):
        return figures(config, results)


def _validation_rows(model_dir):
    """The general nets' validation scores (the model folder's metadata) as result rows:
    ``study="general"``, ``condition="validation"``, ``subject=-1`` (all wild people),
    ``fraction`` the share of the wild set trained on, ``n_train`` its size."""
    from ..persistence import read_manifest

    validation = read_manifest(model_dir)["metadata"]["validation"]
    return pd.DataFrame(
        [
            {
                "subject": -1,
                "fold": 0,
                "target": target,
                "study": "general",
                "condition": "validation",
                "sampler": "none",
                "fraction": validation["train_fraction"],
                "n_train": validation["n_train"],
                **{m: scores[m] for m in ("rmse", "ccc", "pcc", "sagr")},
                "fit_seconds": float("nan"),
            }
            for target, scores in sorted(
                validation["scores"].items(), key=lambda item: TARGETS.index(item[0])
            )
        ]
    )
