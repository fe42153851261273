"""``workbench search-worker STUDY --storage URL`` joins an existing search study as one worker
process, on this machine or any other that has the project's data: the study records the
project and the search settings, so the URL and the study's name are all it needs."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from workbench.search.errors import SearchError


def register(subparsers: Any) -> None:
    """Add ``search-worker`` with its flags to ``subparsers``."""
    worker = subparsers.add_parser(
        "search-worker", help="run trials of an existing search study (another process or "
                              "machine sharing its storage)")
    worker.add_argument("study", metavar="STUDY", help="the study's name")
    worker.add_argument("--storage", metavar="URL",
                        help="the study's storage URL, e.g. postgresql://user@host:5432/db "
                             "(default: the study file in the project folder)")
    worker.add_argument("--project", metavar="DIR",
                        help="project folder that receives this worker's runs (default: "
                             "./workbench-project)")
    worker.add_argument("--trials", type=int, metavar="N",
                        help="run N trials (default: until the study's trial budget)")
    worker.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="start no new trial after this many seconds")
    worker.add_argument("--seed", type=int, help="seed of this worker's sampler")
    worker.add_argument("--threads", type=int, metavar="N",
                        help="torch threads of this worker (default: torch's)")
    worker.add_argument("--json", action="store_true",
                        help="print one JSON object with the study's results")
    worker.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)  # stop when it dies
    worker.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(handler=run_search_worker_command)


def run_search_worker_command(args: argparse.Namespace) -> int:
    from workbench.commands.search import _fail, _print_trial
    from workbench.paths import default_project_dir
    from workbench.search.listing import default_url
    from workbench.search.workers import join_study, watch_parent

    project_dir = Path(args.project) if args.project else default_project_dir()
    for flag, value in (("--trials", args.trials), ("--threads", args.threads)):
        if value is not None and value < 1:
            return _fail(f"{flag} must be at least 1, found {value}", args, "search-worker")
    previous = None
    if sys.platform != "win32" and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)  # kill: its trial is failed
    if args.parent_pid is not None:  # after the handler: it interrupts with SIGTERM
        watch_parent(args.parent_pid)
    quiet = args.quiet or args.json
    try:
        result = join_study(args.storage or default_url(project_dir, args.study), args.study,
                            project_dir, args.trials, args.timeout, args.seed, args.threads,
                            on_trial=None if quiet else _print_trial)
    except SearchError as exc:
        return _fail(str(exc), args, "search-worker")
    except KeyboardInterrupt:
        print("workbench search-worker: stopped; its running trial was marked failed",
              file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if args.json:
        print(json.dumps(result))
    elif not args.quiet:
        print(f"worker ran trials {result['worker_trials']} of study {result['study']} "
              f"({result['n_trials']} trials in all)")
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
