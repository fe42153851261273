"""Search strategies (Optuna samplers) and pruners, chosen by name.

Strategies: random, grid, tpe, cmaes (continuous ranges only), nsga2 (several objectives),
evolution (regularized evolution, evolution.py). Pruners: none, median, successive_halving,
hyperband. ``make_sampler`` returns the sampler and notes for people (a fallback taken).
"""

from __future__ import annotations

from typing import Any

from workbench.search.errors import SearchError
from workbench.search.space import SearchSpace

STRATEGIES = ("random", "grid", "tpe", "cmaes", "nsga2", "evolution")
PRUNERS = ("none", "median", "successive_halving", "hyperband")


def make_sampler(name: str, space: SearchSpace, seed: int | None = None,
                 n_objectives: int = 1, options: dict[str, Any] | None = None,
                 ) -> tuple[Any, list[str]]:
    """The Optuna sampler for strategy ``name`` and notes about choices made for it."""
    import optuna

    options = options or {}
    notes: list[str] = []
    if name not in STRATEGIES:
        raise SearchError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
    if name == "cmaes":
        categorical = [d.name for d in space.dimensions if d.kind == "choice"]
        if n_objectives > 1:
            raise SearchError("strategy cmaes optimizes one objective; use nsga2 or tpe for "
                              "several")
        if categorical:
            notes.append(f"cmaes searches continuous ranges only and the space has choices "
                         f"({', '.join(categorical)}): using tpe instead")
            name = "tpe"
        else:
            try:
                import cmaes  # noqa: F401 - Optuna's CMA-ES needs it
            except ImportError:
                raise SearchError("strategy cmaes needs the 'cmaes' package (pip install "
                                  "cmaes); or use tpe") from None
            return optuna.samplers.CmaEsSampler(seed=seed), notes
    if name == "evolution":
        if n_objectives > 1:
            raise SearchError("strategy evolution optimizes one objective; use nsga2 or tpe "
                              "for several")
        from workbench.search.evolution import RegularizedEvolutionSampler

        try:
            return RegularizedEvolutionSampler(
                population_size=int(options.get("population_size", 10)),
                sample_size=int(options.get("sample_size", 3)), seed=seed), notes
        except ValueError as exc:
            raise SearchError(str(exc)) from None
    if name == "grid":
        grid = {d.name: d.grid_values() for d in space.dimensions}
        continuous = [n for n, values in grid.items() if values is None]
        if continuous:
            raise SearchError(f"strategy grid needs every range to have a 'step'; these are "
                              f"continuous: {', '.join(continuous)}")
        return optuna.samplers.GridSampler(grid, seed=seed), notes
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed), notes
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed), notes
    return optuna.samplers.TPESampler(seed=seed), notes


def make_pruner(name: str | None, max_epochs: int, n_objectives: int = 1) -> Any:
    """The Optuna pruner called ``name`` (per-epoch reports, epochs as the resource); None
    for ``name`` None (a resumed study keeps its own, a new one gets none)."""
    import optuna

    if name is None:
        return None
    if name not in PRUNERS:
        raise SearchError(f"unknown pruner {name!r}; expected one of {', '.join(PRUNERS)}")
    if name != "none" and n_objectives > 1:
        raise SearchError(f"pruner {name} works on one objective; with several objectives "
                          f"use --pruner none")
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)
    if name == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(max_epochs, 1))
    return optuna.pruners.NopPruner()
