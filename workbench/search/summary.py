"""A study's summary for people and --json: counts by state, the best trial (or the Pareto
front), every trial's row; and the refusal when no trial of a study finished."""

from __future__ import annotations

from typing import Any

from workbench.search.errors import SearchError
from workbench.search.trial import trial_attrs, trial_row

STATES = ("complete", "pruned", "failed", "running", "waiting")


def summarize(study: Any, url: str, objectives: list[str]) -> dict[str, Any]:
    """Counts by state, the trials counted toward the budget and the budget, the best trial
    (or the Pareto front for several objectives)."""
    from workbench.search.budget import BUDGET_ATTR, counts

    trials = study.get_trials(deepcopy=False)
    rows = [trial_row(t) for t in trials]
    states = {name: sum(r["state"] == name for r in rows) for name in STATES}
    result: dict[str, Any] = {
        "study": study.study_name, "storage": url, "n_trials": len(trials), "states": states,
        "objectives": objectives, "best_value": None, "best_params": None, "best_trial": None,
        "best_run_dir": None, "trials": rows,
        "counted": sum(counts(t) for t in trials),  # toward the budget (budget.py)
        "trial_budget": study.user_attrs.get(BUDGET_ATTR)}
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


def check_finished(study: Any, result: dict[str, Any]) -> None:
    """SearchError when no trial of the study completed or was pruned (every one failed)."""
    if result["states"]["complete"] == 0 and result["states"]["pruned"] == 0:
        problems = [trial_attrs(t).get("problem") for t in study.trials if
                    trial_attrs(t).get("problem")]
        raise SearchError(f"no trial of study '{study.study_name}' finished: every one failed"
                          + (f"; the first: {problems[0]}" if problems else ""))
