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


def test_every_strategy_name_makes_a_sampler():
    for name in STRATEGIES:
        if name == "cmaes":
            continue  # needs the optional 'cmaes' package unless the space has choices
        sampler, _ = make_sampler(name, STEPPED, seed=0)
        assert isinstance(sampler, optuna.samplers.BaseSampler)
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


def test_two_objectives_give_a_pareto_front(tmp_path, capsys, tiny_project):
    code = main(["search", str(tiny_project()), "--strategy", "nsga2", "--trials", "2",
                 "--objective", "val_accuracy", "--objective", "params", "--seed", "0",
                 "--project", str(tmp_path / "p"), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result = json.loads(out.out.splitlines()[-1])
    assert result["objectives"] == ["val_accuracy", "params"]
    front = result["pareto_front"]
    assert 1 <= len(front) <= 2 and all(len(r["values"]) == 2 for r in front)
    assert result["best_run_dir"] in [r["run_dir"] for r in front]
    assert all(r["values"][1] > 1000 for r in front)  # parameter counts, not accuracies
