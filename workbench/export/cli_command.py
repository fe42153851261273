"""``workbench export RUN_DIR --out DIR [--opset N] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.export.onnx_export import DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, ExportError


def register(subparsers: Any) -> None:
    """Add ``export RUN_DIR --out DIR [--opset N] [--force] [--json]`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "export", help="export a run as a verified ONNX deployment bundle",
        description="Export a trained run to ONNX, check it (onnx.checker, onnxruntime vs "
                    "PyTorch on validation samples), measure latency and write a bundle "
                    "(model.onnx, model.json, predict.py, README.txt). Exit code 2 when the run "
                    "or the destination cannot be used, 1 when a check fails; then nothing "
                    "is written.")
    parser.add_argument("run_dir", help="the run folder (with config.json and weights)")
    parser.add_argument("--out", required=True, metavar="DIR", help="bundle folder to create")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                        help=f"ONNX opset {MIN_OPSET}..{MAX_OPSET} (default {DEFAULT_OPSET})")
    parser.add_argument("--force", action="store_true", help="replace an existing bundle")
    parser.add_argument("--allow-changed-data", action="store_true",
                        help="export even though the run's data changed since training "
                             "(recorded in the run's events.jsonl)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with the checks and latencies")
    parser.set_defaults(handler=run_export)


def format_report(report: dict[str, Any]) -> str:
    """The export report as readable lines."""
    from workbench.export.latency import format_latency_table

    if "int8_vs_float" in report["checks"]:
        from workbench.export.int8_bundle import format_int8_report

        return format_int8_report(report)
    p = report["checks"]["parity"]
    lines = [f"bundle written to {report['out_dir']}",
             f"  onnx.checker (full check): passed, opset {report['opset']}",
             f"  onnxruntime vs PyTorch on {p['samples']} {p.get('split', 'validation')} "
             f"samples, batch 1 and {p['batch_sizes'][1]}: max abs diff "
             f"{p['max_abs_diff']:.2e}, max rel diff {p['max_rel_diff']:.2e} "
             f"(rtol {p['rtol']}, atol {p['atol']}): passed"]
    if "onnx_accuracy" in p:
        lines.append(f"  accuracy: onnxruntime {p['onnx_accuracy']:.4f}, PyTorch "
                     f"{p['torch_accuracy']:.4f} (equal)")
    if "onnx_mae" in p:
        lines.append(f"  MAE in the target's units: onnxruntime {p['onnx_mae']:.6g}, PyTorch "
                     f"{p['torch_mae']:.6g} (agree)")
    if report.get("latency"):
        lines += ["", format_latency_table(report["latency"])]
    return "\n".join(lines)


def run_export(args: argparse.Namespace) -> int:
    """Run the export command: 0 when the bundle was written, 2 when the run or destination
    cannot be used (bad file, taken folder), 1 when a check or step failed on the model."""
    from workbench.export.bundle import export_run
    from workbench.export.onnx_export import ExportInputError

    try:
        report = export_run(args.run_dir, args.out, opset=args.opset,
                            force=getattr(args, "force", False),
                            allow_changed_data=getattr(args, "allow_changed_data", False))
    except ExportError as exc:
        if args.json:
            print(json.dumps({"passed": False, "error": str(exc), **exc.report}))
        print(f"workbench export: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ExportInputError) else 1
    print(json.dumps(report) if args.json else format_report(report))
    return 0
