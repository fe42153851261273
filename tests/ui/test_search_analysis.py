"""The Search panel's Qt-free analysis: importance (ranked, cached per number of complete
trials), the Pareto front of two objectives and the parallel-coordinates layout."""

from __future__ import annotations

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from ui.panels.search_analysis import (
    ImportanceCache,
    objective_points,
    parallel_layout,
    param_importances,
    pareto_front,
)
from workbench.search.runner import summarize

DISTRIBUTIONS = {"lr": FloatDistribution(1e-4, 1e-1, log=True),
                 "act": CategoricalDistribution(["relu", "tanh"]),
                 "width": IntDistribution(8, 64)}


def synthetic_study(n: int, objectives: int = 1, storage=None, name: str = "s"):
    """``n`` complete trials where ``width`` decides the first value and ``lr`` barely."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = ["maximize", "minimize"][:objectives]
    study = optuna.create_study(directions=directions, storage=storage, study_name=name)
    study.set_user_attr("objectives", ["val_accuracy", "params"][:objectives])
    for i in range(n):
        width = 8 + (i * 7) % 57
        params = {"lr": 10 ** (-4 + 3 * ((i * 5) % 11) / 10), "act": ("relu", "tanh")[i % 2],
                  "width": width}
        values = [width / 64 + 0.001 * (i % 3), float(width * 100 + (i % 4) * 900)]
        study.add_trial(optuna.trial.create_trial(params=params, distributions=DISTRIBUTIONS,
                                                  values=values[:objectives]))
    return study


def report_of(study, objectives: int = 1):
    return summarize(study, "memory", ["val_accuracy", "params"][:objectives])


def test_importance_ranks_the_parameter_that_decides_first():
    ranked, evaluator = param_importances(synthetic_study(12))
    assert ranked[0][0] == "width" and {k for k, _ in ranked} == {"lr", "act", "width"}
    assert ranked == sorted(ranked, key=lambda kv: -kv[1])
    assert evaluator == "fANOVA"


def test_importance_needs_two_complete_trials():
    ranked, problem = param_importances(synthetic_study(1))
    assert ranked == [] and "needs 2 complete trials, found 1" in problem


def test_importance_falls_back_to_mean_decrease_impurity(monkeypatch):
    import optuna.importance as importance

    def broken(*_args, **_kwargs):
        raise RuntimeError("fANOVA broke")

    monkeypatch.setattr(importance.FanovaImportanceEvaluator, "evaluate", broken)
    ranked, evaluator = param_importances(synthetic_study(12))
    assert evaluator == "mean decrease impurity" and ranked[0][0] == "width"


def test_importance_is_cached_per_number_of_complete_trials():
    study = synthetic_study(6)
    cache = ImportanceCache()
    first = report_of(study)
    cache.attach(study, first)
    cache.attach(study, report_of(study))
    assert cache.computed == 1 and first["importance"]["ranked"]
    synthetic_study_trial = optuna.trial.create_trial(
        params={"lr": 0.01, "act": "relu", "width": 9}, distributions=DISTRIBUTIONS, values=[0.1])
    study.add_trial(synthetic_study_trial)
    cache.attach(study, report_of(study))
    assert cache.computed == 2


def test_pareto_front_matches_optunas_best_trials():
    study = synthetic_study(12, objectives=2)
    report = report_of(study, objectives=2)
    front = pareto_front(objective_points(report["trials"]), (True, False))
    assert front == {t.number for t in study.best_trials}
    assert pareto_front([(0, 1.0, 1.0), (1, 2.0, 2.0), (2, 0.5, 3.0)], (True, True)) == {1, 2}


def test_parallel_layout_scales_numbers_logs_wide_ranges_and_spaces_categories():
    rows = report_of(synthetic_study(12))["trials"]
    rows.append({"number": 99, "state": "pruned", "values": None, "params": {"lr": 1.0}})
    layout = parallel_layout(rows)
    kinds = {a["name"]: a["kind"] for a in layout["axes"]}
    assert kinds == {"act": "categorical", "lr": "log", "width": "numeric"}
    assert [t[1] for t in layout["axes"][0]["ticks"]] == ["relu", "tanh"]
    assert len(layout["lines"]) == 12  # complete trials only
    for _number, positions, _value in layout["lines"]:
        assert all(0.0 <= p <= 1.0 for p in positions)
        assert positions[0] in (0.0, 1.0)


def test_parallel_layout_leaves_a_gap_for_a_missing_parameter():
    rows = [{"number": 0, "state": "complete", "values": [0.5], "params": {"a": 1, "b": "x"}},
            {"number": 1, "state": "complete", "values": [0.7], "params": {"a": 3}}]
    layout = parallel_layout(rows)
    assert layout["lines"][1][1] == [1.0, None]
    assert layout["axes"][1]["ticks"] == [(0.5, "x")]
