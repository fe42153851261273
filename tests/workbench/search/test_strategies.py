"""Strategies and pruners by name, and a two-objective (Pareto) study through the CLI."""

from __future__ import annotations

import json

import optuna
import pytest

from workbench.cli import main
from workbench.search.errors import SearchError
from workbench.search.evolution import RegularizedEvolutionSampler
from workbench.search.space import parse_space
from workbench.search.strategies import STRATEGIES, make_pruner, make_sampler

MIXED = parse_space({"training": {"lr": {"kind": "float", "low": 1e-4, "high": 1e-1,
                                         "log": True},
                                  "optimizer": {"kind": "choice", "choices": ["adam", "sgd"]}}})
STEPPED = parse_space({"training": {"batch_size": {"kind": "int", "low": 16, "high": 64,
                                                   "step": 16},
                                    "lr": {"kind": "float", "low": 0.01, "high": 0.03,
                                           "step": 0.01}}})


@pytest.mark.parametrize("name, kind", [
    ("random", optuna.samplers.RandomSampler), ("grid", optuna.samplers.GridSampler),
    ("tpe", optuna.samplers.TPESampler), ("cmaes", optuna.samplers.CmaEsSampler),
    ("nsga2", optuna.samplers.NSGAIISampler), ("evolution", RegularizedEvolutionSampler)])
def test_every_strategy_name_makes_its_sampler(name, kind):
    sampler, notes = make_sampler(name, STEPPED, seed=0)  # cmaes: a dependency, ranges only
    assert type(sampler) is kind and notes == []


def test_every_strategy_is_tested():
    assert set(STRATEGIES) == {"random", "grid", "tpe", "cmaes", "nsga2", "evolution"}
    assert isinstance(make_sampler("evolution", MIXED)[0], RegularizedEvolutionSampler)


def test_cmaes_on_choices_falls_back_with_a_note():
    sampler, notes = make_sampler("cmaes", MIXED, seed=0)
    assert isinstance(sampler, optuna.samplers.TPESampler)
    assert notes == ["cmaes searches continuous ranges only and the space has choices "
                     "(training.optimizer): using tpe instead"]


def test_grid_covers_every_combination_once():
    sampler, _ = make_sampler("grid", STEPPED, seed=0)
    study = optuna.create_study(sampler=sampler)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study.optimize(lambda t: t.suggest_int("training.batch_size", 16, 64, step=16)
                   + t.suggest_float("training.lr", 0.01, 0.03, step=0.01), n_trials=50)
    assert len(study.trials) == 12  # 4 x 3, then the grid stops the study
    assert len({tuple(sorted(t.params.items())) for t in study.trials}) == 12


@pytest.mark.parametrize("call, expected", [
    (lambda: make_sampler("anneal", STEPPED), "unknown strategy 'anneal'"),
    (lambda: make_sampler("grid", MIXED), "continuous: training.lr"),
    (lambda: make_sampler("evolution", MIXED, n_objectives=2), "one objective"),
    (lambda: make_sampler("evolution", MIXED, options={"population_size": 1}),
     "population_size >= 2"),
    (lambda: make_pruner("asha", 10), "unknown pruner 'asha'"),
])
def test_bad_strategy_settings(call, expected):
    with pytest.raises(SearchError, match=expected):
        call()


def test_pruners_by_name():
    assert isinstance(make_pruner("hyperband", 10), optuna.pruners.HyperbandPruner)
    assert isinstance(make_pruner("successive_halving", 10),
                      optuna.pruners.SuccessiveHalvingPruner)
    assert isinstance(make_pruner("median", 10), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner("none", 10, n_objectives=2), optuna.pruners.NopPruner)


def dominated(row, rows):
    """Whether another row has accuracy >= and parameters <=, one of them strictly."""
    (acc, params) = row["values"]
    return any(a >= acc and p <= params and (a, p) != (acc, params)
               for a, p in (r["values"] for r in rows))


def test_two_objectives_give_the_pareto_front(tmp_path, capsys, tiny_project):
    code = main(["search", str(tiny_project()), "--strategy", "random", "--trials", "5",
                 "--objective", "val_accuracy", "--objective", "params", "--seed", "1",
                 "--project", str(tmp_path / "p"), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out.splitlines()[-1])
    assert result["objectives"] == ["val_accuracy", "params"]
    rows = result["trials"]
    assert all(r["state"] == "complete" and len(r["values"]) == 2 for r in rows)
    # the trials' parameter counts, as the runs recorded them (not accuracies)
    assert all(r["values"][1] == int(r["values"][1]) > 1000 for r in rows)
    expected = sorted(r["number"] for r in rows if not dominated(r, rows))
    front = result["pareto_front"]
    assert sorted(r["number"] for r in front) == expected
    assert len(expected) < len(rows)  # the seed gives a dominated trial: the front excludes it
    best = max(front, key=lambda r: r["values"][0])
    assert result["best_trial"] == best["number"] and result["best_run_dir"] == best["run_dir"]
