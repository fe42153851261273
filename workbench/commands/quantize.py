"""``workbench quantize RUN``: an int8 variant of a run with ONNX Runtime, measured here."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.compress.onnx_quantize import CALIBRATIONS, MODES, TYPES


def register(subparsers: Any) -> None:
    """Add ``quantize RUN [--mode] [--format] [--types] [--calibration] [--samples N]
    [--max-drop P] [--threads T] [--json]`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "quantize", help="make an int8 variant of a run (ONNX Runtime), measured on this machine",
        description="Export the run to ONNX, quantize it to int8 with ONNX Runtime (calibrated "
                    "on training samples with the run's saved preprocessing), measure accuracy "
                    "on the validation split, file size and latency at batch 1 and 64 next to "
                    "float32, and write the int8 model as a new run (lineage quantized-from). "
                    "When accuracy drops more than --max-drop, the most sensitive layers are "
                    "kept in float. --format auto tries every format and recommends the "
                    "fastest that keeps accuracy (float32 when it is faster).")
    parser.add_argument("run_dir", help="the trained run folder")
    parser.add_argument("--mode", choices=MODES, default="static",
                        help="static (calibrated activations, default) or dynamic")
    parser.add_argument("--format", dest="fmt", choices=("qdq", "qoperator", "auto"),
                        default="qdq", help="static model format, or auto: measure all")
    parser.add_argument("--types", choices=TYPES, default="U8S8",
                        help="activations x weights (default U8S8)")
    parser.add_argument("--calibration", choices=CALIBRATIONS, default="minmax")
    parser.add_argument("--samples", type=int, default=256,
                        help="training samples used for calibration (default 256)")
    parser.add_argument("--per-tensor", action="store_true",
                        help="one scale per weight tensor instead of per output channel")
    parser.add_argument("--first-float", action="store_true",
                        help="keep the first layer (and what comes before the second) in "
                             "float: small-channel first convolutions are often slower in int8")
    parser.add_argument("--max-drop", type=float, default=0.5, metavar="POINTS",
                        help="largest accuracy drop allowed, in accuracy points (regression: "
                             "percent MAE increase); default 0.5")
    parser.add_argument("--threads", type=int, default=1,
                        help="onnxruntime intra-op threads for latency (pinned; default 1)")
    parser.add_argument("--allow-changed-data", action="store_true",
                        help="quantize even though the run's data changed since training")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run_quantize)


def format_report(report: dict[str, Any]) -> str:
    """The report as readable lines: the formats table, the choice, the variant."""
    key = "val_mae" if report["task"] == "regression" else "val_accuracy"
    head = "val MAE" if key == "val_mae" else "val acc"
    lines = [f"quantized {report['parent']}",
             f"  calibration: {report['calibration_samples']} training samples; measured on "
             f"{report['validation_samples']} validation samples; onnxruntime CPU, "
             f"{report['threads']} intra-op thread(s)", "",
             f"  {'model':<34}{head:>9}{'drop':>8}{'size KB':>9}{'b1 ms':>9}{'b64 ms':>9}"
             f"{'x b1':>7}{'x b64':>7}"]
    for row in report["formats"]:
        drop = "-" if row["drop"] is None else f"{row['drop']:.2f}"
        lines.append(f"  {row['label']:<34}{row[key]:>9.4g}{drop:>8}"
                     f"{row['file_bytes'] / 1024:>9.1f}{row['latency_ms']['1']:>9.3f}"
                     f"{row['latency_ms']['64']:>9.3f}{row['speedup']['1']:>7.2f}"
                     f"{row['speedup']['64']:>7.2f}")
    lines += ["", f"  drop: {report['drop_unit']} (allowed {report['max_accuracy_drop']}); "
                  f"x: speed-up vs float32",
              f"  recommendation: {report['recommend']} - {report['reason']}"]
    if report["file_bytes"] >= report["float_file_bytes"]:
        lines.append("  note: the int8 file is not smaller than float32 (scales and zero points "
                     "outweigh the weights of so small a network)")
    if report["nodes_in_float"]:
        lines.append(f"  kept in float (most sensitive): {', '.join(report['nodes_in_float'])}")
    if not report["within_threshold"]:
        lines.append(f"  WARNING: {report['chosen']} loses {report['accuracy_drop']} "
                     f"{report['drop_unit']}, more than allowed")
    if report.get("run_dir"):
        lines.append(f"  int8 variant ({report['chosen']}) written to {report['run_dir']}")
    return "\n".join(lines)


def run_quantize(args: argparse.Namespace) -> int:
    """0 when the variant was written; 2 for a run, setting or model that cannot be used."""
    from workbench.compress.errors import CompressError
    from workbench.compress.quantize import quantize_run

    def progress(text: str) -> None:  # on a terminal only: a failure stays one line in logs
        if not args.json and sys.stderr.isatty():
            print(f"  {text}...", file=sys.stderr, flush=True)

    try:
        report = quantize_run(args.run_dir, mode=args.mode, fmt=args.fmt, types=args.types,
                              per_channel=not args.per_tensor, calibration=args.calibration,
                              samples=args.samples, max_accuracy_drop=args.max_drop,
                              threads=args.threads, progress=progress,
                              allow_changed_data=args.allow_changed_data,
                              first_float=args.first_float)
    except CompressError as exc:
        message = " ".join(str(exc).split())
        if args.json:
            print(json.dumps({"error": message}))
        print(f"workbench quantize: {message}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else format_report(report))
    return 0
