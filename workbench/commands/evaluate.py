"""``workbench eval``: evaluate a run's best weights on a split (the test split on request)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime, timezone
from typing import Any

from workbench.runs.run_store import RunStore


def register(subparsers: Any) -> None:
    """Add ``eval RUN_DIR [--split S] [--allow-changed-data] [--json]`` to ``subparsers``."""
    ev = subparsers.add_parser("eval", help="evaluate a run's best weights on a split")
    ev.add_argument("run_dir")
    ev.add_argument("--split", choices=("val", "test", "train"), default="val",
                    help="'test' is the one explicit, recorded look at the test split")
    ev.add_argument("--allow-changed-data", action="store_true",
                    help="evaluate even though the run's data changed since training "
                         "(recorded in the run's events.jsonl)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler=run_eval)


def evaluate_run(run_dir: str, split: str, allow_changed_data: bool = False) -> dict[str, Any]:
    """Evaluate the run's best (else latest) weights on ``split`` and record it in the run.

    The run is rebuilt by ``workbench.run_model.rebuild_run``: its saved preprocessing, and a
    DataChangedError when its data changed (unless ``allow_changed_data``, which is recorded).
    """
    from workbench.explain.metrics import classification_report
    from workbench.run_model import rebuild_run
    from workbench.train.evaluate import evaluate

    rebuilt = rebuild_run(run_dir, allow_changed_data=allow_changed_data, purpose=f"eval {split}")
    run, module, dataset = rebuilt.run, rebuilt.module, rebuilt.dataset
    weights_name = str(rebuilt.weights)
    x, y = {"train": (dataset.x_train, dataset.y_train), "val": (dataset.x_val, dataset.y_val),
            "test": (dataset.x_test, dataset.y_test)}[split]
    if rebuilt.task == "regression":
        return _evaluate_regression(run, module, weights_name, dataset, split, x, y)
    result = evaluate(module, x, y, batch_size=256, device="cpu")
    report = classification_report(y, result["predictions"], rebuilt.class_names)
    record = {"kind": "eval", "split": split, "weights": weights_name,
              "task": "classification", "loss": float(result["loss"]),
              "accuracy": float(result["accuracy"]), "samples": int(len(y)),
              "time": datetime.now(timezone.utc).isoformat()}
    run.record_event(record)
    return {**record, "run_dir": str(run.path), "report": report}


def _evaluate_regression(run: RunStore, module: Any, weights_name: str, dataset: Any,
                         split: str, x: Any, y: Any) -> dict[str, Any]:
    """MAE, RMSE and R² in the target's original units (and the loss, standardized MSE)."""
    from workbench.train.evaluate import evaluate_regression
    from workbench.train.task_metrics import target_scaling

    result = evaluate_regression(module, x, y, target_scaling(dataset), batch_size=256)
    record = {"kind": "eval", "split": split, "weights": weights_name, "task": "regression",
              "target": dataset.class_names[0], "loss": _number(result["loss"]),
              "mae": _number(result["mae"]), "rmse": _number(result["rmse"]),
              "r2": _number(result["r2"]), "samples": int(len(y)),
              "time": datetime.now(timezone.utc).isoformat()}
    run.record_event(record)
    return {**record, "run_dir": str(run.path)}


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _format_regression(result: dict[str, Any]) -> str:
    def num(key: str, fmt: str) -> str:
        value = result[key]
        return "-" if value is None else format(value, fmt)

    lines = [f"{result['split']} split of {result['run_dir']} ({result['samples']} samples, "
             f"weights: {result['weights']})",
             f"  regression target '{result['target']}' (errors in its original units)",
             f"  MAE  {num('mae', '.4g')}",
             f"  RMSE {num('rmse', '.4g')}",
             f"  R²   {num('r2', '.4f')}   (1 = perfect, 0 = no better than predicting the mean)",
             f"  loss {num('loss', '.4f')}   (on the standardized target)"]
    if result["split"] == "test":
        lines.append("")
        lines.append(_test_look_line(result))
    return "\n".join(lines)


def format_report(result: dict[str, Any]) -> str:
    if result.get("task") == "regression":
        return _format_regression(result)
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
        lines.append(_test_look_line(result))
    return "\n".join(lines)


def _test_look_line(result: dict[str, Any]) -> str:
    looks = result.get("test_looks")
    times = "1 time" if looks == 1 else f"{looks} times"
    count = f": the test split has now been looked at {times}" if looks else ""
    return f"  this look at the test split is recorded in the run's events.jsonl{count}"


def run_eval(args: argparse.Namespace) -> int:
    try:
        result = evaluate_run(args.run_dir, args.split,
                              getattr(args, "allow_changed_data", False))
        result["test_looks"] = RunStore.open(args.run_dir).test_looks()
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
