"""The study of Zhou & Shi (2017): AU-selective feature maps, and which maps survive a shift.

Two questions, on synthetic faces whose action units are known: are the maps of higher
conv layers more selective to AUs (:func:`~sklearn_fer.feature_maps.map_selectivity`,
per layer), and do the most AU-selective maps make a head more robust to shifted faces
than random or the least selective ones
(:func:`~sklearn_fer.evaluation.evaluate_robustness`)?
"""

from __future__ import annotations

import pandas as pd

from .._general_nets import TARGETS
from ._data import load_data
from ._pretraining import general_models
from ._related import related_work_section
from ._study import Study
from ._zhou_shi_config import ZHOU_SHI_PROFILES, ZhouShiConfig, make_zhou_shi_config
from ._zhou_shi_report import _ALPHA, figures, robustness_section, selectivity_section

_COUNTS = ("subject", "fold", "k", "n_train", "depth", "map", "n_present", "n_absent")


def _selectivity(config, nets, lab, log):
    from ..feature_maps import map_selectivity

    frames = []
    for target in TARGETS:
        table = map_selectivity(
            nets[target],
            lab.images,
            lab.aus,
            au_names=list(lab.au_names),
            threshold=config.threshold,
            n_permutations=config.n_permutations,
            random_state=config.seed,
        )
        frames.append(table.assign(study="selectivity", net=target))
        log(f"AU selectivity ({target} net): {table['selective'].sum()} map x AU pairs selective")
    return pd.concat(frames, ignore_index=True)


def _robustness(config, context, nets, lab):
    from sklearn.linear_model import RidgeCV

    from ..evaluation import evaluate_robustness

    return evaluate_robustness(
        nets,
        lab.images,
        lab.target,
        subjects=lab.subject,
        aus=lab.aus,
        layer=config.layer,
        ks=config.ks,
        perturbations=config.perturbations,
        strengths=config.strengths,
        head=RidgeCV(alphas=config.ridge_alphas),
        threshold=config.threshold,
        target_names=list(TARGETS),
        cv=config.folds,
        n_jobs=context.n_jobs,
        random_state=config.seed,
        cache_dir=context.cache_dir,
        progress=context.progress,
    )


class ZhouShiStudy(Study):
    """AU-selective feature maps and robustness (Zhou & Shi 2017), on synthetic faces.

    Pre-trains twin AlexNets (valence, arousal) on the synthetic wild set, measures every
    map's selectivity to every AU on the lab faces, layer by layer, and runs the
    robustness protocol per lab subject: a ridge head trained on clean faces, tested on
    faces shifted at controlled strengths, with all maps or ``k`` selected ones.

    Examples
    --------
    >>> from sklearn_fer.study import STUDIES
    >>> study = STUDIES["zhou-shi"]
    >>> study.name, sorted(study.profiles)
    ('zhou-shi', ['quick', 'smoke'])
    """

    name = "zhou-shi"
    report_title = "Zhou & Shi (2017): action-unit-selective feature maps"
    data_note = (
        "Zhou & Shi used real faces (KDEF, RaFD, CK+) and an ImageNet CNN; neither was "
        "used. The synthetic faces' action units are exact by construction, which real "
        "AU codes are not."
    )
    config_class = ZhouShiConfig
    profiles = ZHOU_SHI_PROFILES

    def configure(self, profile, **choices):
        return make_zhou_shi_config(profile, **choices)

    def run(self, config, context):
        with context.stage("data"):
            wild, lab = load_data(config, None, None, context.log)
        with context.stage("general model"):
            nets = general_models(
                config, wild, context.out, context.data_home, context.progress, context.log
            )
        context.outputs["model"] = context.out / "model"
        del wild
        with context.stage("AU selectivity"):
            selectivity = _selectivity(config, nets, lab, context.log)
        with context.stage("robustness study"):
            robustness = _robustness(config, context, nets, lab)
        results = pd.concat([robustness, selectivity], ignore_index=True)
        # Each study's rows leave the other's columns empty: keep the counts integers.
        return results.astype({column: "Int64" for column in _COUNTS})

    def introduction(self, config):
        return [
            "Protocol after Zhou & Shi (2017), *Action unit selective feature maps in deep "
            "networks for facial expression recognition* (IJCNN). **AU selectivity**: for "
            "each conv layer of each twin net, each map's mean response separates the lab "
            "faces showing an action unit (intensity above "
            f"{config.threshold:g}) from those without it with an AUC; `selectivity` = "
            f"2 AUC - 1; a permutation test ({config.n_permutations} shuffles) with the "
            "max-T family-wise correction over a layer's maps and Bonferroni over AUs "
            f"(alpha {_ALPHA}) decides which maps are *selective*. **Robustness**: per lab "
            f"subject, {config.folds}-fold cross-validation; a ridge head (its alpha chosen by "
            "leave-one-out on the training fold) on the "
            f"mean responses of {config.layer}'s maps is trained on the clean "
            "training faces with every map, or the k most AU-selective, k random or the k "
            "least AU-selective maps (ranked on the training fold only), and tested on the "
            "test faces clean and shifted by `perturb_faces` at each strength. Statistics "
            "are across subjects (paired Wilcoxon tests, Holm-corrected)."
        ]

    def deviations(self, config):
        return [
            (
                "data",
                "KDEF, RaFD, CK+ (real faces)",
                "make_faces (synthetic, exact AUs)",
                "the paper's data are licensed; synthetic AUs are ground truth",
            ),
            (
                "network",
                "ImageNet CNN fine-tuned on expressions",
                "AlexNet pre-trained on synthetic wild faces (valence, arousal twins)",
                "no weights may be downloaded; this package's targets",
            ),
            (
                "head",
                "the CNN's classifier on the kept maps",
                "ridge on mean-pooled maps",
                "fast and deterministic on a CPU",
            ),
            (
                "shifts",
                "the paper's robustness tests",
                f"perturb_faces: {', '.join(config.perturbations)}",
                "controlled strength, the same draws at every strength",
            ),
            (
                "evaluation",
                "per data set",
                "per subject, paired tests across subjects",
                "the package's personalised setting",
            ),
        ]

    def write_sections(self, report, config, results):
        related_work_section(report, "zhou-shi")
        selectivity_section(report, results[results["study"] == "selectivity"])
        robustness_section(report, config, results[results["study"] == "robustness"])

    def figures(self, config, results):
        return figures(config, results)
