"""The study layer's extension point: a new Study registered in STUDIES is run by
reproduce() with the same output folder rules, results.csv, figures, report and resume
as the paper's study, and uses the evaluation layer's runner and cache."""

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from sklearn_fer.datasets import make_faces
from sklearn_fer.evaluation import SubjectProtocol, result_rows, run_protocol
from sklearn_fer.study import STUDIES, Report, Study, StudyError, reproduce
from sklearn_fer.study import _run as run_module

from .._helpers import tiny_regressor

WORKER_CALLS = []


def training_mean(unit):
    WORKER_CALLS.append(unit["fold"])
    y_train = unit["y"][unit["train"]][:, unit["columns"]]
    y_test = unit["y"][unit["test"]]
    prediction = np.repeat(y_train.mean(axis=0, keepdims=True), len(y_test), axis=0)
    return result_rows(
        unit,
        y_test,
        prediction,
        study="baseline",
        condition="training_mean",
        sampler="none",
        fraction=1.0,
        n_train=len(y_train),
        fit_seconds=0.0,
    )


@dataclasses.dataclass(frozen=True)
class BaselineConfig:
    profile: str
    dataset: str = "synthetic"
    seed: int = 0
    folds: int = 2


class BaselineStudy(Study):
    name = "baseline"
    report_title = "Training-mean baseline"
    data_note = "No real data was involved."
    config_class = BaselineConfig
    profiles = {"smoke": BaselineConfig(profile="smoke")}

    def configure(self, profile, **choices):
        return dataclasses.replace(self.profiles[profile], **choices)

    def run(self, config, context):
        with context.stage("data"):
            faces = make_faces(2, 6, random_state=config.seed)
        net = tiny_regressor().initialize()
        protocol = SubjectProtocol(
            name="baseline", label="training mean", worker=training_mean, needs_features=False
        )
        with context.stage("baseline"):
            return run_protocol(
                protocol,
                net,
                faces.images,
                faces.valence,
                subjects=faces.subject,
                cv=config.folds,
                random_state=config.seed,
                cache_dir=context.cache_dir,
                progress=context.progress,
            )

    def deviations(self, config):
        return [("folds", 5, config.folds, "a test")]

    def write_sections(self, report, config, results):
        report.heading("Mean RMSE")
        report.table(results.groupby("target", as_index=False)["rmse"].mean())

    def figures(self, config, results):
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots()
        ax.bar(results["fold"], results["rmse"])
        return {"rmse": figure}


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(STUDIES, "baseline", BaselineStudy())
    WORKER_CALLS.clear()
    yield STUDIES["baseline"]
    WORKER_CALLS.clear()


def test_a_registered_study_runs_through_reproduce(registered, tmp_path):
    config = registered.configure("smoke")
    paths = reproduce(config, tmp_path / "out", progress=False, log=lambda message: None)
    assert sorted(paths) == ["report", "results", "rmse"]
    results = pd.read_csv(paths["results"])
    assert len(results) == 2 * 2 and set(results["condition"]) == {"training_mean"}
    assert paths["rmse"].read_bytes().startswith(b"\x89PNG")
    report = paths["report"].read_text()
    assert report.startswith("# Training-mean baseline (smoke profile)")
    assert "**These results come from synthetic data.**" in report
    assert "No real data was involved." in report
    departure = r"\| folds\s*\|\s*5\s*\|\s*2\s*\|\s*a test\s*\|"
    assert re.search(departure, report)  # the departures table
    assert "## Mean RMSE" in report
    for stage in ("data", "baseline", "total"):
        assert re.search(rf"\| {stage}\s*\| \d+ s", report)  # the timing table
    # Where the numbers come from: versions, the CPU and its kernels (they round apart).
    import numpy as np
    import torch

    from sklearn_fer.study._report import _cpu_model

    machine = f"torch {torch.__version__} (CPU kernels {torch.backends.cpu.get_cpu_capability()})"
    assert machine in report and f"numpy {np.__version__}" in report
    assert f"on {_cpu_model()} (" in report


def test_a_registered_study_resumes_and_guards_its_folder(registered, tmp_path):
    out = tmp_path / "out"
    config = registered.configure("smoke")
    first = reproduce(config, out, progress=False, log=lambda message: None)
    assert len(WORKER_CALLS) == 4
    reproduce(config, out, progress=False, log=lambda message: None)
    assert len(WORKER_CALLS) == 4  # every unit came from the cache
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(StudyError, match="another configuration"):
        reproduce(registered.configure("smoke", seed=1), out, progress=False)
    assert sorted(p.name for p in out.iterdir()) == before
    assert pd.read_csv(first["results"]).shape[0] == 4


def test_a_config_no_study_takes_is_refused():
    with pytest.raises(StudyError, match="no registered study takes a BaselineConfig"):
        run_module.study_for(BaselineConfig(profile="smoke"))


def test_a_study_must_have_a_name():
    class Nameless(Study):
        pass

    with pytest.raises(TypeError, match="must set the class attribute `name`"):
        Nameless()


def test_report_blocks_are_separated_by_one_blank_line():
    report = Report()
    report.heading("Title", level=1)
    report.paragraph("Some text.")
    report.bullets(["one", "two"])
    report.figure("transfer")
    assert report.text() == "# Title\n\nSome text.\n\n- one\n- two\n\n![transfer](transfer.png)\n"


def test_every_study_refuses_an_unreachable_cuda_device_in_one_place(monkeypatch, tmp_path):
    import dataclasses

    import torch

    from sklearn_fer.study import StudyContext

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    context = StudyContext(out=tmp_path)
    for study in STUDIES.values():
        profile = sorted(study.profiles)[0]
        config = dataclasses.replace(study.profiles[profile], device="cuda:1")
        with pytest.raises(StudyError, match="'cuda:1' was asked for but CUDA"):
            study.check(config, context)
        assert "check" not in vars(type(study)) or study.name == "rescigno"  # data folders


def test_only_the_rescigno_paper_profile_announces_its_length(monkeypatch):
    from sklearn_fer.study import _estimate

    hours = {"total": 7200.0, "pretraining": 3600.0, "no_transfer": 1800.0, "fine_tuning": 1800.0}
    monkeypatch.setattr(_estimate, "estimate_seconds", lambda config: hours)
    rescigno = STUDIES["rescigno"]
    note = rescigno.announce(rescigno.configure("paper"))
    assert note.startswith("The paper profile is long: about 2.0 h on cpu (pre-training 1.0 h")
    assert rescigno.announce(rescigno.configure("quick")) == ""
    for name in ("nasri", "zhou-shi"):
        assert STUDIES[name].announce(STUDIES[name].configure("quick")) == ""
