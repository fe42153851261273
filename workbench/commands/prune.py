"""``workbench prune RUN``: a structurally pruned (smaller, faster) variant of a run."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from workbench.compress.prune import METHODS, SCOPES


def register(subparsers: Any) -> None:
    """Add ``prune RUN --ratio R [--method] [--scope] [--steps N] [--finetune-epochs E]
    [--lr LR] [--threads T] [--json]`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "prune", help="remove channels of a run's network (structured pruning), measured",
        description="Remove the least important Conv channels and Linear units of the run's "
                    "network (BatchNorm, the next layers' inputs, Add-joined branches, Concat "
                    "and Flatten follow), write the smaller network with its sliced weights as "
                    "a new run (lineage pruned-from), optionally fine-tune it as a normal run, "
                    "and measure validation accuracy, parameters, MACs, ONNX file size and "
                    "ONNX Runtime latency at batch 1 and 64 next to the original. The layer "
                    "feeding the Output is never pruned.")
    parser.add_argument("run_dir", help="the trained run folder")
    parser.add_argument("--ratio", type=float, default=0.5,
                        help="fraction of the prunable channels to remove, in (0, 1] "
                             "(default 0.5)")
    parser.add_argument("--method", choices=METHODS, default="l1",
                        help="importance: l1 / l2 weight norm, or taylor (|w * dL/dw| on "
                             "training samples); default l1")
    parser.add_argument("--scope", choices=SCOPES, default="layer",
                        help="layer: the ratio in every dependency group (default); global: "
                             "across the network, scores normalized per group")
    parser.add_argument("--steps", type=int, default=1,
                        help="reach the ratio in N prune -> fine-tune steps (default 1)")
    parser.add_argument("--finetune-epochs", type=int, default=0, metavar="E",
                        help="fine-tune each pruned network for E epochs (default 0)")
    parser.add_argument("--lr", type=float, default=None,
                        help="fine-tuning learning rate (default: the run's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="onnxruntime intra-op threads for latency (pinned; default 1)")
    parser.add_argument("--repeats", type=int, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--allow-changed-data", action="store_true",
                        help="prune even though the run's data changed since training")
    parser.add_argument("--unstructured", action="store_true",
                        help="zero the smallest weights instead (sparsity only: the network "
                             "keeps its shape and is not faster; no fine-tuning)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run_prune)


def format_report(report: dict[str, Any]) -> str:
    """The report as readable lines: before / after, the groups, the runs written."""
    key = "val_mae" if report["task"] == "regression" else "val_accuracy"
    s = report["settings"]
    lines = [f"pruned {report['parent']}",
             f"  {s['ratio']:g} of the channels by {s['method']} ({s['scope']} scope), "
             f"{s['steps']} step(s), {s['finetune_epochs']} fine-tuning epoch(s) per step",
             "", f"  {'':<10}{key:>13}{'params':>10}{'MACs':>12}{'size KB':>9}{'b1 ms':>9}"
                 f"{'b64 ms':>9}"]
    for label, prefix in (("original", "original_"), ("pruned", "")):
        lines.append(f"  {label:<10}{report[prefix + key]:>13.4g}{report[prefix + 'params']:>10,}"
                     f"{report[prefix + 'macs']:>12,}{report[prefix + 'file_bytes'] / 1024:>9.1f}"
                     f"{report[prefix + 'latency_ms']['1']:>9.3f}"
                     f"{report[prefix + 'latency_ms']['64']:>9.3f}")
    lines += ["", f"  MACs -{report['macs_reduction']:.1%}, parameters "
                  f"-{report['params_reduction']:.1%}; speed-up x{report['speedup']['1']} at "
                  f"batch 1, x{report['speedup']['64']} at batch 64 (onnxruntime CPU, "
                  f"{report['threads']} thread(s))", "  channels per dependency group:"]
    for group in report["groups"]:
        fixed = "" if group["prunable"] else " (kept: feeds the Output or cannot be pruned)"
        lines.append(f"    {', '.join(group['layers'])}: {group['channels']} -> "
                     f"{group['kept']}{fixed}")
    lines.append("  runs written:")
    lines += [f"    {r['relation']}: {r['run_dir']}" for r in report["runs"]]
    return "\n".join(lines)


def format_unstructured(report: dict[str, Any]) -> str:
    """An unstructured report: sparsity, accuracy, and the (unchanged) latency."""
    key = "val_mae" if report["task"] == "regression" else "val_accuracy"
    before, after = report["original_latency_ms"], report["latency_ms"]
    return "\n".join([
        f"zeroed the smallest weights of {report['parent']}",
        f"  sparsity {report['sparsity']:.1%} of the Conv/Linear weights (the head excluded); "
        f"{report['nonzero_params']:,} of {report['params']:,} parameters are not zero",
        f"  {key} {report['original_' + key]:.4g} -> {report[key]:.4g}",
        f"  latency b1 {before['1']:.3f} -> {after['1']:.3f} ms, b64 {before['64']:.3f} -> "
        f"{after['64']:.3f} ms (onnxruntime CPU, {report['threads']} thread(s))",
        f"  note: {report['note']}", f"  written to {report['run_dir']}"])


def run_prune(args: argparse.Namespace) -> int:
    """0 when the pruned run(s) were written; 2 for a run or setting that cannot be used."""
    from workbench.compress.errors import CompressError
    from workbench.compress.prune_run import prune_run

    def progress(text: str) -> None:  # on a terminal only: a failure stays one line in logs
        if not args.json and sys.stderr.isatty():
            print(f"  {text}...", file=sys.stderr, flush=True)

    if args.threads < 1:
        print(f"workbench prune: --threads must be at least 1, found {args.threads}",
              file=sys.stderr)
        return 2
    try:
        if args.unstructured:
            report = _unstructured(args)
            print(json.dumps(report) if args.json else format_unstructured(report))
            return 0
        report = prune_run(args.run_dir, ratio=args.ratio, method=args.method,
                           scope=args.scope, steps=args.steps,
                           finetune_epochs=args.finetune_epochs, finetune_lr=args.lr,
                           threads=args.threads, repeats=args.repeats,
                           allow_changed_data=args.allow_changed_data, progress=progress)
    except CompressError as exc:
        message = " ".join(str(exc).split())
        if args.json:
            print(json.dumps({"error": message}))
        print(f"workbench prune: {message}", file=sys.stderr)
        return 2
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def _unstructured(args: argparse.Namespace) -> dict[str, Any]:
    from workbench.compress.errors import CompressError
    from workbench.compress.prune_unstructured import unstructured_prune_run

    if args.steps != 1 or args.finetune_epochs or args.method != "l1":
        raise CompressError("--unstructured zeroes weights by magnitude in one step without "
                            "fine-tuning; found --steps/--finetune-epochs/--method set")
    return unstructured_prune_run(args.run_dir, args.ratio, args.scope, args.threads,
                                  args.repeats, args.allow_changed_data)
