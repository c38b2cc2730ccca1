"""The study of Nasri et al. (2020): an expression classifier trained on a wild set, a
small in-house set or both, evaluated by K-fold cross-validation, from scratch or
fine-tuned from a pre-trained backbone (``sklearn-fer reproduce --study nasri``)."""

from __future__ import annotations

import dataclasses

import torch

from .._atomic import atomic_write
from .._general_nets import epochs_phrase
from ._nasri_config import (
    DEPARTURES,
    FER2013_BACKBONE,
    NASRI_PAPER,
    NASRI_PROFILES,
    NASRI_STATED,
    PAPER_GAPS,
    NasriConfig,
    make_nasri_config,
)
from ._nasri_report import confusion_figure, write_sections
from ._related import related_work_section
from ._report import NOT_STATED
from ._study import Study, StudyError

_SEEDS = {"wild": 11, "lab": 12, "pretrain": 13}  # seed + offset of each synthetic set
_PRETRAINING_TARGETS = ("valence", "arousal")


def _scratch_name(config):
    return "mini_xception" if config.backbone == FER2013_BACKBONE else config.backbone


def _data(config, log):
    from ..datasets import make_faces

    common = dict(image_size=config.image_size, n_expressions=config.n_expressions)
    wild = make_faces(
        config.wild_images, 1, domain="wild", random_state=config.seed + _SEEDS["wild"], **common
    )
    lab = make_faces(
        config.lab_subjects,
        config.lab_frames_per_subject,
        domain="lab",
        random_state=config.seed + _SEEDS["lab"],
        **common,
    )
    log(
        f"synthetic data: {len(wild.images)} wild images (one per person); "
        f"{len(lab.images)} in-house frames of {config.lab_subjects} people"
    )
    return wild, lab


def _pretraining_net(config):
    from .. import AlexNetRegressor
    from ..optim import FusedAdam

    return AlexNetRegressor(
        config.backbone,
        module__n_outputs=len(_PRETRAINING_TARGETS),
        optimizer=FusedAdam,
        lr=config.lr,
        max_epochs=config.pretrain_epochs,
        batch_size=config.batch_size,
        device=config.device,
        random_state=config.seed,
    )


def _pretrained(config, context):
    """The pre-trained backbone of the fine-tuned starts (None when none is needed).

    ``fer2013-mini-xception`` is the real FER2013 model. Otherwise the stand-in for
    ImageNet: the backbone trained to regress valence and arousal on a separate
    synthetic wild set; its weights (tensors only, never a pickle) are cached in
    ``out/model/pretrained.pt`` and read back with ``torch.load(weights_only=True)``.
    """
    if config.conditions == ("from_scratch",):
        return None
    if config.backbone == FER2013_BACKBONE:
        from ..nets import load_fer2013_mini_xception

        try:
            return load_fer2013_mini_xception(labels="affectnet")
        except ImportError as error:
            raise StudyError(str(error)) from None
    net = _pretraining_net(config)
    path = context.out / "model" / "pretrained.pt"
    if path.exists():
        context.log(f"pre-trained backbone: reusing {path}")
        net.initialize()
        state = torch.load(path, map_location=config.device, weights_only=True)
        net.module_.load_state_dict(state)
        return net
    from ..datasets import make_faces

    faces = make_faces(
        config.pretrain_images,
        1,
        domain="wild",
        image_size=config.image_size,
        n_expressions=config.n_expressions,
        random_state=config.seed + _SEEDS["pretrain"],
    )
    context.log(
        f"pre-training {config.backbone} on {len(faces.images)} synthetic wild images "
        f"(valence and arousal, {epochs_phrase(config.pretrain_epochs)})"
    )
    net.fit(faces.images, faces.target)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda stream: torch.save(net.module_.state_dict(), stream), binary=True)
    return net


def _templates(config):
    from .. import BackboneClassifier, DenseHeadClassifier
    from ..optim import FusedAdam

    common = dict(
        optimizer=FusedAdam, lr=config.lr, batch_size=config.batch_size, device=config.device
    )
    scratch = BackboneClassifier(
        _scratch_name(config),
        max_epochs=config.scratch_epochs,
        random_state=config.seed,
        **common,
    )
    head = DenseHeadClassifier(None, max_epochs=config.head_epochs, **common)
    return scratch, head


class NasriStudy(Study):
    """Expressions by K-fold on a wild set, a small in-house set and both (Nasri et al. 2020).

    Trains a classifier of seven expressions on a synthetic wild set (one image per
    person: the stand-in for AffectNet), on a small synthetic in-house set (a few people,
    many frames each: the stand-in for Empathic) and on both, each from scratch and
    fine-tuned from a pre-trained backbone, and tests every model on the held-out fold of
    each set (:func:`~sklearn_fer.evaluation.evaluate_training_sets`). The in-house folds
    keep each person's frames within one fold (``StratifiedGroupKFold`` by subject).

    Examples
    --------
    >>> from sklearn_fer.study import STUDIES
    >>> study = STUDIES["nasri"]
    >>> study.name, sorted(study.profiles)
    ('nasri', ['paper', 'quick', 'smoke'])
    >>> study.configure("smoke", backbone="mini_xception").folds
    2
    """

    name = "nasri"
    report_title = "sklearn-fer study report: Nasri et al. (2020)"
    data_note = (
        "The paper's data (AffectNet, the in-house Empathic set) were not used; the wild "
        "and in-house sets are both drawn by `make_faces`, and the pre-trained backbone "
        "(unless `fer2013-mini-xception`) was pre-trained on synthetic faces, not ImageNet."
    )
    config_class = NasriConfig
    profiles = NASRI_PROFILES

    def configure(self, profile, **choices):
        return make_nasri_config(profile, **choices)

    def run(self, config, context):
        from ..evaluation import evaluate_training_sets

        with context.stage("data"):
            wild, lab = _data(config, context.log)
        with context.stage("pre-trained backbone"):
            pretrained = _pretrained(config, context)
        if pretrained is not None and config.backbone != FER2013_BACKBONE:
            context.outputs["model"] = context.out / "model"
        scratch, head = _templates(config)
        with context.stage("k-fold study"):
            return evaluate_training_sets(
                wild.images,
                wild.expression,
                lab.images,
                lab.expression,
                pretrained=pretrained,
                lab_groups=lab.subject,
                conditions=config.conditions,
                classes=range(config.n_expressions),
                scratch=scratch,
                head=head,
                cv=config.folds,
                n_jobs=context.n_jobs,
                random_state=config.seed,
                cache_dir=context.cache_dir,
                progress=context.progress,
            )

    def introduction(self, config):
        return [
            "Protocol of Nasri et al. (2020), *Face emotion recognition from static image "
            "based on convolution neural networks* (ATSIP): a classifier of "
            f"{config.n_expressions} expressions ({config.backbone}) trained on a large "
            "set in the wild, on a small in-house set, or on both, evaluated by "
            f"stratified {config.folds}-fold cross-validation. Each model is tested on the "
            "held-out fold of each set. The wild set's folds are image-level "
            "(`StratifiedKFold`, one image per person); the in-house set's folds keep each "
            "person's frames within one fold (`StratifiedGroupKFold` by subject), since "
            "frame-level folds would put near-copies of a person's frames on both sides "
            f"of a split. Chance accuracy is about {1 / config.n_expressions:.2f}."
        ]

    def deviations(self, config):
        rows = []
        for name, value in dataclasses.asdict(config).items():
            paper = getattr(NASRI_PAPER, name)
            if name in ("profile", "seed", "device", "dataset"):
                continue
            if name in PAPER_GAPS:  # the paper does not give it: "not stated", always
                why = PAPER_GAPS[name] if value == paper else DEPARTURES.get(name, "set here")
                rows.append((name, NOT_STATED, value, why))
            elif value != paper:
                stated = NASRI_STATED.get(name, paper)
                rows.append((name, stated, value, DEPARTURES.get(name, "this profile's choice")))
        return rows

    def paper_gaps(self, config):
        return list(PAPER_GAPS.items())

    def write_sections(self, report, config, results):
        related_work_section(report, "nasri")
        write_sections(report, config, results)

    def figures(self, config, results):
        return {"confusion": confusion_figure(config, results)}
