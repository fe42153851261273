"""``workbench export RUN_DIR --out DIR [--opset N] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.export.onnx_export import DEFAULT_OPSET, ExportError


def add_export_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="export a run as a verified ONNX bundle")
    parser.add_argument("run_dir")
    parser.add_argument("--out", required=True, metavar="DIR", help="bundle folder to create")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                        help=f"ONNX opset (default {DEFAULT_OPSET})")
    parser.add_argument("--force", action="store_true", help="replace an existing bundle")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def format_report(report: dict[str, Any]) -> str:
    p = report["checks"]["parity"]
    lines = [f"bundle written to {report['out_dir']}",
             f"  onnx.checker (full check): passed, opset {report['opset']}",
             f"  onnxruntime vs PyTorch on {p['samples']} validation samples, batch 1 and "
             f"{p['batch_sizes'][1]}: max abs diff {p['max_abs_diff']:.2e}, max rel diff "
             f"{p['max_rel_diff']:.2e} (rtol {p['rtol']}, atol {p['atol']}): passed",
             f"  accuracy: onnxruntime {p.get('onnx_accuracy', float('nan')):.4f}, PyTorch "
             f"{p.get('torch_accuracy', float('nan')):.4f}", "",
             "  latency (median)   PyTorch eager   onnxruntime   speed-up"]
    for row in report["latency"]:
        lines.append(f"  batch {row['batch']:<12}{row['torch_eager_ms']:>10.3f} ms"
                     f"{row['onnxruntime_ms']:>11.3f} ms{row['speedup']:>10.2f}x")
    return "\n".join(lines)


def run_export(args: argparse.Namespace) -> int:
    from workbench.export.bundle import export_run

    try:
        report = export_run(args.run_dir, args.out, opset=args.opset, force=args.force)
    except ExportError as exc:
        if args.json:
            print(json.dumps({"error": str(exc), "passed": False}))
        print(f"workbench export: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report) if args.json else format_report(report))
    return 0
