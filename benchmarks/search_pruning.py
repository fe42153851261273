"""Pruning: Hyperband vs no pruning on the digits MLP space, the same number of trials.

For each seed, two studies of ``--trials`` trials each run through ``run_search`` (the code
``workbench search`` runs: TPE, SQLite storage, every trial a run folder) on the bundled
``search_mlp_digits`` example (``--epochs`` per trial, the example's 10 by default): one with
``--pruner none``, one with ``--pruner hyperband`` (``make_pruner``'s defaults unless
``--min-resource`` / ``--reduction-factor`` say otherwise). Counts the epochs every trial
trained and the best validation accuracy. Prints per seed, the means over the seeds and::

    ratio=<total epochs without pruning / with Hyperband>   (target >= 2.5)
    best val accuracy difference (Hyperband - none), mean of the seeds, points (target >= -0.5)

Epoch counts and accuracies are deterministic per seed and machine (times are not).

Measured (CPU, 2026-11-23, defaults: 30 trials x 10 epochs, TPE, seeds 0 1 2; Hyperband
min_resource 1, max_resource 10, reduction_factor 3): epochs 300/192, 300/212, 300/194
(pruned 23, 17, 21 of 30), ratio=1.51 (target 2.5: NOT met); best val accuracy none 0.9888 /
0.9926 / 0.9888, hyperband 0.9777 / 0.9926 / 0.9888: mean difference -0.37 points (target
within 0.5: met). Why: Hyperband's saving is set by max_resource / min_resource. With 10 epochs
and reduction factor 3 there are 3 brackets with rungs at 1/3/9, 3/9 and 9 epochs; a third of
the trials (the last brackets') train nearly all 10 epochs, and until a rung has 3 trials
Optuna promotes each one that is the best there so far (the first always). ``--simulate`` (the pruner's arithmetic on synthetic curves) gives 1.7-1.9x
at 10 epochs for 30-100 trials (reduction factor 4: 2.0-2.3x, more aggressive), 2.5-2.8x at
20 epochs, 2.4-3.2x at 27 epochs (the more trials the more). The real curves saved less than
the synthetic ones (1.51 vs ~1.7): digits runs with a small lr start slowly (val accuracy
0.07-0.7 after epoch 1, 0.97 later) and rung 1 is where Hyperband judges them. The defaults
stay Optuna's (min_resource 1, reduction_factor 3, max_resource = the epochs): a larger
reduction factor saves more epochs but prunes more of those slow starters (seed 0 already lost
1.1 points); 2.5x needs a budget of ~20+ epochs per trial and 60+ trials.

Run: ``python benchmarks/search_pruning.py [--seeds 0 1 2] [--trials 30] [--epochs 10]
[--strategy tpe] [--min-resource N] [--reduction-factor N] [--threads 1] [--simulate]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any


def study(pruner: str, seed: int, trials: int, epochs: int, strategy: str,
          folder: Path, pruner_object: Any = None) -> dict[str, Any]:
    """One study; its total epochs, best value and state counts."""
    from workbench.paths import find_example
    from workbench.project import load_project
    from workbench.search.runner import SearchSettings, run_search

    project = load_project(find_example("search_mlp_digits"))
    project.training.update(epochs=epochs, device="cpu", monitors=False)
    settings = SearchSettings(project_dir=str(folder / f"{pruner}-{seed}"), study="pruning",
                              strategy=strategy, n_trials=trials, pruner=pruner, seed=seed)
    result = run_search(project, settings, pruner=pruner_object)
    total = sum(int(row["epochs_run"] or 0) for row in result["trials"])
    return {"epochs": total, "best": result["best_value"], "states": result["states"]}


def simulate(trials: int, epochs: int, reduction_factor: int, seeds: int = 6) -> float:
    """Total epochs without pruning / with Hyperband on synthetic learning curves (saturating
    exponentials, final accuracy 0.7-0.98, noise 0.005): the pruner's own arithmetic, no
    training. Shows how the saving depends on the epoch budget and the number of trials."""
    import numpy as np
    import optuna

    used = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        study = optuna.create_study(direction="maximize", pruner=optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=epochs, reduction_factor=reduction_factor))
        for _ in range(trials):
            trial = study.ask()
            top, pace = rng.uniform(0.7, 0.98), rng.uniform(0.5, 4.0)
            for epoch in range(epochs):
                value = top * (1 - np.exp(-(epoch + 1) / pace)) + rng.normal(0, 0.005)
                used += 1
                trial.report(value, epoch)
                if trial.should_prune():
                    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    break
            else:
                study.tell(trial, value)
    return trials * epochs * seeds / used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--strategy", default="tpe")
    parser.add_argument("--min-resource", type=int, default=None)
    parser.add_argument("--reduction-factor", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--simulate", action="store_true",
                        help="only Hyperband's arithmetic on synthetic curves, for several "
                             "budgets (seconds, no training)")
    args = parser.parse_args()
    import optuna
    import torch

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if args.simulate:
        for trials in (30, 60, 100):
            for epochs in (10, 20, 27):
                print(f"simulated: {trials} trials x {epochs} epochs: epochs ratio "
                      + ", ".join(f"{simulate(trials, epochs, eta):.2f} (reduction_factor "
                                  f"{eta})" for eta in (3, 4)), flush=True)
        return

    from workbench.search.strategies import make_pruner

    torch.set_num_threads(args.threads)
    hyperband = make_pruner("hyperband", args.epochs)
    if args.min_resource is not None or args.reduction_factor is not None:
        hyperband = optuna.pruners.HyperbandPruner(
            min_resource=args.min_resource or hyperband._min_resource,
            max_resource=args.epochs,
            reduction_factor=args.reduction_factor or hyperband._reduction_factor)
    print(f"Hyperband: min_resource {hyperband._min_resource}, max_resource "
          f"{hyperband._max_resource}, reduction_factor {hyperband._reduction_factor}; "
          f"{args.trials} trials x {args.epochs} epochs, {args.strategy}, seeds {args.seeds}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            plain = study("none", seed, args.trials, args.epochs, args.strategy, Path(tmp))
            pruned = study("hyperband", seed, args.trials, args.epochs, args.strategy,
                           Path(tmp), hyperband)
            rows.append((plain, pruned))
            print(f"seed {seed}: none {plain['epochs']} epochs best {plain['best']:.4f} | "
                  f"hyperband {pruned['epochs']} epochs best {pruned['best']:.4f} "
                  f"(pruned {pruned['states']['pruned']}, complete "
                  f"{pruned['states']['complete']}) | epochs ratio "
                  f"{plain['epochs'] / pruned['epochs']:.2f}", flush=True)
    epochs_none = sum(p["epochs"] for p, _ in rows)
    epochs_hb = sum(h["epochs"] for _, h in rows)
    diff = statistics.mean((h["best"] - p["best"]) * 100 for p, h in rows)
    print(f"mean best val accuracy: none {statistics.mean(p['best'] for p, _ in rows):.4f}, "
          f"hyperband {statistics.mean(h['best'] for _, h in rows):.4f}")
    print(f"ratio={epochs_none / epochs_hb:.2f}  (total epochs none / hyperband; target >= 2.5)")
    print(f"best val accuracy difference (hyperband - none): {diff:+.2f} points "
          f"(target >= -0.5)")


if __name__ == "__main__":
    main()
