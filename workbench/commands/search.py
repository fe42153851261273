"""``workbench search`` runs (or resumes) an architecture + hyperparameter search study;
``workbench studies`` lists a project folder's studies, ``workbench study NAME`` one's trials."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.search.errors import SearchError
from workbench.search.strategies import PRUNERS, STRATEGIES


def register(subparsers: Any) -> None:
    """Add ``search`` with its flags to ``subparsers``."""
    from workbench.search.runner import OBJECTIVES

    search = subparsers.add_parser(
        "search", help="search architectures and hyperparameters over a project's search space")
    search.add_argument("project_file", help="a *.wbproj.json file with a 'search' section, or "
                                             "a bundled example (search_mlp_digits)")
    search.add_argument("--strategy", choices=STRATEGIES, default="tpe",
                        help="how trials are proposed (default tpe; cmaes: continuous ranges "
                             "only; nsga2: several objectives; evolution: regularized "
                             "evolution)")
    search.add_argument("--trials", type=int, default=None, metavar="N",
                        help="trials to run to their verdict: complete, pruned, or failed by "
                             "their own problem; an interrupted (killed, stopped) trial does "
                             "not count and is run again (default 10; with --resume: N more, "
                             "and without --trials up to the budget the study was given)")
    search.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="start no new trial after this many seconds")
    search.add_argument("--pruner", choices=PRUNERS, default=None,
                        help="stop poor trials early on their per-epoch validation value "
                             "(default: none for a new study; a resumed study keeps the "
                             "pruner it was created with)")
    search.add_argument("--objective", action="append", choices=tuple(OBJECTIVES),
                        metavar="NAME", help="val_accuracy (default), val_loss, val_mae; "
                                             "repeat for a Pareto front (e.g. --objective "
                                             "params)")
    search.add_argument("--seed", type=int, help="seed of the strategy's sampler")
    search.add_argument("--study", metavar="NAME",
                        help="study name (default: the project's name)")
    search.add_argument("--resume", action="store_true", help="continue an existing study")
    search.add_argument("--storage", metavar="URL",
                        help="Optuna RDB storage URL, e.g. postgresql://user@host:5432/db "
                             "(default: sqlite:///<project>/search/<study>.db)")
    search.add_argument("--workers", type=int, default=0, metavar="N",
                        help="run trials in N worker processes, one training each (default: "
                             "in this process); --trials counts across them")
    search.add_argument("--project", metavar="DIR",
                        help="project folder that receives the runs and the study "
                             "(default: ./workbench-project)")
    search.add_argument("--heartbeat", type=int, default=10, metavar="SECONDS",
                        help="heartbeat interval; a trial silent for 2x this is failed")
    search.add_argument("--retry-failed", type=int, default=0, metavar="N",
                        help="re-run a killed worker's trial up to N times (default: leave "
                             "it failed)")
    search.add_argument("--json", action="store_true",
                        help="print one JSON object with the results instead of progress")
    search.set_defaults(handler=run_search_command)
    studies = subparsers.add_parser("studies", help="list a project folder's search studies")
    studies.add_argument("--project", metavar="DIR",
                         help="project folder (default: ./workbench-project)")
    studies.add_argument("--storage", metavar="URL", help="list the studies of this storage")
    studies.add_argument("--json", action="store_true", help="print one JSON object")
    studies.set_defaults(handler=run_studies_command)
    study = subparsers.add_parser("study", help="a search study's trials, or its best run")
    study.add_argument("name", metavar="STUDY", help="the study's name")
    study.add_argument("--project", metavar="DIR",
                       help="project folder (default: ./workbench-project)")
    study.add_argument("--storage", metavar="URL",
                       help="storage URL (default: the study file in the project folder)")
    study.add_argument("--best", action="store_true", help="print the best trial's run folder")
    study.add_argument("--json", action="store_true", help="print one JSON object")
    study.set_defaults(handler=run_study_command)


def run_search_command(args: argparse.Namespace) -> int:
    from workbench.commands.train import resolve_project_file
    from workbench.paths import default_project_dir
    from workbench.project import load_project
    from workbench.search.runner import SearchSettings, run_search

    project = load_project(resolve_project_file(args.project_file))
    project_dir = Path(args.project) if args.project else default_project_dir()
    settings = SearchSettings(
        project_dir=str(project_dir.resolve()), study=args.study or project.name,
        strategy=args.strategy, n_trials=args.trials, timeout=args.timeout, pruner=args.pruner,
        objectives=args.objective or ["val_accuracy"], seed=args.seed, resume=args.resume,
        storage=args.storage, heartbeat_interval=max(int(args.heartbeat), 1),
        retry_stale=args.retry_failed, workers=args.workers)
    if args.heartbeat < 1:
        return _fail(f"--heartbeat must be at least 1 second, found {args.heartbeat}", args)
    if args.workers < 0:
        return _fail(f"--workers must be 0 (this process) or more, found {args.workers}", args)
    try:
        result = run_search(project, settings, on_trial=None if args.json else _print_trial)
    except SearchError as exc:
        return _fail(str(exc), args)
    except KeyboardInterrupt:
        print("workbench search: interrupted; the workers were stopped and their trials "
              "marked failed (continue with --resume)", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result))
        return 0
    for note in result.get("notes", []):
        print(f"note: {note}")
    states = ", ".join(f"{n} {c}" for n, c in result["states"].items() if c)
    print(f"study {result['study']} ({result['storage']}): {result['n_trials']} trials: "
          f"{states}")
    if result.get("threads_per_worker"):
        print(f"workers: {args.workers} processes, {result['threads_per_worker']} torch "
              f"thread(s) each")
    if result["best_value"] is not None:
        print(f"best: trial {result['best_trial']} {result['objectives'][0]} = "
              f"{result['best_value']:.4g}  {result['best_run_dir']}")
        print("      " + ", ".join(f"{k}={_fmt(v)}" for k, v in result["best_params"].items()))
    return 0


def run_studies_command(args: argparse.Namespace) -> int:
    from workbench.paths import default_project_dir
    from workbench.search.listing import list_studies

    project_dir = Path(args.project) if args.project else default_project_dir()
    try:
        studies = list_studies(project_dir, args.storage)
    except SearchError as exc:
        return _fail(str(exc), args, "studies")
    if args.json:
        print(json.dumps({"studies": studies}))
        return 0
    if not studies:
        print(f"no studies in {args.storage or project_dir / 'search'}")
    for s in studies:
        counts = ", ".join(f"{n} {c}" for n, c in s["states"].items() if c) or "no trials"
        best = "" if s["best_value"] is None else (
            f"  best {s['objectives'][0]} {s['best_value']:.4g} (trial {s['best_trial']})")
        print(f"{s['study']}: {s['n_trials']} trials ({counts}){best}")
    return 0


def run_study_command(args: argparse.Namespace) -> int:
    from workbench.paths import default_project_dir
    from workbench.search.listing import default_url, study_report

    project_dir = Path(args.project) if args.project else default_project_dir()
    try:
        report = study_report(args.name, args.storage or default_url(project_dir, args.name))
    except SearchError as exc:
        return _fail(str(exc), args, "study")
    if args.best:
        if report["best_run_dir"] is None:
            return _fail(f"study '{args.name}' has no completed trial yet", args, "study")
        print(json.dumps({"best_run_dir": report["best_run_dir"],
                          "best_value": report["best_value"],
                          "best_params": report["best_params"]}) if args.json
              else report["best_run_dir"])
        return 0
    if args.json:
        print(json.dumps(report))
        return 0
    for row in report["trials"]:
        _print_trial(row)
    return 0


def _print_trial(row: dict[str, Any]) -> None:
    value = "" if not row["values"] else " ".join(f"{v:.4g}" for v in row["values"])
    detail = row.get("problem") or ", ".join(f"{k}={_fmt(v)}" for k, v in row["params"].items())
    print(f"trial {row['number']:>3} {row['state']:<8} {value:<8} {detail}", flush=True)


def _fmt(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _fail(message: str, args: argparse.Namespace, command: str = "search") -> int:
    """Exit code 2, one line (SearchError is not yet among cli.expected_errors)."""
    if getattr(args, "json", False):
        print(json.dumps({"error": message}))
    print(f"workbench {command}: {' '.join(message.split())}", file=sys.stderr)
    return 2
