"""``workbench report RUN --out report.html``: one self-contained HTML page about a trained run
(settings, curves, findings, validation metrics, calibration, importance, attributions and,
with ``--group``, per-group metrics), made by ``workbench.explain.report.write_report``.

Prints the written file's path. Bad input (not a run, no weights, an ``--out`` whose folder does
not exist, an unknown group column, ``--samples 0``) exits with code 2 and a message, before
anything is written (ExplainError is one of ``workbench.cli.expected_errors``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``report RUN --out FILE [--samples N] [--group COLUMN] [--weights W] [--json]``."""
    rep = subparsers.add_parser("report", help="write a self-contained HTML report of a run")
    rep.add_argument("run_dir", metavar="RUN", help="the run folder")
    rep.add_argument("--out", required=True, metavar="FILE",
                     help="the HTML file to write (its folder must exist)")
    rep.add_argument("--samples", type=int, default=4,
                     help="validation samples whose attributions are shown (default 4)")
    rep.add_argument("--group", metavar="COLUMN",
                     help="a CSV column: per-group metrics and fairness differences")
    rep.add_argument("--weights", default="best", help="'best' (default), 'last' or 'epoch:N'")
    rep.add_argument("--json", action="store_true", help='print {"path": ..., "bytes": ...}')
    rep.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    from workbench.explain.report import write_report

    printer = None if args.json or not sys.stderr.isatty() else _progress_line
    path = write_report(args.run_dir, args.out, samples=args.samples, group=args.group,
                        weights=args.weights, progress=printer)
    if printer is not None:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({"path": str(path), "bytes": path.stat().st_size}))
    else:
        print(path)
    return 0


def _progress_line(done: int, total: int) -> None:
    print(f"\rreport: section {done}/{total}   ", end="", file=sys.stderr, flush=True)
