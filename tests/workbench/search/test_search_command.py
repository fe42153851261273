"""`workbench search` end to end on a tiny digits study, pruning, and bad input (exit 2)."""

from __future__ import annotations

import json

import optuna
import pytest

from workbench.cli import main
from workbench.paths import find_example
from workbench.search.runner import trial_attrs


def search(capsys, project, *argv):
    code = main(["search", str(project), "--json", *argv])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("{")]
    return code, json.loads(lines[-1]) if lines else None, out.err


def test_tiny_study_end_to_end_then_resume(tmp_path, capsys, tiny_project):
    project, folder = tiny_project(), tmp_path / "p"
    code, result, err = search(capsys, project, "--strategy", "tpe", "--trials", "4",
                               "--seed", "0", "--project", str(folder))
    assert code == 0, err
    assert result["study"] == "search_mlp_digits" and result["n_trials"] == 4
    assert result["storage"] == f"sqlite:///{folder.resolve()}/search/search_mlp_digits.db"
    assert result["states"]["complete"] == 4 and result["states"]["failed"] == 0
    assert 0.2 < result["best_value"] <= 1.0
    assert set(result["best_params"]) >= {"fc1.out_features", "relu1.type", "training.lr"}
    best = json.loads((tmp_path / result["best_run_dir"] / "config.json").read_text())
    assert best["lineage"] == {"relation": "trial-of", "study": "search_mlp_digits",
                               "trial": result["best_trial"]}
    assert best["training"]["monitor"] == "val_accuracy"
    assert best["training"]["lr"] == result["best_params"]["training.lr"]
    nodes = {n["id"]: n for n in best["graph"]["nodes"]}
    assert nodes["relu1"]["type"] == result["best_params"]["relu1.type"]
    runs = sorted((folder / "runs").iterdir())
    assert len(runs) == 4
    for run in runs:  # selection never reads the test split
        summary = json.loads((run / "summary.json").read_text())
        assert not any(key.startswith("test") for key in summary)
    # the study exists: a second start without --resume is refused, --resume continues it
    code, result, err = search(capsys, project, "--trials", "1", "--project", str(folder))
    assert code == 2 and "already exists" in err and "--resume" in result["error"]
    code, result, err = search(capsys, project, "--trials", "1", "--resume", "--strategy",
                               "evolution", "--project", str(folder))
    assert code == 0, err
    assert result["n_trials"] == 5 and result["states"]["complete"] == 5
    # reading it back: the project's studies, one study's trials, its best run
    assert main(["studies", "--project", str(folder), "--json"]) == 0
    studies = json.loads(capsys.readouterr().out)["studies"]
    assert [(s["study"], s["n_trials"], s["best_value"]) for s in studies] == [
        ("search_mlp_digits", 5, result["best_value"])]
    assert main(["study", "search_mlp_digits", "--project", str(folder), "--best"]) == 0
    assert capsys.readouterr().out.strip() == result["best_run_dir"]
    assert main(["study", "search_mlp_digits", "--project", str(folder), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["trials"]
    assert [r["state"] for r in rows] == ["complete"] * 5 and all(r["run_dir"] for r in rows)
    assert main(["study", "other", "--project", str(folder)]) == 2
    assert "no study 'other'" in capsys.readouterr().err


class PruneAfterFirstEpoch(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return trial.last_step is not None


def test_pruned_trial_stops_within_one_epoch_and_is_recorded_pruned(tmp_path, tiny_project):
    from workbench.project import load_project
    from workbench.search.runner import SearchSettings, run_search

    project = load_project(tiny_project(epochs=6))
    settings = SearchSettings(project_dir=str(tmp_path / "p"), study="pruning", n_trials=2,
                              strategy="random", seed=0)
    result = run_search(project, settings, pruner=PruneAfterFirstEpoch())
    assert result["states"]["pruned"] == 2 and result["best_value"] is None
    for row in result["trials"]:
        assert row["state"] == "pruned" and row["epochs_run"] == 1
        summary = json.loads((tmp_path / row["run_dir"] / "summary.json").read_text())
        assert summary["stopped_reason"] == "pruned" and summary["epochs_run"] == 1
    storage = optuna.storages.RDBStorage(result["storage"])
    trial = optuna.load_study(study_name="pruning", storage=storage).trials[0]
    assert trial.intermediate_values == {1: pytest.approx(trial.intermediate_values[1])}


def test_every_invalid_sample_is_recorded_and_the_search_says_so(tmp_path, capsys,
                                                                   tiny_project):
    project = tiny_project(constraints={"max_params": 100})
    code, result, err = search(capsys, project, "--trials", "3", "--strategy", "random",
                               "--project", str(tmp_path / "p"))
    assert code == 2
    assert "no trial of study 'search_mlp_digits' finished: every one failed" in err
    assert "over the constraint max_params 100" in result["error"]
    assert not (tmp_path / "p" / "runs").exists()  # nothing trained
    study = optuna.load_study(study_name="search_mlp_digits",
                              storage=f"sqlite:///{tmp_path / 'p'}/search/search_mlp_digits.db")
    assert [t.state.name for t in study.trials] == ["FAIL"] * 3
    assert "max_params" in trial_attrs(study.trials[0])["problem"]


@pytest.mark.parametrize("setup, argv, expected", [
    ("empty", [], "the search space is empty"),
    ("none", [], "has no search space"),
    ("plain", ["--storage", "postgresql://nobody@127.0.0.1:1/none"],
     "cannot open the study storage postgresql://***@127.0.0.1:1/none"),
    ("corrupt", ["--resume"], "cannot open the study storage sqlite:///"),
    ("plain", ["--resume"], "no study 'search_mlp_digits' to resume"),
    ("plain", ["--strategy", "grid"], "grid needs every range to have a 'step'"),
    ("plain", ["--objective", "val_accuracy", "--objective", "params", "--pruner", "median"],
     "with several objectives use --pruner none"),
    ("plain", ["--strategy", "evolution", "--objective", "val_loss", "--objective", "params"],
     "evolution optimizes one objective"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, tiny_project, setup, argv,
                                          expected):
    folder = tmp_path / "p"
    if setup == "none":
        data = json.loads(find_example("mlp_digits").read_text())
        project = tmp_path / "plain.wbproj.json"
        project.write_text(json.dumps(data))
    else:
        project = tiny_project()
    if setup == "empty":
        data = json.loads(project.read_text())
        data["search"] = {"format_version": 1}
        project.write_text(json.dumps(data))
    if setup == "corrupt":
        (folder / "search").mkdir(parents=True)
        (folder / "search" / "search_mlp_digits.db").write_bytes(b"not a database " * 100)
    code, result, err = search(capsys, project, "--trials", "1", "--project", str(folder),
                               *argv)
    assert code == 2, err
    assert expected in result["error"] and err.count("\n") == 1 and "Traceback" not in err


def test_nan_and_out_of_memory_trials_fail_with_their_problem_and_the_study_goes_on(
        tmp_path, tiny_project, monkeypatch):
    import workbench.experiment as experiment
    import workbench.search.runner as runner
    from workbench.project import load_project

    real = experiment.execute_run
    calls = []

    def flaky(request, callbacks, control, dataset=None):
        calls.append(request.name)
        if len(calls) == 1:
            return {**real(request, callbacks, control, dataset=dataset),
                    "stopped_reason": "nan"}
        if len(calls) == 2:
            raise MemoryError("CPU out of memory allocating 8 GiB")
        return real(request, callbacks, control, dataset=dataset)

    monkeypatch.setattr(experiment, "execute_run", flaky)
    settings = runner.SearchSettings(project_dir=str(tmp_path / "p"), study="faults",
                                     n_trials=3, strategy="random", seed=0)
    result = runner.run_search(load_project(tiny_project(epochs=1)), settings)
    assert result["states"]["failed"] == 2 and result["states"]["complete"] == 1
    problems = [trial_attrs(t).get("problem") for t in optuna.load_study(
        study_name="faults", storage=result["storage"]).trials]
    assert problems[0] == "the loss became NaN/Inf during training"
    assert problems[1] == "training failed: MemoryError: CPU out of memory allocating 8 GiB"
    assert problems[2] is None and result["best_value"] is not None
