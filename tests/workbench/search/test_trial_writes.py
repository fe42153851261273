"""TrialWriteBatcher: a trial's parameters in one transaction with its next write, the running
trial read from memory, and what the database holds unchanged."""

from __future__ import annotations

import optuna
import pytest
import sqlalchemy

from workbench.search.trial_writes import TrialWriteBatcher, batch_trial_writes


@pytest.fixture
def commits():
    counted = []

    def on_commit(_connection):
        counted.append(1)

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "commit", on_commit)
    yield counted
    sqlalchemy.event.remove(sqlalchemy.engine.Engine, "commit", on_commit)


def objective(trial):
    x = trial.suggest_float("x", -1.0, 1.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    n = trial.suggest_int("n", 1, 8)
    assert trial.params == {"x": x, "kind": kind, "n": n}
    trial.report(x, 0)
    trial.set_user_attr("trial", {"n": n})
    return x + n


def run(url, batched, trials=4):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = optuna.storages.RDBStorage(url)
    if batched:
        storage = batch_trial_writes(storage)
    study = optuna.create_study(study_name="s", storage=storage,
                                sampler=optuna.samplers.RandomSampler(seed=3),
                                pruner=optuna.pruners.MedianPruner(), load_if_exists=True)
    study.optimize(objective, n_trials=trials)
    return study


def stored(url):
    study = optuna.load_study(study_name="s", storage=url)
    return [(t.number, t.state, t.params, t.distributions, t.user_attrs, t.values,
             t.intermediate_values) for t in study.trials]


def test_same_study_with_fewer_commits(tmp_path, commits):
    plain_url, batched_url = (f"sqlite:///{tmp_path / name}.db" for name in ("a", "b"))
    run(plain_url, batched=False, trials=1)
    plain = len(commits)
    run(plain_url, batched=False, trials=3)
    plain = len(commits) - plain
    commits.clear()
    run(batched_url, batched=True, trials=1)
    batched = len(commits)
    run(batched_url, batched=True, trials=3)
    batched = len(commits) - batched
    # 3 parameter commits per trial become none (written with the report's transaction)
    assert batched <= plain - 3 * 2
    assert stored(plain_url) == stored(batched_url)


def test_parameters_written_with_the_user_attribute(tmp_path):
    url = f"sqlite:///{tmp_path / 's'}.db"
    storage = batch_trial_writes(optuna.storages.RDBStorage(url))
    assert isinstance(storage, TrialWriteBatcher) and storage.url == url
    study = optuna.create_study(study_name="s", storage=storage)
    trial = study.ask()
    trial.suggest_int("n", 1, 8)
    other = optuna.load_study(study_name="s", storage=url)
    assert other.trials[0].params == {}  # not written yet
    assert storage.get_trial(trial._trial_id).params == trial.params  # from memory
    trial.set_user_attr("trial", {"problem": "x"})
    assert optuna.load_study(study_name="s", storage=url).trials[0].params == trial.params
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    assert optuna.load_study(study_name="s", storage=url).trials[0].state.name == "FAIL"


def test_an_incompatible_distribution_is_refused_at_suggest(tmp_path):
    url = f"sqlite:///{tmp_path / 's'}.db"
    study = optuna.create_study(study_name="s", storage=batch_trial_writes(
        optuna.storages.RDBStorage(url)))
    study.optimize(lambda t: t.suggest_int("n", 1, 8), n_trials=1)
    trial = study.ask()
    with pytest.raises(ValueError):
        trial.suggest_categorical("n", ["a", "b"])


def test_other_storages_are_left_as_they_are():
    memory = optuna.storages.InMemoryStorage()
    assert batch_trial_writes(memory) is memory


# two workers at the budget, exactly: test_budget.py


def test_another_process_trial_can_be_marked(tmp_path):
    """A parent marks a dead worker's trial (not in its cache) through the batcher."""
    url = f"sqlite:///{tmp_path / 's'}.db"
    worker = optuna.create_study(study_name="s", storage=url)
    running = worker.ask()
    parent = optuna.load_study(study_name="s", storage=batch_trial_writes(
        optuna.storages.RDBStorage(url)))
    parent._storage.set_trial_user_attr(running._trial_id, "problem", "its worker died")
    parent._storage.set_trial_state_values(running._trial_id, optuna.trial.TrialState.FAIL)
    trial = optuna.load_study(study_name="s", storage=url).trials[0]
    assert trial.user_attrs == {"problem": "its worker died"} and trial.state.name == "FAIL"


def test_finished_trials_as_the_database_holds_them(tmp_path):
    url = f"sqlite:///{tmp_path / 's'}.db"
    study = run(url, batched=True, trials=3)

    def seen(trials):
        return [(t.number, t.state, t.params, t.user_attrs, t.values, t.intermediate_values,
                 t.datetime_start) for t in trials]
    in_process = [study._storage.get_trial(t._trial_id) for t in study.trials]
    assert seen(in_process) == seen(optuna.load_study(study_name="s", storage=url).trials)


def test_an_enqueued_trial_runs_first(tmp_path):
    url = f"sqlite:///{tmp_path / 's'}.db"
    study = optuna.create_study(study_name="s", storage=batch_trial_writes(
        optuna.storages.RDBStorage(url)))
    study.optimize(lambda t: t.suggest_int("n", 1, 8), n_trials=1)
    assert study._storage.get_all_trials(study._study_id, states=(
        optuna.trial.TrialState.WAITING,)) == []
    optuna.load_study(study_name="s", storage=url).enqueue_trial({"n": 7})  # elsewhere
    study.optimize(lambda t: t.suggest_int("n", 1, 8), n_trials=1)
    assert [t.params["n"] for t in study.trials][1] == 7


def test_a_search_writes_the_sample_before_training(tmp_path, tiny_project, monkeypatch):
    from workbench import experiment
    from workbench.project import load_project
    from workbench.search.runner import SearchSettings, run_search

    seen = []
    execute = experiment.execute_run

    def training(request, *args, **kwargs):  # what another process sees meanwhile
        url = f"sqlite:///{tmp_path / 'p' / 'search' / 's'}.db"
        seen.append(optuna.load_study(study_name="s", storage=url).trials[-1].params)
        return execute(request, *args, **kwargs)

    monkeypatch.setattr(experiment, "execute_run", training)
    result = run_search(load_project(tiny_project()), SearchSettings(
        project_dir=str(tmp_path / "p"), study="s", n_trials=2, strategy="random", seed=0))
    assert seen == [row["params"] for row in result["trials"]] and seen[0]
