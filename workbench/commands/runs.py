"""``workbench runs``: a project's runs with their key metrics, as a tree of parents and the
runs made from them (fine-tuned, distilled, pruned, ... see workbench.runs.lineage), or
``--flat`` in creation order."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.paths import default_project_dir


def register(subparsers: Any) -> None:
    """Add ``runs [PROJECT_DIR] [--flat] [--json]`` to ``subparsers``."""
    runs = subparsers.add_parser("runs", help="list the runs of a project folder")
    runs.add_argument("project_dir", nargs="?", default=None,
                      help="project folder (default: ./workbench-project)")
    runs.add_argument("--flat", action="store_true",
                      help="a plain list by creation time instead of the tree of runs")
    runs.add_argument("--json", action="store_true",
                      help="one JSON list of rows (with parent, relation and depth)")
    runs.set_defaults(handler=run_list)


def run_rows(project_dir: Path, flat: bool = False) -> list[dict[str, Any]]:
    """One row per run: name, status, the metrics that matter and where it comes from
    (parent path or None, relation, depth in the tree, note). Tree order (each parent followed
    by its children, oldest first) unless ``flat`` (creation order)."""
    from workbench.runs.lineage import build_tree, walk
    from workbench.runs.run_store import list_runs

    nodes = list(walk(build_tree(list_runs(project_dir))))
    if flat:
        nodes.sort(key=lambda n: (n.run.created, n.run.path.name))
    rows = []
    for node in nodes:
        run = node.run
        summary = run.read_summary() or {}
        metrics = run.metrics.read()
        epochs = [m for m in metrics if m.get("kind", "epoch") == "epoch" and "val_loss" in m]
        last = epochs[-1] if epochs else {}
        test = [e for e in run.read_events() if e.get("kind") == "eval" and
                e.get("split") == "test"]
        rows.append({
            "run": run.path.name,
            "status": summary.get("stopped_reason") or ("running or killed" if epochs
                                                       else "no epochs"),
            "epochs": summary.get("epochs_run", len(epochs)),
            "val_accuracy": summary.get("val_accuracy", last.get("val_accuracy")),
            "val_loss": summary.get("val_loss", last.get("val_loss")),
            "train_accuracy": summary.get("train_accuracy", last.get("train_accuracy")),
            "test_accuracy": test[-1].get("accuracy") if test else None,
            "task": summary.get("task", "regression" if "val_mae" in last else
                                "classification"),
            "val_mae": summary.get("val_mae", last.get("val_mae")),
            "val_r2": summary.get("val_r2", last.get("val_r2")),
            "test_mae": test[-1].get("mae") if test else None,
            "test_looks": run.test_looks(),
            "created": run.created.isoformat(),
            "path": str(run.path),
            "parent": str(node.parent.path) if node.parent is not None else None,
            "relation": node.relation,
            "depth": node.depth,
            "note": node.note,
        })
    return rows


def tree_labels(rows: list[dict[str, Any]]) -> list[str]:
    """The run column of the tree: guides ("├─ ", "└─ ", "│  ") before each name, then its
    relation and any note (rows in tree order, as :func:`run_rows` gives them)."""
    labels = []
    for i, row in enumerate(rows):
        depth = row["depth"]
        guides = []
        for level in range(1, depth + 1):  # is there a later sibling at this level?
            later = _has_later_sibling(rows, i, level)
            if level == depth:
                guides.append("├─ " if later else "└─ ")
            else:
                guides.append("│  " if later else "   ")
        text = "".join(guides) + row["run"]
        if row["relation"] and (depth or row["note"]):
            text += f" {row['relation']}"
        if row["note"]:
            text += f" ({row['note']})"
        labels.append(text)
    return labels


def _has_later_sibling(rows: list[dict[str, Any]], index: int, level: int) -> bool:
    """Whether the ancestor of ``rows[index]`` at ``level`` (or the row itself) has a later
    sibling: a later row at that depth before any row shallower than it."""
    for row in rows[index + 1:]:
        if row["depth"] < level:
            return False
        if row["depth"] == level:
            return True
    return False


def test_looks_text(looks: int) -> str:
    """'test looked at 2 times': how often results on the test split were seen."""
    if not looks:
        return "not looked at"
    return f"test looked at {looks} time{'' if looks == 1 else 's'}"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def run_list(args: argparse.Namespace) -> int:
    project_dir = Path(args.project_dir) if args.project_dir else default_project_dir()
    if not project_dir.is_dir():
        message = f"{project_dir}: no such project folder"
        print(json.dumps({"error": message}) if args.json else f"workbench runs: {message}")
        return 2
    rows = run_rows(project_dir, flat=args.flat)
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print(f"no runs in {project_dir} yet (train one with `workbench train ... "
              f"--project {project_dir}`)")
        return 0
    columns = ["run", "status", "epochs", "val_accuracy", "val_loss", "train_accuracy",
               "test_accuracy", "test_split"]
    if any(r["task"] == "regression" for r in rows):  # errors in the target's units
        columns[3:3] = ["val_mae", "val_r2"]
        columns.insert(columns.index("test_split"), "test_mae")
    labels = [r["run"] for r in rows] if args.flat else tree_labels(rows)
    table = [columns] + [[label] + [_cell(r[c]) if c != "test_split" else
                                    test_looks_text(r["test_looks"]) for c in columns[1:]]
                         for label, r in zip(labels, rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0
