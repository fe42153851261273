"""A search: one study, each trial a normal run folder with lineage trial-of.

``run_search`` opens the study (study.py), and ``Study.optimize`` drives the trials: Optuna's
own loop keeps the heartbeat thread per trial and fails dead workers' trials, which its
ask/tell API leaves to the caller (Optuna 5 warns when heartbeat storage is used with ask).
Each trial samples a network + settings (sampling.py), validates it, trains it through
``execute_run`` with a pruning callback, and returns the validation objective(s). Selection
reads validation values only; the test split is never evaluated.

Per-trial overhead: the dataset is loaded once per process (the space cannot vary it) and
each trial writes one user attribute, ``"trial"`` (worker, total_params, run_dir,
epochs_run, stopped_reason, problem). Studies written before that hold those as separate
attributes; ``trial_attrs`` reads both. The storage is wrapped in
``trial_writes.TrialWriteBatcher``: a trial's sampled parameters are written in one
transaction once the sample is valid (before training, so a running or killed trial shows
them), and the running trial is not read back from the database.
With worker processes the summary says how many torch threads each trains with
(``threads_per_worker``: max(1, cores // workers)).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from workbench.search.errors import SearchError

# objective name -> (where its value comes from, direction)
OBJECTIVES = {"val_accuracy": "maximize", "val_loss": "minimize", "val_mae": "minimize",
              "params": "minimize"}
STATES = ("complete", "pruned", "failed", "running", "waiting")
# what a trial records (the "trial" user attribute); older studies: one attribute each
TRIAL_KEYS = ("worker", "total_params", "run_dir", "epochs_run", "stopped_reason", "problem")


class TrialFailed(Exception):
    """A trial that could not produce a value (invalid sample, a setup problem, NaN, a crash
    in training); Optuna records it FAILED and the study goes on."""


@dataclass
class SearchSettings:
    """How to search: strategy, budget, pruner, objectives and where the study lives."""

    project_dir: str
    study: str
    strategy: str = "tpe"
    n_trials: int = 10
    timeout: float | None = None
    pruner: str | None = "none"  # None: a resumed study's own, none for a new one
    objectives: list[str] = field(default_factory=lambda: ["val_accuracy"])
    seed: int | None = None
    resume: bool = False
    storage: str | None = None  # default: SQLite in the project folder
    heartbeat_interval: int = 10
    grace_period: int | None = None
    retry_stale: int = 0
    strategy_options: dict[str, Any] = field(default_factory=dict)
    workers: int = 0  # 0: trials run in this process; N >= 1: N worker processes (workers.py)


def run_search(project: Any, settings: SearchSettings, pruner: Any = None,
               on_trial: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run ``settings.n_trials`` more trials of the study; return the summary (``summarize``).

    ``pruner`` overrides the named one (tests). ``on_trial`` gets each finished trial's row.
    """
    import optuna

    from workbench.search.strategies import make_pruner, make_sampler
    from workbench.search.study import default_storage_url, open_storage, open_study
    from workbench.search.trial_writes import batch_trial_writes

    if settings.workers > 0:
        from workbench.search.workers import run_worker_processes, worker_threads

        result = run_worker_processes(project, settings, on_trial)
        result.setdefault("threads_per_worker", worker_threads(settings.workers))
        return result
    space, directions = check_search(project, settings)
    epochs = int(project.training.get("epochs", 20))
    sampler, notes = make_sampler(settings.strategy, space, settings.seed, len(directions),
                                  settings.strategy_options)
    pruner = pruner or make_pruner(settings.pruner, epochs, len(directions))
    url = settings.storage or default_storage_url(settings.project_dir, settings.study)
    storage = batch_trial_writes(open_storage(url, settings.heartbeat_interval,
                                              settings.grace_period, settings.retry_stale))
    objective = TrialObjective(project, space, settings)
    callbacks = [lambda s, t: on_trial(trial_row(t))] if on_trial else []
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the CLI prints its own lines
    try:
        study = open_study(storage, settings.study, directions, sampler, pruner,
                           settings.resume, study_attrs(project, settings))
        set_worker_attrs(study, project, settings)
        study.optimize(objective, n_trials=settings.n_trials, timeout=settings.timeout,
                       catch=(TrialFailed,), callbacks=callbacks, gc_after_trial=False)
    finally:
        optuna.logging.set_verbosity(previous)
    result = summarize(study, url, settings.objectives)
    result["notes"] = notes
    check_finished(study, result)
    return result


def optimize_within_budget(study: Any, objective: Any, **optimize: Any) -> None:
    """``study.optimize(objective, **optimize)`` that ends when the storage refuses a new
    trial because the study holds its trial budget (``trial_writes.BudgetReached``: a storage
    from ``batch_trial_writes(storage, budget)``), as when ``n_trials`` or the timeout ends."""
    from workbench.search.trial_writes import BudgetReached

    try:
        study.optimize(objective, **optimize)
    except BudgetReached:
        pass


def check_search(project: Any, settings: SearchSettings) -> tuple[Any, list[str]]:
    """The parsed search space and the objectives' directions; SearchError for bad input."""
    from workbench.search.space import SearchSpaceError, parse_space

    if project.search is None:
        raise SearchError(f"project '{project.name}' has no search space (a 'search' section "
                          f"naming what may vary); see resources/examples/"
                          f"search_mlp_digits.wbproj.json")
    try:
        space = parse_space(project.search, project.graph)
    except SearchSpaceError as exc:
        raise SearchError(str(exc)) from None
    if space.is_empty:
        raise SearchError(f"project '{project.name}': the search space is empty (expected at "
                          f"least one node parameter or training setting that varies)")
    bad = [o for o in settings.objectives if o not in OBJECTIVES]
    if bad or not settings.objectives:
        raise SearchError(f"unknown objective(s) {', '.join(bad) or 'none'}; expected "
                          f"{', '.join(OBJECTIVES)}")
    if settings.objectives[0] == "params":
        raise SearchError("the first objective must be a validation metric (val_accuracy, "
                          "val_loss, val_mae); 'params' may come after it")
    if settings.n_trials < 1:
        raise SearchError(f"--trials must be at least 1, found {settings.n_trials}")
    return space, [OBJECTIVES[o] for o in settings.objectives]


def study_attrs(project: Any, settings: SearchSettings) -> dict[str, Any]:
    """What a new study records about itself for people (objectives, strategy, project)."""
    return {"objectives": settings.objectives, "strategy": settings.strategy,
            "project": project.name}


def set_worker_attrs(study: Any, project: Any, settings: SearchSettings) -> None:
    """What a worker on any machine needs to join the study, set on every start: the project
    (its dataset with absolute paths), the search settings and the trial budget (the study's
    trial count at which workers stop: trials so far + ``settings.n_trials``)."""
    data = project.to_dict()
    data["dataset"] = project.resolved_dataset()
    study.set_user_attr("project_file", data)
    study.set_user_attr("search_settings", {
        "strategy": settings.strategy, "pruner": settings.pruner,
        "objectives": settings.objectives, "seed": settings.seed,
        "heartbeat_interval": settings.heartbeat_interval,
        "grace_period": settings.grace_period, "retry_stale": settings.retry_stale,
        "strategy_options": settings.strategy_options})
    study.set_user_attr("trial_budget", len(study.get_trials(deepcopy=False))
                        + settings.n_trials)


def check_finished(study: Any, result: dict[str, Any]) -> None:
    """SearchError when no trial of the study completed or was pruned (every one failed)."""
    if result["states"]["complete"] == 0 and result["states"]["pruned"] == 0:
        problems = [trial_attrs(t).get("problem") for t in study.trials if
                    trial_attrs(t).get("problem")]
        raise SearchError(f"no trial of study '{study.study_name}' finished: every one failed"
                          + (f"; the first: {problems[0]}" if problems else ""))


class TrialObjective:
    """The function Optuna calls per trial: sample, validate, train, report, return values.

    ``tag_at_start``: also write the ``"worker"`` attribute as the trial starts (a worker
    process: its parent fails a dead worker's RUNNING trials by that tag), one more commit.
    """

    def __init__(self, project: Any, space: Any, settings: SearchSettings,
                 tag_at_start: bool = False) -> None:
        self.project, self.space, self.settings = project, space, settings
        self.dataset = project.resolved_dataset()
        self.tag_at_start = tag_at_start
        self.loaded: Any = None  # the dataset, loaded by the first trial that needs it

    def __call__(self, trial: Any) -> Any:
        from workbench.experiment import RunRequest, RunSetupError, execute_run, load_run_dataset
        from workbench.search.pruning import TrialPruningCallback
        from workbench.search.sampling import InvalidSample, sample
        from workbench.train.callbacks import RunControl
        from workbench.train.config import TrainConfig

        settings, primary = self.settings, self.settings.objectives[0]
        info: dict[str, Any] = {"worker": worker_tag()}  # whose trial
        if self.tag_at_start:
            trial.set_user_attr("worker", info["worker"])  # a dead worker's: failed
        try:
            drawn = sample(trial, self.project.graph, self.project.training, self.space)
        except InvalidSample as exc:
            fail(trial, str(exc), info)
        written = getattr(trial.storage, "flush", None)  # trial_writes.TrialWriteBatcher
        if written is not None:  # the sample in one commit: shown (and kept) while it trains
            written(trial._trial_id)
        info["total_params"] = drawn.total_params
        training = dict(drawn.training)
        monitors = TrainConfig.__dataclass_fields__["monitor"].metadata.get("choices", ())
        if "monitor" not in training and primary in monitors:
            training["monitor"] = primary  # best weights and summary at the best objective
        request = RunRequest(graph=drawn.graph.to_dict(), dataset=self.dataset,
                             training=training, project_dir=settings.project_dir,
                             name=f"{settings.study}-trial{trial.number}",
                             lineage={"relation": "trial-of", "study": settings.study,
                                      "trial": trial.number})
        control = RunControl()
        pruning = TrialPruningCallback(trial, primary, control,
                                       report=len(settings.objectives) == 1)
        try:
            if self.loaded is None:  # same spec for every trial: loaded once, shared
                self.loaded = load_run_dataset(request)
            summary = execute_run(request, [pruning], control, dataset=self.loaded)
        except RunSetupError as exc:
            fail(trial, f"the sample cannot train: {' '.join(str(exc).split())}", info)
        except Exception as exc:  # OOM, a layer's error: recorded, the study goes on
            fail(trial, f"training failed: {type(exc).__name__}: {exc}", info)
        info.update(run_dir=summary.get("run_dir"), epochs_run=summary.get("epochs_run"),
                    stopped_reason=summary.get("stopped_reason"))
        if pruning.pruned_at is not None:
            mark_pruned(summary)
            trial.set_user_attr("trial", {**info, "stopped_reason": "pruned"})
            import optuna

            raise optuna.TrialPruned(f"pruned after epoch {pruning.pruned_at + 1}")
        if summary.get("stopped_reason") == "nan":
            fail(trial, "the loss became NaN/Inf during training", info)
        values = []
        for name in settings.objectives:
            value = drawn.total_params if name == "params" else summary.get(name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                fail(trial, f"the run has no {name} value (found {value!r})", info)
            values.append(float(value))
        trial.set_user_attr("trial", info)
        return values[0] if len(values) == 1 else values


def worker_tag() -> str:
    """``host:pid`` of this process: which worker runs a trial."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def fail(trial: Any, problem: str, info: dict[str, Any] | None = None) -> NoReturn:
    """Record ``problem`` (with what ``info`` holds) on the trial and end it FAILED."""
    trial.set_user_attr("trial", {**(info or {}), "problem": problem})
    raise TrialFailed(problem)


def trial_attrs(trial: Any) -> dict[str, Any]:
    """What the trial recorded (``TRIAL_KEYS``): its ``"trial"`` attribute over the separate
    attributes of older studies (and the ``"problem"`` a parent writes for a dead worker)."""
    attrs = trial.user_attrs
    recorded = attrs.get("trial")
    return {**{k: attrs[k] for k in TRIAL_KEYS if k in attrs},
            **(recorded if isinstance(recorded, dict) else {})}


def mark_pruned(summary: dict[str, Any]) -> None:
    """The run's summary.json says stopped_reason "pruned" (where the trainer wrote "stopped")."""
    if summary.get("stopped_reason") == "pruned" or not summary.get("run_dir"):
        return
    from workbench.runs.run_store import RunStore

    summary["stopped_reason"] = "pruned"
    run = RunStore.open(summary["run_dir"])
    run.write_summary({**(run.read_summary() or {}), "stopped_reason": "pruned"})


def trial_row(trial: Any) -> dict[str, Any]:
    """One trial for tables and --json: number, state, values, params, run, problem."""
    attrs = trial_attrs(trial)
    return {"number": trial.number, "state": trial.state.name.lower().replace("fail", "failed"),
            "values": trial.values, "params": trial.params, "run_dir": attrs.get("run_dir"),
            "epochs_run": attrs.get("epochs_run"), "problem": attrs.get("problem")}


def summarize(study: Any, url: str, objectives: list[str]) -> dict[str, Any]:
    """Counts by state, the best trial (or the Pareto front for several objectives)."""
    trials = study.get_trials(deepcopy=False)
    rows = [trial_row(t) for t in trials]
    states = {name: sum(r["state"] == name for r in rows) for name in STATES}
    result: dict[str, Any] = {
        "study": study.study_name, "storage": url, "n_trials": len(trials), "states": states,
        "objectives": objectives, "best_value": None, "best_params": None, "best_trial": None,
        "best_run_dir": None, "trials": rows}
    if states["complete"] == 0:
        return result
    if len(objectives) == 1:
        best = study.best_trial
        result.update(best_value=best.value, best_params=best.params, best_trial=best.number,
                      best_run_dir=trial_attrs(best).get("run_dir"))
    else:
        front = [trial_row(t) for t in study.best_trials]
        result["pareto_front"] = front
        first = max(front, key=lambda r: r["values"][0]) if objectives[0] == "val_accuracy" \
            else min(front, key=lambda r: r["values"][0])
        result.update(best_value=first["values"][0], best_params=first["params"],
                      best_trial=first["number"], best_run_dir=first["run_dir"])
    return result
