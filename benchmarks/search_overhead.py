"""Per-trial overhead of a search outside training: sample, validate, build, storage.

Runs ``run_search`` (the code ``workbench search`` runs) on the bundled ``search_mlp_digits``
example with short training, SQLite storage in a temporary project folder, and measures per
trial::

    overhead = (time from the previous trial's end to this one's end)
               - (time inside Trainer.fit) + (time the pruning callback spent inside fit)

so sampling, validation, the trial's storage writes, building the model and creating the run
folder count as overhead, the epochs themselves do not (the pruning callback's per-epoch
``trial.report`` is storage, so it counts as overhead although it runs inside ``fit``). Also
counts the SQL transactions committed per trial. Prints the median and p90 and::

    ratio=<median overhead ms / 50 ms target>   (<= 1 meets the issue's target)

Time figures depend on the machine and its load (2 shared cores here): noisy. Commit counts do
not.

Measured (CPU, 2026-11-23, 24 trials, 2 epochs, tpe): see the report in the commit message.

Run: ``python benchmarks/search_overhead.py [--trials 24] [--epochs 2] [--strategy tpe]
[--pruner none]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_MS = 50.0


def tiny_project(folder: Path, epochs: int) -> Path:
    """The search_mlp_digits example with ``epochs`` epochs on the CPU, written to ``folder``."""
    from workbench.paths import find_example

    data = json.loads(find_example("search_mlp_digits").read_text())
    data["training"].update(epochs=epochs, device="cpu", monitors=False)
    path = folder / "overhead.wbproj.json"
    path.write_text(json.dumps(data))
    return path


def measure(trials: int, epochs: int, strategy: str, pruner: str,
            wal: bool = False) -> dict[str, Any]:
    """Run one study and return per-trial overhead (ms) and commits. ``wal``: the storage
    as ``sqlite_tuning.tune_sqlite`` sets it (WAL, synchronous=NORMAL), where the CLI's
    ``open_storage`` does not do that itself yet."""
    import sqlalchemy

    from workbench.project import load_project
    from workbench.search import pruning, study
    from workbench.search.runner import SearchSettings, run_search
    from workbench.search.sqlite_tuning import journal_mode, tune_sqlite
    from workbench.train.trainer import Trainer

    fit_s: list[float] = []
    callback_s = [0.0]
    commits = [0]
    ends: list[tuple[float, int]] = []  # (time, commits so far) after each trial
    fit, on_event = Trainer.fit, pruning.TrialPruningCallback.on_event

    def timed_fit(self: Any) -> dict[str, Any]:
        callback_s[0] = 0.0
        start = time.perf_counter()
        try:
            return fit(self)
        finally:
            fit_s.append(time.perf_counter() - start - callback_s[0])

    def timed_event(self: Any, event: object) -> None:
        start = time.perf_counter()
        on_event(self, event)
        callback_s[0] += time.perf_counter() - start

    def on_commit(_connection: Any) -> None:
        commits[0] += 1

    open_storage, modes = study.open_storage, []

    def storage_as_set(*args: Any, **kwargs: Any) -> Any:
        storage = open_storage(*args, **kwargs)
        if wal:
            tune_sqlite(storage)
        modes.append(journal_mode(storage))
        return storage

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = load_project(tiny_project(folder, epochs))
        settings = SearchSettings(project_dir=str(folder / "p"), study="overhead",
                                  strategy=strategy, n_trials=trials, pruner=pruner, seed=0)
        Trainer.fit, pruning.TrialPruningCallback.on_event = timed_fit, timed_event
        study.open_storage = storage_as_set
        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "commit", on_commit)
        start = time.perf_counter()
        try:
            result = run_search(project, settings, on_trial=lambda row: ends.append(
                (time.perf_counter(), commits[0])))
        finally:
            Trainer.fit, pruning.TrialPruningCallback.on_event = fit, on_event
            study.open_storage = open_storage
            sqlalchemy.event.remove(sqlalchemy.engine.Engine, "commit", on_commit)
    previous, previous_commits = start, 0
    overhead, per_trial_commits = [], []
    for (end, count), trained in zip(ends, fit_s):
        overhead.append((end - previous - trained) * 1000)
        per_trial_commits.append(count - previous_commits)
        previous, previous_commits = end, count
    return {"overhead_ms": overhead, "commits": per_trial_commits, "fit_s": fit_s,
            "states": result["states"], "journal_mode": modes[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--strategy", default="tpe")
    parser.add_argument("--pruner", default="none")
    parser.add_argument("--variant", choices=("as-wired", "wal", "both"), default="both",
                        help="storage as open_storage leaves it, with tune_sqlite, or both")
    args = parser.parse_args()
    variants = ["as-wired", "wal"] if args.variant == "both" else [args.variant]
    for variant in variants:
        found = measure(args.trials, args.epochs, args.strategy, args.pruner,
                        wal=variant == "wal")
        # the first trial pays one-off imports and the dataset load: left out of the figures
        overhead, commits = found["overhead_ms"][1:], found["commits"][1:]
        median = statistics.median(overhead)
        p90 = sorted(overhead)[int(0.9 * (len(overhead) - 1))]
        print(f"[{variant}: journal_mode {found['journal_mode']}] {args.trials} trials "
              f"({args.strategy}, pruner {args.pruner}, {args.epochs} epochs), "
              f"states {found['states']}")
        print(f"  first trial overhead {found['overhead_ms'][0]:.0f} ms (imports, data load)")
        print(f"  overhead per trial: median {median:.1f} ms, p90 {p90:.1f} ms, "
              f"training median {statistics.median(found['fit_s']) * 1000:.0f} ms")
        print(f"  commits per trial: median {statistics.median(commits):.0f} "
              f"(min {min(commits)}, max {max(commits)})")
        print(f"ratio={median / TARGET_MS:.2f}  [{variant}] (median overhead / "
              f"{TARGET_MS:.0f} ms target; <= 1 meets it)")


if __name__ == "__main__":
    main()
