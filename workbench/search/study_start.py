"""Starting (or resuming) a study, the same for a search in this process and for the parent
of worker processes: open it, settle its stale trials, record what a worker on any machine
needs, and set the trial budget (budget.py)."""

from __future__ import annotations

from typing import Any

from workbench.search.settings import SearchSettings


def study_attrs(project: Any, settings: SearchSettings) -> dict[str, Any]:
    """What a new study records about itself for people (objectives, strategy, project)."""
    return {"objectives": settings.objectives, "strategy": settings.strategy,
            "project": project.name}


def set_worker_attrs(study: Any, project: Any, settings: SearchSettings) -> None:
    """What a worker on any machine needs to join the study, set on every start: the project
    (its dataset with absolute paths) and the search settings."""
    data = project.to_dict()
    data["dataset"] = project.resolved_dataset()
    study.set_user_attr("project_file", data)
    study.set_user_attr("search_settings", {
        "strategy": settings.strategy, "pruner": settings.pruner,
        "objectives": settings.objectives, "seed": settings.seed,
        "heartbeat_interval": settings.heartbeat_interval,
        "grace_period": settings.grace_period, "retry_stale": settings.retry_stale,
        "strategy_options": settings.strategy_options})


def start_study(storage: Any, project: Any, settings: SearchSettings,
                directions: list[str], sampler: Any, pruner: Any) -> tuple[Any, int]:
    """Open (or create) the study, fail its stale trials (``budget.settle_stale``), record
    the worker attributes and the trial budget; return (study, budget)."""
    from workbench.search.budget import set_budget, settle_stale
    from workbench.search.study import open_study

    study = open_study(storage, settings.study, directions, sampler, pruner,
                       settings.resume, study_attrs(project, settings))
    settle_stale(study)
    set_worker_attrs(study, project, settings)
    return study, set_budget(study, settings.n_trials)
