"""Regularized evolution: ageing population, tournament, one mutation inside the space."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from workbench.search.evolution import RegularizedEvolutionSampler

SPACE = {"width": IntDistribution(8, 64, step=8), "act": CategoricalDistribution(["a", "b", "c"]),
         "lr": FloatDistribution(1e-4, 1e-1, log=True)}


def study_with(sampler, values):
    """A study whose trials have the given (params, value) pairs, in order."""
    study = optuna.create_study(direction="maximize", sampler=sampler)
    for params, value in values:
        study.add_trial(optuna.trial.create_trial(params=params, distributions=SPACE,
                                                  value=value))
    return study


def member(width, act="a", lr=0.01):
    return {"width": width, "act": act, "lr": lr}


def test_population_is_the_youngest_completed_trials():
    sampler = RegularizedEvolutionSampler(population_size=3, sample_size=2, seed=0)
    study = study_with(sampler, [(member(8 * (i + 1)), float(i)) for i in range(5)])
    study.add_trial(optuna.trial.create_trial(params=member(64), distributions=SPACE,
                                              state=optuna.trial.TrialState.FAIL))
    assert [t.number for t in sampler.population(study)] == [2, 3, 4]  # 0 and 1 aged out


def test_random_until_the_population_is_full():
    sampler = RegularizedEvolutionSampler(population_size=4, sample_size=2, seed=0)
    study = study_with(sampler, [(member(8), 1.0), (member(16), 2.0)])
    trial = study.ask()
    assert sampler.infer_relative_search_space(study, trial._cached_frozen_trial) == {}


def test_child_is_the_tournament_winner_with_one_mutation():
    # sample_size == population: the tournament always picks the best member (width 32, 'c')
    sampler = RegularizedEvolutionSampler(population_size=3, sample_size=3, seed=1)
    study = study_with(sampler, [(member(8, "a", 0.001), 0.1), (member(32, "c", 0.05), 0.9),
                                 (member(16, "b", 0.01), 0.5)])
    winner = member(32, "c", 0.05)
    for _ in range(20):
        trial = study.ask(SPACE)
        changed = [k for k in winner if trial.params[k] != winner[k]]
        assert len(changed) == 1
        assert SPACE["width"]._contains(SPACE["width"].to_internal_repr(trial.params["width"]))
        assert trial.params["act"] in ("a", "b", "c")
        assert 1e-4 <= trial.params["lr"] <= 1e-1
        study.tell(trial, state=optuna.trial.TrialState.FAIL)  # keeps the population fixed


def test_minimizing_picks_the_lowest_value():
    sampler = RegularizedEvolutionSampler(population_size=2, sample_size=2, seed=0)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    for params, value in [(member(8, "a"), 0.1), (member(64, "b"), 0.9)]:
        study.add_trial(optuna.trial.create_trial(params=params, distributions=SPACE,
                                                  value=value))
    trial = study.ask(SPACE)
    assert sum(trial.params[k] != member(8, "a")[k] for k in SPACE) == 1


def test_mutation_stays_inside_every_distribution():
    sampler = RegularizedEvolutionSampler(seed=5)
    for _ in range(200):
        assert sampler.mutate(SPACE["act"], "a") in ("b", "c")
        width = sampler.mutate(SPACE["width"], 8)
        assert width != 8 and width % 8 == 0 and 8 <= width <= 64
        assert 1e-4 <= sampler.mutate(SPACE["lr"], 0.01) <= 1e-1
        stepped = sampler.mutate(FloatDistribution(0.0, 0.5, step=0.1), 0.2)
        assert 0.0 <= stepped <= 0.5 and abs(stepped * 10 - round(stepped * 10)) < 1e-9


def test_evolution_optimizes_a_toy_problem_and_refuses_bad_settings():
    sampler = RegularizedEvolutionSampler(population_size=8, sample_size=3, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study.optimize(lambda t: -abs(t.suggest_int("x", 0, 100) - 70), n_trials=80)
    assert study.best_value >= -2
    with pytest.raises(ValueError, match="sample_size <= population_size"):
        RegularizedEvolutionSampler(population_size=3, sample_size=5)
    multi = optuna.create_study(directions=["maximize", "minimize"],
                                sampler=RegularizedEvolutionSampler(population_size=2,
                                                                        sample_size=1))
    with pytest.raises(ValueError, match="one objective"):
        multi.optimize(lambda t: (t.suggest_int("x", 0, 3), 1.0), n_trials=1)


def test_numbers_mostly_mutate_near_the_parent():
    """A local step in the parameter's own scale (log for a log range), sometimes a redraw."""
    sampler = RegularizedEvolutionSampler(seed=1)
    lr = FloatDistribution(1e-5, 1.0, log=True)
    steps = [abs(np.log10(sampler.mutate(lr, 1e-3)) - (-3)) for _ in range(400)]
    assert np.median(steps) < 1.0  # a uniform redraw over 5 decades: median distance ~1.5
    assert max(steps) > 1.5  # and some redraws far away
