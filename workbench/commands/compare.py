"""``workbench compare RUN... [--family RUN]``: one table of a family of variants, measured."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``compare [RUN...] [--family RUN] [--threads T] [--remeasure] [--json]``."""
    parser = subparsers.add_parser(
        "compare", help="compare variants of a run: accuracy, size, MACs, measured latency",
        description="One table of runs (a family of variants: teacher, students, pruned and "
                    "int8 runs): validation accuracy (regression: MAE), test accuracy where "
                    "the run was evaluated on the test split, parameters, MACs, ONNX file "
                    "size and onnxruntime latency at batch 1 and 64 (threads pinned, measured "
                    "side by side, cached in each run folder), speed-up and size reduction "
                    "vs the first row.")
    parser.add_argument("run_dirs", nargs="*", metavar="RUN", help="run folders to compare")
    parser.add_argument("--family", metavar="RUN",
                        help="compare this run and its descendants (by lineage) first")
    parser.add_argument("--threads", type=int, default=1,
                        help="onnxruntime intra-op threads for latency (pinned; default 1)")
    parser.add_argument("--remeasure", action="store_true",
                        help="measure every run again instead of using cached figures")
    parser.add_argument("--json", action="store_true",
                        help='print {"rows": [...]} as one JSON object')
    parser.set_defaults(handler=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """0 with the table printed; 2 for folders that are not runs or cannot be measured."""
    from workbench.compress.compare import compare_runs, format_table
    from workbench.compress.errors import CompressError

    try:
        if not args.run_dirs and not args.family:
            raise CompressError("expected run folders to compare (RUN... or --family RUN), "
                                "found none")
        table = compare_runs(args.run_dirs, family=args.family, threads=args.threads,
                             remeasure=args.remeasure)
    except CompressError as exc:
        message = " ".join(str(exc).split())
        if args.json:
            print(json.dumps({"error": message}))
        print(f"workbench compare: {message}", file=sys.stderr)
        return 2
    print(json.dumps(table) if args.json else format_table(table))
    return 0
