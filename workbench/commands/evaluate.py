"""``workbench eval``: evaluate a run's best weights on a split (the test split on request)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import Any

from workbench.runs.run_store import RunStore


def evaluate_run(run_dir: str, split: str) -> dict[str, Any]:
    """Evaluate the run's best (else latest) weights on ``split`` and record it in the run."""
    from workbench.data import load_dataset
    from workbench.explain.metrics import classification_report
    from workbench.run_model import load_run_module
    from workbench.train.evaluate import evaluate

    run = RunStore.open(run_dir)
    module, weights_name = load_run_module(run)
    dataset = load_dataset(run.config["dataset"])
    x, y = {"train": (dataset.x_train, dataset.y_train), "val": (dataset.x_val, dataset.y_val),
            "test": (dataset.x_test, dataset.y_test)}[split]
    result = evaluate(module, x, y, batch_size=256, device="cpu")
    report = classification_report(y, result["predictions"], list(dataset.class_names))
    record = {"kind": "eval", "split": split, "weights": weights_name,
              "loss": float(result["loss"]), "accuracy": float(result["accuracy"]),
              "samples": int(len(y)), "time": datetime.now(timezone.utc).isoformat()}
    run.record_event(record)
    return {**record, "run_dir": str(run.path), "report": report}


def format_report(result: dict[str, Any]) -> str:
    report = result["report"]
    lines = [f"{result['split']} split of {result['run_dir']} ({result['samples']} samples, "
             f"weights: {result['weights']})",
             f"  loss {result['loss']:.4f}   accuracy {result['accuracy']:.4f}", "",
             f"  {'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for row in report["per_class"]:
        lines.append(f"  {row['label'][:15]:<16}{row['precision']:>10.3f}{row['recall']:>10.3f}"
                     f"{row['f1']:>10.3f}{row['support']:>9d}")
    lines.append("")
    lines.append("  confusion matrix (rows: true class, columns: predicted)")
    for label, row in zip(report["labels"], report["confusion"]):
        lines.append(f"  {label[:15]:<16}" + " ".join(f"{v:>4d}" for v in row))
    if result["split"] == "test":
        lines.append("")
        lines.append("  this look at the test split is recorded in the run's events.jsonl")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    try:
        result = evaluate_run(args.run_dir, args.split)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        message = str(exc)
        print(json.dumps({"error": message}) if args.json else f"workbench eval: {message}",
              file=sys.stdout if args.json else sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(format_report(result))
    return 0
