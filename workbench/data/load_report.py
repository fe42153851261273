"""What loading a dataset decided and found, in one JSON dict and in words.

``Dataset.load_report`` holds it; the CLI prints :func:`report_lines`, the run's config.json
stores the dict (key ``"data_report"``), and the app's dataset dialog shows
:func:`report_summary`. Keys (all optional except target/task/rows):

``target``, ``target_chosen`` ("given" | "default: the last column" | "built in"), ``task``,
``task_reason``, ``classes`` + ``class_counts`` (classification) or ``target_range`` [min, max]
(regression, original units), ``rows``, ``rows_dropped`` + ``rows_dropped_reason``,
``delimiter`` + ``delimiter_chosen`` ("detected" | "given"), ``skip_rows``, ``column_names``
("header" | "given"), ``imputed`` {column: cells}, ``missing_indicator``, ``numeric_columns``,
``categorical_columns``, ``features`` (model inputs per sample), ``notes`` [text].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.data.csv_reading import delimiter_label

MAX_NAMED_CLASSES = 6
_REASONS = {"image_folder": "one sub-folder per class", "npz": "the arrays of the .npz file"}


def complete_report(raw: Any, name: str, task: str, y: np.ndarray,
                    class_names: list[str], x_shape: tuple[int, ...]) -> dict[str, Any]:
    """The loader's report plus what every dataset has: target, task, classes or range."""
    report: dict[str, Any] = dict(getattr(raw, "report", None) or {})
    report.setdefault("source", name)
    report.setdefault("target", getattr(raw, "target", "") or "class")
    report.setdefault("target_chosen", "built in")
    report.setdefault("task", task)
    report.setdefault("task_reason", _REASONS.get(name, f"dataset '{name}'"))
    report.setdefault("rows", int(len(y)))
    if task == "regression":
        values = np.asarray(y, dtype=np.float64)
        report["target_range"] = [float(values.min()), float(values.max())]
    else:
        counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(class_names))
        report["classes"] = list(class_names)
        report["class_counts"] = {c: int(n) for c, n in zip(class_names, counts)}
    report["features"] = int(np.prod(x_shape)) if x_shape else 0
    return report


def _number(value: float) -> str:
    return f"{value:.6g}"


def target_text(report: dict[str, Any]) -> str:
    """The target in words, e.g. ``species (3 classes: Adelie, Chinstrap, Gentoo)`` or
    ``price (regression, values 5 to 50)``, marked ``[default: the last column]`` when the
    person did not choose it."""
    target = report.get("target", "?")
    if report.get("task") == "regression":
        low, high = report.get("target_range", [float("nan")] * 2)
        what = f"regression, values {_number(low)} to {_number(high)}"
    else:
        classes = [str(c) for c in report.get("classes", [])]
        shown = ", ".join(classes[:MAX_NAMED_CLASSES])
        if len(classes) > MAX_NAMED_CLASSES:
            shown += f", … {len(classes) - MAX_NAMED_CLASSES} more"
        what = f"{len(classes)} classes: {shown}"
    chosen = report.get("target_chosen")
    how = f" [{chosen}]" if chosen and chosen not in ("given", "built in") else ""
    return f"{target} ({what}){how}"


def report_summary(report: dict[str, Any]) -> str:
    """One line: "target: species (3 classes: …), 344 rows, 2 dropped, 11 cells imputed"."""
    parts = [f"target: {target_text(report)}", f"{report.get('rows', 0)} rows"]
    if report.get("rows_dropped"):
        parts.append(f"{report['rows_dropped']} dropped")
    imputed = sum((report.get("imputed") or {}).values())
    if "imputed" in report:
        parts.append(f"{imputed} cells imputed")
    return ", ".join(parts)


def report_lines(report: dict[str, Any]) -> list[str]:
    """Every decision, one per line, for the terminal and logs."""
    lines = [f"target: {target_text(report)}"]
    lines.append(f"task: {report.get('task')} (target '{report.get('target')}', "
                 f"{report.get('task_reason', 'given')})")
    if "delimiter" in report:
        extra = ""
        if report.get("skip_rows"):
            extra += f", {report['skip_rows']} leading lines skipped"
        if report.get("column_names") == "given":
            extra += ", column names given (no header row)"
        lines.append(f"delimiter: {delimiter_label(report['delimiter'])} "
                     f"({report.get('delimiter_chosen', 'given')}){extra}")
    rows = f"{'rows' if 'delimiter' in report else 'samples'}: {report.get('rows', 0)}"
    if report.get("rows_dropped"):
        rows += (f", {report['rows_dropped']} dropped "
                 f"({report.get('rows_dropped_reason', 'unusable')})")
    lines.append(rows)
    if "cache" in report:  # image folders and generated image sets
        lines.append(f"images: {report.get('images', 0):,} at {report['size'][0]}x"
                     f"{report['size'][1]}, {report.get('channels', 3)} channel(s), uint8 cache "
                     f"{report.get('cache_state', '')} ({report['cache']})")
    if report.get("skipped_images"):
        lines.append(f"skipped {report['skipped_images']} file(s) that are not readable images "
                     f"(--bad-images skip): {'; '.join(report.get('skipped', []))}"
                     + (" ..." if report['skipped_images'] > len(report.get('skipped', [])) else ""))
    if "numeric_columns" in report:
        lines.append(f"features: {len(report['numeric_columns'])} numeric, "
                     f"{len(report.get('categorical_columns', []))} categorical columns -> "
                     f"{report.get('features', '?')} inputs")
    imputed = report.get("imputed") or {}
    if imputed:
        how = "training-split median, or category 'missing'"
        if report.get("missing_indicator"):
            how += "; with missing-indicator columns"
        cells = ", ".join(f"{name} {count}" for name, count in imputed.items())
        lines.append(f"missing cells imputed ({how}): {cells}")
    elif "imputed" in report:
        lines.append("missing cells: none")
    lines.extend(f"note: {note}" for note in report.get("notes", []))
    return lines
