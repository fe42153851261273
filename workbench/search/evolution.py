"""Regularized evolution (Real et al. 2019, "Aging Evolution") as an Optuna sampler.

The population is the ``population_size`` most recently finished (COMPLETE) trials of the
study, read from storage, so the oldest ages out as new ones finish and several workers share
one population. Each new trial: draw ``sample_size`` members at random, take the best
(tournament), copy its parameters and mutate exactly one of them (a category: another one; a
number: mostly a local step in its own scale, sometimes a uniform draw). Until the population is
full, trials are drawn at random. Single objective only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler, RandomSampler
from optuna.search_space import intersection_search_space
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState


class RegularizedEvolutionSampler(BaseSampler):
    """Tournament selection + one-parameter mutation over an ageing population."""

    def __init__(self, population_size: int = 10, sample_size: int = 3,
                 seed: int | None = None, step_scale: float = 0.15,
                 resample_share: float = 0.2) -> None:
        if population_size < 2 or not 1 <= sample_size <= population_size:
            raise ValueError(f"regularized evolution needs population_size >= 2 and "
                             f"1 <= sample_size <= population_size, found "
                             f"{population_size} and {sample_size}")
        self.population_size = population_size
        self.sample_size = sample_size
        self.step_scale, self.resample_share = step_scale, resample_share
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
        if len(study.directions) > 1:
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
        """A different value inside ``distribution`` where one exists. Categories: another one
        at random. Numbers: with probability ``1 - resample_share`` a local step (a normal step
        of ``step_scale`` of the range, in log space for a log range; at least one grid step),
        else a uniform draw: children stay near good parents and still explore."""
        if isinstance(distribution, CategoricalDistribution):
            others = [c for c in distribution.choices if c != value]
            return others[self._rng.randint(len(others))] if others else value
        low, high = distribution.low, distribution.high
        if low == high:
            return value
        log = bool(getattr(distribution, "log", False))
        scale = (np.log, np.exp) if log else (float, float)
        lo, hi, at = scale[0](low), scale[0](high), scale[0](value)
        step = getattr(distribution, "step", None)
        for _ in range(20):  # a value different from the parent's
            if self._rng.uniform() < self.resample_share:
                new = scale[1](self._rng.uniform(lo, hi))
            else:
                new = scale[1](min(max(at + self._rng.normal(0.0, self.step_scale * (hi - lo)),
                                       lo), hi))
            if isinstance(distribution, IntDistribution):
                new = low + round((new - low) / step) * step
                new = int(min(max(new, low), high))
                if new == value:  # at least one grid step, towards the drawn side
                    new = int(min(max(value + (step if self._rng.uniform() < 0.5 else -step),
                                      low), high))
            else:  # exp(log(high)) may pass high by an ulp
                new = float(min(max(low + round((new - low) / step) * step if step else new,
                                    low), high))
            if new != value:
                return new
        return new

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._random.sample_independent(study, trial, param_name, param_distribution)
