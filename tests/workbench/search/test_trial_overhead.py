"""Per-trial overhead outside training: two user attribute writes per trial (the worker tag in
the sample's transaction, the record at the end), the dataset loaded
once per search, and studies written with the older separate attributes still read."""

from __future__ import annotations

import optuna
import pytest

from workbench.project import load_project
from workbench.search.listing import study_report
from workbench.search.runner import SearchSettings, TrialObjective, run_search, trial_attrs


def search(tmp_path, tiny_project, name="s", trials=3):
    settings = SearchSettings(project_dir=str(tmp_path / name), study=name, n_trials=trials,
                              strategy="random", seed=0)
    return run_search(load_project(tiny_project()), settings)


def test_one_user_attribute_write_per_trial(tmp_path, tiny_project, monkeypatch):
    writes = []
    original = optuna.trial.Trial.set_user_attr

    def counted(self, key, value):
        writes.append((self.number, key))
        original(self, key, value)

    monkeypatch.setattr(optuna.trial.Trial, "set_user_attr", counted)
    result = search(tmp_path, tiny_project, trials=2)
    # the tag goes with the sample, in the one commit that writes the parameters
    assert writes == [(0, "worker"), (0, "trial"), (1, "worker"), (1, "trial")]
    study = optuna.load_study(study_name="s", storage=result["storage"])
    recorded = trial_attrs(study.trials[0])
    assert set(study.trials[0].user_attrs) == {"worker", "trial"}
    assert recorded["worker"] and recorded["total_params"] > 0
    row = result["trials"][1]
    assert row["run_dir"] and row["epochs_run"] == 1 and row["problem"] is None
    assert result["best_run_dir"] == result["trials"][result["best_trial"]]["run_dir"]


def test_the_dataset_is_loaded_once_per_search(tmp_path, tiny_project, monkeypatch):
    import workbench.data

    loads = []
    original = workbench.data.load_dataset

    def counted(*args, **kwargs):
        loads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(workbench.data, "load_dataset", counted)
    result = search(tmp_path, tiny_project, trials=3)
    assert result["states"]["complete"] == 3 and len(loads) == 1


def test_sharing_the_dataset_gives_the_same_trial_results(tmp_path, tiny_project,
                                                          monkeypatch):
    import workbench.data

    shared = search(tmp_path, tiny_project, name="shared")
    # as before: nothing shared, every trial loads the dataset afresh
    call = TrialObjective.__call__

    def unshared(self, trial):
        self.loaded = None
        return call(self, trial)

    monkeypatch.setattr(TrialObjective, "__call__", unshared)
    loads, original = [], workbench.data.load_dataset
    monkeypatch.setattr(workbench.data, "load_dataset",
                        lambda *a, **k: loads.append(1) or original(*a, **k))
    fresh = search(tmp_path, tiny_project, name="fresh")
    assert len(loads) == 3
    assert [r["values"] for r in shared["trials"]] == [r["values"] for r in fresh["trials"]]
    assert [r["params"] for r in shared["trials"]] == [r["params"] for r in fresh["trials"]]


def old_style_study(tmp_path):
    """A study file as searches wrote it before the "trial" attribute: one per value."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    study = optuna.create_study(study_name="old", storage=url, direction="maximize")
    study.set_user_attr("objectives", ["val_accuracy"])
    done = study.ask()
    for key, value in {"worker": "host:1", "total_params": 10, "run_dir": "runs/a",
                       "epochs_run": 2, "stopped_reason": "completed"}.items():
        done.set_user_attr(key, value)
    study.tell(done, 0.9)
    failed = study.ask()
    failed.set_user_attr("problem", "over the constraint max_params 100")
    study.tell(failed, state=optuna.trial.TrialState.FAIL)
    return url


def test_old_studies_keep_opening(tmp_path):
    report = study_report("old", old_style_study(tmp_path))
    first, second = report["trials"]
    assert (first["run_dir"], first["epochs_run"], first["problem"]) == ("runs/a", 2, None)
    assert second["problem"] == "over the constraint max_params 100"
    assert report["best_run_dir"] == "runs/a" and report["best_value"] == pytest.approx(0.9)


def test_a_parents_problem_for_a_dead_worker_is_read_with_the_trial_attribute(tmp_path):
    study = optuna.create_study()
    trial = study.ask()
    trial.set_user_attr("trial", {"worker": "host:2", "total_params": 5})
    trial.set_user_attr("problem", "its worker process died")  # fail_trials_of
    assert trial_attrs(study.trials[0]) == {"worker": "host:2", "total_params": 5,
                                            "problem": "its worker process died"}


def test_the_summary_says_the_threads_per_worker(tmp_path, tiny_project, monkeypatch):
    from workbench.search import workers

    monkeypatch.setattr(workers, "run_worker_processes",
                        lambda project, settings, on_trial: {"workers": settings.workers})
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: set(range(5)),
                        raising=False)
    settings = SearchSettings(project_dir=str(tmp_path / "w"), study="w", n_trials=2,
                              workers=2)
    result = run_search(load_project(tiny_project()), settings)
    assert result == {"workers": 2, "threads_per_worker": 2}  # 5 cores // 2 workers
