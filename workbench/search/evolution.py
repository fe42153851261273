"""Regularized evolution (Real et al. 2019, "Aging Evolution") as an Optuna sampler.

The population is the ``population_size`` most recently finished (COMPLETE) trials of the
study, read from storage, so the oldest ages out as new ones finish and several workers share
one population. Each new trial: draw ``sample_size`` members at random, take the best
(tournament), copy its parameters and mutate exactly one of them. Until the population is
full, trials are drawn at random. Single objective only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler, RandomSampler
from optuna.search_space import intersection_search_space
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState


class RegularizedEvolutionSampler(BaseSampler):
    """Tournament selection + one-parameter mutation over an ageing population."""

    def __init__(self, population_size: int = 10, sample_size: int = 3,
                 seed: int | None = None) -> None:
        if population_size < 2 or not 1 <= sample_size <= population_size:
            raise ValueError(f"regularized evolution needs population_size >= 2 and "
                             f"1 <= sample_size <= population_size, found "
                             f"{population_size} and {sample_size}")
        self.population_size = population_size
        self.sample_size = sample_size
        self._rng = np.random.RandomState(seed)
        self._random = RandomSampler(seed=seed)

    def reseed_rng(self) -> None:
        self._rng.seed()
        self._random.reseed_rng()

    def population(self, study: Study) -> list[FrozenTrial]:
        """The youngest ``population_size`` completed trials (oldest first)."""
        done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        done.sort(key=lambda t: t.number)
        return done[-self.population_size:]

    def infer_relative_search_space(self, study: Study,
                                    trial: FrozenTrial) -> dict[str, BaseDistribution]:
        if study._is_multi_objective():
            raise ValueError("regularized evolution optimizes one objective; use nsga2 for "
                             "several")
        members = self.population(study)
        if len(members) < self.population_size:
            return {}
        return intersection_search_space(members)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        if not search_space:
            return {}
        members = self.population(study)
        picks = self._rng.choice(len(members), size=self.sample_size, replace=False)
        contenders = [members[i] for i in picks]
        pick_best = max if study.direction == StudyDirection.MAXIMIZE else min
        parent = pick_best(contenders, key=lambda t: t.value)
        child = {name: parent.params[name] for name in search_space}
        name = sorted(search_space)[self._rng.randint(len(search_space))]
        child[name] = self.mutate(search_space[name], child[name])
        return child

    def mutate(self, distribution: BaseDistribution, value: Any) -> Any:
        """A different value inside ``distribution`` where one exists."""
        if isinstance(distribution, CategoricalDistribution):
            others = [c for c in distribution.choices if c != value]
            return others[self._rng.randint(len(others))] if others else value
        if isinstance(distribution, IntDistribution):
            step = distribution.step
            values = range(distribution.low, distribution.high + 1, step)
            others = [v for v in values if v != value]
            return int(others[self._rng.randint(len(others))]) if others else value
        assert isinstance(distribution, FloatDistribution)
        low, high = distribution.low, distribution.high
        if distribution.log:
            new = float(np.exp(self._rng.uniform(np.log(low), np.log(high))))
        else:
            new = float(self._rng.uniform(low, high))
        if distribution.step:
            new = low + round((new - low) / distribution.step) * distribution.step
        return min(max(new, low), high)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._random.sample_independent(study, trial, param_name, param_distribution)
