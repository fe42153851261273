"""The Search panel's analysis, without Qt: parameter importance (Optuna's evaluators), the
Pareto front of two objectives, and the parallel-coordinates layout of the complete trials.

Importance is computed on the study reader's thread (``ImportanceCache.attach``), once per
number of complete trials: fANOVA first, the mean-decrease-impurity evaluator if it fails.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

MIN_TRIALS = 2  # complete trials needed before importance means anything


def complete_rows(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The complete trials with values, by number."""
    return sorted((r for r in trials if r.get("state") == "complete" and r.get("values")),
                  key=lambda r: r["number"])


def param_importances(study: Any, objective: int = 0) -> tuple[list[tuple[str, float]], str]:
    """(parameters ranked by importance for objective ``objective``, the evaluator's name);
    ([], reason) when it cannot be computed (too few complete trials, nothing varies)."""
    import optuna
    from optuna.importance import FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator

    trials = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(trials) < MIN_TRIALS:
        return [], f"needs {MIN_TRIALS} complete trials, found {len(trials)}"
    target = None if len(study.directions) == 1 else (lambda t: t.values[objective])
    problem = "no parameter varies"
    for name, evaluator in (("fANOVA", FanovaImportanceEvaluator(seed=0)),
                            ("mean decrease impurity",
                             MeanDecreaseImpurityImportanceEvaluator(seed=0))):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ranked = optuna.importance.get_param_importances(
                    study, evaluator=evaluator, target=target)
        except Exception as exc:  # an evaluator's own limits: try the next one
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            continue
        values = [(k, float(v)) for k, v in ranked.items() if math.isfinite(float(v))]
        if values:
            return sorted(values, key=lambda kv: -kv[1]), name
    return [], problem


class ImportanceCache:
    """Importance for one study, recomputed only when its number of complete trials changes."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.value: dict[str, Any] = {}
        self.computed = 0  # how many times it was computed (tests)

    def attach(self, study: Any, report: dict[str, Any] | None) -> None:
        """Add ``report["importance"] = {"ranked": [(name, share)...], "evaluator" | "problem"}``
        for the first objective."""
        if not report:
            return
        n = len(complete_rows(report.get("trials") or []))
        key = (study.study_name, n, tuple(report.get("objectives") or ()))
        if key != self.key:
            ranked, how = param_importances(study)
            self.value = {"ranked": ranked, ("evaluator" if ranked else "problem"): how}
            self.key = key
            self.computed += 1
        report["importance"] = self.value


def pareto_front(points: list[tuple[int, float, float]],
                 maximize: tuple[bool, bool]) -> set[int]:
    """The numbers of the (number, objective 1, objective 2) points that no other dominates."""
    signs = [1.0 if m else -1.0 for m in maximize]
    scored = [(n, a * signs[0], b * signs[1]) for n, a, b in points]
    return {n for n, a, b in scored
            if not any(a2 >= a and b2 >= b and (a2 > a or b2 > b) for _, a2, b2 in scored)}


def objective_points(trials: list[dict[str, Any]]) -> list[tuple[int, float, float]]:
    """(number, objective 1, objective 2) of each complete trial with two values."""
    return [(r["number"], float(r["values"][0]), float(r["values"][1]))
            for r in complete_rows(trials) if len(r["values"]) >= 2]


def parallel_layout(trials: list[dict[str, Any]]) -> dict[str, Any]:
    """Axes and polylines for parallel coordinates of the complete trials.

    ``axes``: one per parameter, ``{"name", "kind": "numeric"|"log"|"categorical",
    "ticks": [(position 0..1, label)]}``; ``lines``: ``(number, [position or None per axis],
    first value)``, None where a trial lacks the parameter (a conditional one)."""
    rows = complete_rows(trials)
    names = sorted({k for r in rows for k in (r.get("params") or {})})
    axes, scales = [], []
    for name in names:
        seen = [r["params"][name] for r in rows if name in (r.get("params") or {})]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen)
        if numeric and len(set(seen)) > 1:
            low, high = min(seen), max(seen)
            log = low > 0 and high / low >= 100
            f = (lambda v: math.log10(v)) if log else float
            lo, hi = f(low), f(high)
            scales.append(lambda v, f=f, lo=lo, hi=hi: (f(v) - lo) / (hi - lo))
            ticks = [(0.0, _fmt(low)), (1.0, _fmt(high))]
            axes.append({"name": name, "kind": "log" if log else "numeric", "ticks": ticks})
        else:  # categories (and a constant number) evenly spaced, in a stable order
            cats = sorted({repr(v) if not isinstance(v, str) else v for v in seen})
            pos = {c: (i / (len(cats) - 1) if len(cats) > 1 else 0.5) for i, c in enumerate(cats)}
            scales.append(lambda v, pos=pos: pos[v if isinstance(v, str) else repr(v)])
            axes.append({"name": name, "kind": "categorical",
                         "ticks": [(p, c) for c, p in pos.items()]})
    lines = [(r["number"],
              [scale(r["params"][n]) if n in (r.get("params") or {}) else None
               for n, scale in zip(names, scales)],
              float(r["values"][0])) for r in rows]
    return {"axes": axes, "lines": lines}


def _fmt(value: float) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
