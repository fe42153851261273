"""A search: one study, each trial a normal run folder with lineage trial-of.

``run_search`` starts (or resumes) the study (study_start.py) and runs its trials, in this
process or in worker processes (workers.py). ``Study.optimize`` drives the trials: Optuna's
own loop keeps the heartbeat thread per trial and fails dead workers' trials, which its
ask/tell API leaves to the caller (Optuna 5 warns when heartbeat storage is used with ask).
Each trial (trial.py) samples a network + settings, validates it, trains it through
``execute_run`` with a pruning callback, and returns the validation objective(s). Selection
reads validation values only; the test split is never evaluated.

``--trials`` is the trial budget of budget.py: trials that reach a verdict (complete, pruned,
or failed by their own problem); an interrupted trial is replaced. Both here and in workers
the storage refuses a trial past the budget, so the study ends at it exactly.

Per-trial overhead: the dataset is loaded once per process (the space cannot vary it) and
each trial writes one user attribute, ``"trial"`` (worker, total_params, run_dir,
epochs_run, stopped_reason, problem), and its ``"worker"`` tag with its sample. Studies
written before that hold those as separate attributes; ``trial_attrs`` reads both. The
storage is wrapped in ``trial_writes.TrialWriteBatcher``: a trial's sampled parameters are
written in one transaction once the sample is valid (before training, so a running or killed
trial shows them), and the running trial is not read back from the database.
With worker processes the summary says how many torch threads each trains with
(``threads_per_worker``: max(1, cores // workers)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.search.errors import SearchError
from workbench.search.settings import OBJECTIVES, SearchSettings, check_search
from workbench.search.summary import STATES, check_finished, summarize
from workbench.search.trial import (
    TRIAL_KEYS,
    TrialFailed,
    TrialObjective,
    fail,
    mark_pruned,
    trial_attrs,
    trial_row,
    worker_tag,
)

__all__ = ["OBJECTIVES", "STATES", "TRIAL_KEYS", "SearchError", "SearchSettings",
           "TrialFailed", "TrialObjective", "check_finished", "check_search", "fail",
           "mark_pruned", "run_search", "summarize", "trial_attrs", "trial_row", "worker_tag"]


def run_search(project: Any, settings: SearchSettings, pruner: Any = None,
               on_trial: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run the study to its trial budget (``settings.n_trials`` more, or with ``resume`` and
    ``n_trials`` None the budget it stores); return the summary (``summarize``).

    ``pruner`` overrides the named one (tests). ``on_trial`` gets each finished trial's row.
    """
    import optuna

    from workbench.search.budget import optimize_within_budget
    from workbench.search.strategies import make_pruner, make_sampler
    from workbench.search.study import default_storage_url, open_storage
    from workbench.search.study_start import start_study
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
        study, budget = start_study(storage, project, settings, directions, sampler, pruner)
        if hasattr(storage, "budget"):  # a TrialWriteBatcher: refuses trials past it
            storage.budget = budget
            optimize_within_budget(study, objective, timeout=settings.timeout,
                                   catch=(TrialFailed,), callbacks=callbacks,
                                   gc_after_trial=False)
        else:  # not an RDB storage: no shared budget, this process's trials only
            from workbench.search.budget import counted_trials

            more = max(budget - counted_trials(study), 0)
            if more:
                study.optimize(objective, n_trials=more, timeout=settings.timeout,
                               catch=(TrialFailed,), callbacks=callbacks,
                               gc_after_trial=False)
    finally:
        optuna.logging.set_verbosity(previous)
    result = summarize(study, url, settings.objectives)
    result["notes"] = notes
    check_finished(study, result)
    return result
