"""How to search (``SearchSettings``), the objectives a search may optimize, and the check of
a project and settings before a study opens (``check_search``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.search.errors import SearchError
from workbench.train.metric_direction import metric_direction

# objective name -> direction (the one rule: workbench.train.metric_direction)
OBJECTIVES = {name: metric_direction(name) for name in ("val_accuracy", "val_loss", "val_mae",
                                                         "params")}
DEFAULT_TRIALS = 10  # a new study's budget when none is given


@dataclass
class SearchSettings:
    """How to search: strategy, budget, pruner, objectives and where the study lives.

    ``n_trials``: trials to run to their verdict now (``budget.py`` says what counts); with
    ``resume`` N more than the study counts, and None: up to the budget the study stores.
    """

    project_dir: str
    study: str
    strategy: str = "tpe"
    n_trials: int | None = DEFAULT_TRIALS
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
    if settings.n_trials is None and not settings.resume:
        settings.n_trials = DEFAULT_TRIALS
    if settings.n_trials is not None and settings.n_trials < 1:
        raise SearchError(f"--trials must be at least 1, found {settings.n_trials}")
    return space, [OBJECTIVES[o] for o in settings.objectives]
