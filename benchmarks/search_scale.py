"""Search scale-out: trials per hour with 2 worker processes vs 1, on SQLite and PostgreSQL.

Runs ``run_search`` with ``workers=1`` and ``workers=2`` (``workbench search --workers N``:
N ``workbench search-worker`` processes on one study) on the bundled ``search_mlp_digits``
example, random strategy, no pruner, the same trial budget and epochs, so both sides do the
same work: the same sampler seed draws the same trials, and only trials the storage records
as COMPLETE are counted (a study that ends with another count is reported, not hidden). Every
worker process gets the same torch thread count in both runs (``--threads``, default
max(1, cores // 2)), so the ratio is the scale-out itself; the app and the CLI use
max(1, cores // N) per worker (workers.worker_threads).

Times come from the storage (each trial's ``datetime_start`` and ``datetime_complete``), not
from polling in this process. Trials per hour, two ways:

* ``total``: complete trials / wall-clock of the whole study (``run_search`` call: worker
  start-up, torch import, data load included) - what a user waits for;
* ``steady``: complete trials / (last trial's end - first trial's start). The old
  ``(n - 1) / (t_last_end - t_first_end)`` rewarded 2 workers whose trials end in pairs
  (perfect scaling read 2.2 at 12 trials); n over the span from the first start counts each
  trial's whole duration, so perfect scaling reads 2.0.

Also printed: worker utilization (sum of trial durations / (workers x span)). Prints, per
storage::

    speedup=<2-worker trials/hour / 1-worker trials/hour>  [storage, steady|total]

(higher is better; issue 12's target: >= 1.7). PostgreSQL runs on the throwaway server of the
tests (tests/workbench/search/postgres_server.py); skipped with a line where none can start.
Needs 2 free cores for 2 workers to scale: on a loaded machine the load decides the figure.

Measured:
- before issue 22 (2026-11-23, load 0.9-1.2, 12 trials x 20 epochs, trials of ~1 s, ends
  polled every 0.5 s): steady SQLite 1.96, PostgreSQL 1.80 (the biased formula; corrected
  about 1.78 and 1.64), total 1.33 and 1.30.
- since issue 22 (2026-12-08, REDUCED ``--trials 6 --epochs 50``, 1 torch thread per
  worker, load 3.7-4.6 on 2 cores shared with other jobs): SQLite 1 worker trials 2.4 s,
  2 workers 3.4 s (each slowed by the other and the load), steady speedup=1.34 (1470 ->
  1972 trials/h), total 1.05; PostgreSQL trials 1.6 s -> 3.7 s, steady 0.85, total 0.64.
  Worker utilization 0.93-1.00: the workers are busy, the cores are not free. The target is
  not met on this loaded machine; a figure that means something needs 2 free cores and the
  defaults (12 trials x 100 epochs, not run here).

Run (defaults: 12 trials x 100 epochs, trials of ~5 s on a quiet core, both storages, about
6-8 minutes on a quiet 2-core machine): ``python benchmarks/search_scale.py [--trials 12]
[--epochs 100] [--threads 1] [--storage sqlite|postgresql|both] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 1.7
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import print_context, ratio_line  # noqa: E402


def storage_times(url: str, study: str) -> list[tuple[float, float]]:
    """(start, end) in seconds of every COMPLETE trial of ``study``, from the storage."""
    import optuna

    from workbench.search.study import load_existing

    loaded = load_existing(url, study)
    return sorted((t.datetime_start.timestamp(), t.datetime_complete.timestamp())
                  for t in loaded.get_trials(deepcopy=False,
                                             states=(optuna.trial.TrialState.COMPLETE,)))


def rates(times: list[tuple[float, float]], wall: float, workers: int) -> dict[str, float]:
    """Trials per hour over the whole study and over the span of the trials themselves."""
    n = len(times)
    span = max(e for _, e in times) - min(s for s, _ in times) if times else 0.0
    busy = sum(e - s for s, e in times)
    nan = float("nan")
    return {"total_per_hour": n / wall * 3600 if wall else nan,
            "steady_per_hour": n / span * 3600 if span else nan,
            "utilization": busy / (workers * span) if span else nan,
            "trial_seconds": busy / n if n else nan, "complete": n}


def measure(workers: int, trials: int, epochs: int, threads: int,
            storage: str | None, study: str) -> dict[str, Any]:
    """One study with ``workers`` worker processes; trials/hour overall and in steady state."""
    from search_overhead import tiny_project  # this folder: the same small digits project

    from workbench.project import load_project
    from workbench.search import workers as worker_module
    from workbench.search.runner import SearchSettings, run_search
    from workbench.search.study import default_storage_url

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = load_project(tiny_project(folder, epochs))
        settings = SearchSettings(project_dir=str(folder / "p"), study=study, strategy="random",
                                  n_trials=trials, pruner="none", seed=0, workers=workers,
                                  storage=storage)
        chosen = worker_module.worker_threads
        worker_module.worker_threads = lambda n: threads  # the same per process, both runs
        start = time.perf_counter()
        try:
            result = run_search(project, settings)
        finally:
            worker_module.worker_threads = chosen
        total = time.perf_counter() - start
        times = storage_times(storage or default_storage_url(settings.project_dir, study),
                              study)
    return {**rates(times, total, workers), "seconds": total, "states": result["states"],
            "n_trials": result["n_trials"]}


def compare(label: str, url_for: Any, args: argparse.Namespace) -> None:
    found: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for repeat in range(args.repeat):
        for workers in (1, 2):  # alternated, so a change in the machine's load hits both
            found[workers].append(measure(workers, args.trials, args.epochs, args.threads,
                                          url_for(f"w{workers}r{repeat}"),
                                          f"w{workers}r{repeat}"))
            print_context(label=f"  [{label}] after {workers} worker(s)")
    for workers, runs in found.items():
        for run in runs:
            print(f"[{label}] {workers} worker(s), {args.threads} torch thread(s) each: "
                  f"{run['complete']} complete of {run['n_trials']} {run['states']} in "
                  f"{run['seconds']:.1f} s (trials {run['trial_seconds']:.1f} s on average); "
                  f"{run['total_per_hour']:.0f} trials/h total, "
                  f"{run['steady_per_hour']:.0f} trials/h steady, worker utilization "
                  f"{run['utilization']:.2f}")
    if {r["complete"] for r in found[1] + found[2]} != {args.trials}:
        print(f"[{label}] WARNING: not every study ended with {args.trials} complete trials; "
              f"the rates count complete trials only")
    for kind in ("steady", "total"):
        pairs = list(zip(found[1], found[2]))  # per repeat, then averaged
        value = sum(b[f"{kind}_per_hour"] / a[f"{kind}_per_hour"] for a, b in pairs) / len(pairs)
        ratio_line(f"{label}, {kind}: 2 workers / 1 worker trials per hour", value,
                   note=f"target >= {TARGET}; perfect scaling 2.0", key="speedup", digits=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=100,
                        help="epochs per trial (100: trials of ~5 s on a quiet core)")
    parser.add_argument("--threads", type=int,
                        default=max(1, len(os.sched_getaffinity(0)) // 2)
                        if hasattr(os, "sched_getaffinity") else 1)
    parser.add_argument("--storage", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"trials {args.trials}, epochs {args.epochs}, {args.threads} torch thread(s) per "
          f"worker process")
    print_context()
    if args.storage in ("sqlite", "both"):
        compare("sqlite", lambda name: None, args)  # the project folder's SQLite file
    if args.storage in ("postgresql", "both"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.workbench.search.postgres_server import PostgresUnavailable, start_server

        try:
            server = start_server("workbench_scale")
        except PostgresUnavailable as exc:
            print(f"[postgresql] skipped: {exc}")
            return
        try:
            compare("postgresql", lambda name: server.url, args)
        finally:
            server.stop()
    print_context(label="context at the end")


if __name__ == "__main__":
    main()
