"""CSV datasets: choose the target, infer the task, find numeric and categorical columns.

Options (project file ``dataset.options``; CLI flags in brackets):

- ``path`` (``--data-path``): the file; ``target`` (``--target``): its column, default the last;
- ``delimiter`` (``--delimiter``): "auto" (default, ``csv.Sniffer``), ",", ";", "tab", "space"…;
- ``skip_rows`` (``--skip-rows``): lines to skip before the header (comments, titles);
- ``columns`` (``--columns a,b,c``): the file has no header; these are its column names;
- ``task`` (``--task``): "auto" (default), "classification" or "regression";
- ``missing_indicator`` (``--missing-indicator``): add a 0/1 "<column>_missing" feature for each
  numeric column with missing cells;
- ``exclude`` (``--exclude a,b``): columns kept out of the model's inputs (a list of names, or
  one "a,b" string) but kept, as raw strings, for per-group metrics (``Dataset.row_columns``).

A column is numeric when at least 90% of its non-missing cells parse as numbers; then every
non-missing cell must, and the first that does not is reported by line and value. Missing cells
(``NA``, ``?``, empty, … see :data:`MISSING_VALUES`) never make a column categorical: they are
imputed later (training-split median, or a "missing" category). Rows without a target value are
dropped and counted. What was decided (target, task, delimiter, drops, imputations) is recorded
in ``RawData.report`` and shown to the person by the CLI, the run's config and the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.csv_reading import (
    MISSING_SET,
    MISSING_VALUES,
    CsvOptions,
    Table,
    delimiter_label,
    is_missing,
    read_table,
    unquote,
)
from workbench.data.errors import DataError
from workbench.data.raw import RawData
from workbench.data.tabular import parse_numbers

NUMERIC_SHARE = 0.9
MAX_CLASS_LIKE_DISTINCT = 20
KNOWN_OPTIONS = ("path", "target", "delimiter", "skip_rows", "columns", "task",
                 "missing_indicator", "exclude")
TASKS = ("auto", "classification", "regression")


def _parses(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def infer_task(labels: list[str]) -> tuple[str, str]:
    """("classification" | "regression", why) for the target's non-missing values.

    Regression: every value a number, and either some are not whole numbers or there are more
    than 20 distinct whole numbers that are not class codes (0..K-1 or 1..K).
    """
    distinct = set(labels)
    parsed = [v for v in distinct if _parses(v)]
    numeric_share = sum(_parses(v) for v in labels) / max(1, len(labels))
    if len(parsed) < len(distinct) and (numeric_share < NUMERIC_SHARE
                                        or len(parsed) <= MAX_CLASS_LIKE_DISTINCT):
        return "classification", f"{len(distinct)} distinct values that are categories"
    if len(parsed) < len(distinct):  # mostly numbers: the odd cells are reported by row
        return "regression", (f"{len(parsed)} distinct numeric values and "
                              f"{len(distinct) - len(parsed)} that are not numbers")
    numbers = np.array(sorted({float(v) for v in distinct}))
    if not np.all(np.isfinite(numbers)):
        return "regression", "numeric values, some of them not finite"
    if not np.all(numbers == np.round(numbers)):
        return "regression", f"{len(numbers)} distinct numeric values, not all whole numbers"
    codes = len(numbers) > 0 and numbers[0] in (0.0, 1.0) and np.all(np.diff(numbers) == 1)
    if len(numbers) <= MAX_CLASS_LIKE_DISTINCT or codes:
        return "classification", f"{len(numbers)} distinct whole numbers (class codes)"
    return "regression", f"{len(numbers)} distinct numeric values"


def _task_option(options: dict[str, Any]) -> str:
    task = options.get("task", "auto") or "auto"
    if task not in TASKS:
        raise DataError(f"option 'task' must be one of {', '.join(TASKS)}, found {task!r}")
    return str(task)


def _target(table: Table, options: dict[str, Any]) -> tuple[str, str]:
    given = options.get("target")
    if given is None or str(given).strip() == "":
        return table.header[-1], "default: the last column"
    target = unquote(str(given))
    if target not in table.header:
        raise DataError(
            f"{table.path}: no target column '{target}'; columns found with delimiter "
            f"{delimiter_label(table.delimiter)}"
            f"{' (detected)' if table.delimiter_detected else ''}: "
            f"{', '.join(table.header)}{table.delimiter_hint()}")
    return target, "given"


def _excluded(table: Table, options: dict[str, Any], target: str) -> list[str]:
    """The columns named by option ``exclude`` (a list, or one "a,b" string), checked."""
    given = options.get("exclude")
    if given is None or given == "" or given == []:
        return []
    if isinstance(given, str):
        names = [unquote(n) for n in given.split(",") if n.strip()]
    elif isinstance(given, list) and all(isinstance(n, str) for n in given):
        names = [unquote(n) for n in given]
    else:
        raise DataError(f"option 'exclude' must be a list of column names or one 'a,b' text, "
                        f"found {given!r}")
    unknown = [n for n in names if n not in table.header]
    if unknown:
        raise DataError(f"{table.path}: option 'exclude' names no such column "
                        f"{', '.join(repr(n) for n in unknown)}; columns: "
                        f"{', '.join(table.header)}")
    if target in names:
        raise DataError(f"{table.path}: option 'exclude' names the target column '{target}'; "
                        f"the target is never an input anyway, exclude feature columns only")
    return list(dict.fromkeys(names))


def _numeric_columns(table: Table, t: int, keep: np.ndarray, skip: frozenset[str] = frozenset()
                     ) -> tuple[dict[str, np.ndarray], list[str], dict[str, int], list[str],
                                list[str]]:
    """Feature columns (strings), the numeric ones, missing cells per column, notes, and the
    columns written with decimal commas (their cells converted to decimal points)."""
    columns: dict[str, np.ndarray] = {}
    numeric: list[str] = []
    missing_counts: dict[str, int] = {}
    notes: list[str] = []
    decimal_comma: list[str] = []
    rows = [row for row, k in zip(table.rows, keep) if k]
    lines = [line for line, k in zip(table.line_numbers, keep) if k]
    for c, name in enumerate(table.header):
        if c == t or name in skip:
            continue
        values = [row[c] for row in rows]
        filled = [v for v in values if v not in MISSING_SET]  # cells are stripped already
        if not filled:
            notes.append(f"column '{name}' has no value in any row: left out")
            continue
        all_numbers = parse_numbers(filled) is not None
        if not all_numbers and _decimal_commas(filled, table.delimiter):
            values = [v.replace(",", ".") for v in values]
            filled = [v.replace(",", ".") for v in filled]
            all_numbers = parse_numbers(filled) is not None
            decimal_comma.append(name)
        share = 1.0 if all_numbers else sum(_parses(v) for v in filled) / len(filled)
        if all_numbers:
            numeric.append(name)
        elif share >= NUMERIC_SHARE:
            for line, value in zip(lines, values):
                if not is_missing(value) and not _parses(value):
                    if table.header_given and line == table.line_numbers[0]:
                        raise DataError(
                            f"{table.path}: column '{name}' is numeric but row {line} has "
                            f"'{value}': that row looks like a header. With column names "
                            f"given (--columns) every row is data; skip the header with "
                            f"--skip-rows {line}")
                    raise DataError(
                        f"{table.path}: column '{name}' is numeric but row {line} has "
                        f"'{value}'; if that means 'no value', write one of "
                        f"{', '.join(repr(v) for v in MISSING_VALUES if v)} or leave it empty")
            numeric.append(name)
        if len(filled) < len(values):
            missing_counts[name] = len(values) - len(filled)
        columns[name] = np.array(values, dtype=object)
    if decimal_comma:
        notes.append(f"decimal commas read as decimal points (3,5 = 3.5) in "
                     f"{', '.join(decimal_comma)}")
    return columns, numeric, missing_counts, notes, decimal_comma


def _decimal_commas(filled: list[str], delimiter: str) -> bool:
    """True when the cells are numbers written with a decimal comma ("3,5"), as spreadsheets
    in many locales save them next to a ';' or tab delimiter."""
    if delimiter == "," or not any("," in v for v in filled):
        return False
    converted = [v.replace(",", ".") for v in filled if "." not in v or "," not in v]
    return len(converted) == len(filled) and (
        sum(_parses(v) for v in converted) / len(converted) >= NUMERIC_SHARE)


def load_csv(options: dict[str, Any]) -> RawData:
    if not options.get("path"):
        raise DataError("the csv dataset needs option 'path' (the CSV file)")
    unknown = sorted(set(options) - set(KNOWN_OPTIONS))
    if unknown:
        raise DataError(f"unknown csv option(s) {', '.join(unknown)}; expected "
                        f"{', '.join(KNOWN_OPTIONS)}")
    task_option = _task_option(options)
    path = Path(str(options["path"]))
    table = read_table(path, CsvOptions.from_options(options))
    target, target_chosen = _target(table, options)
    t = table.header.index(target)
    keep = np.array([not is_missing(row[t]) for row in table.rows], dtype=bool)
    labels = [row[t] for row, k in zip(table.rows, keep) if k]
    if not labels:
        raise DataError(f"{path}: target column '{target}' has no values")
    excluded = _excluded(table, options, target)
    columns, numeric, missing_counts, notes, decimal_comma = _numeric_columns(
        table, t, keep, frozenset(excluded))
    kept_out = {name: np.array([row[table.header.index(name)] for row, k in
                                zip(table.rows, keep) if k], dtype=object)
                for name in excluded}
    if _decimal_commas(labels, table.delimiter):
        labels = [v.replace(",", ".") for v in labels]
        notes.append(f"decimal commas read as decimal points in the target '{target}'")
    if not columns:
        if excluded:
            raise DataError(f"{path}: option 'exclude' keeps out every feature column "
                            f"({', '.join(excluded)}); expected at least one input left")
        raise DataError(f"{path}: only the target column '{target}' was found with delimiter "
                        f"{delimiter_label(table.delimiter)}; expected at least one feature "
                        f"column{table.delimiter_hint()}")
    if task_option == "auto":
        task, task_reason = infer_task(labels)
        task_reason = f"inferred: {task_reason}"
    else:
        task, task_reason = task_option, "given"
    report: dict[str, Any] = {
        "source": "csv", "path": str(path), "target": target, "target_chosen": target_chosen,
        "task": task, "task_reason": task_reason, "delimiter": table.delimiter,
        "delimiter_chosen": "detected" if table.delimiter_detected else "given",
        "skip_rows": int(options.get("skip_rows", 0) or 0),
        "column_names": "given" if table.header_given else "header",
        "rows": int(keep.sum()), "rows_dropped": int((~keep).sum()),
        "rows_dropped_reason": "no target value", "imputed": missing_counts,
        "missing_indicator": bool(options.get("missing_indicator", False)),
        "numeric_columns": numeric,
        "categorical_columns": [c for c in columns if c not in numeric], "notes": notes}
    if excluded:
        report["excluded_columns"] = excluded
        notes.append(f"kept out of the model's inputs (for per-group metrics): "
                     f"{', '.join(excluded)}")
    extra = {"csv": {"delimiter": table.delimiter},
             "missing_indicator": report["missing_indicator"], "decimal_comma": decimal_comma,
             "kept_out": kept_out}
    if task == "regression":
        lines = [line for line, k in zip(table.line_numbers, keep) if k]
        for line, value in zip(lines, labels):
            if not _parses(value) or not np.isfinite(float(value)):
                raise DataError(f"{path}: the regression target '{target}' must be a finite "
                                f"number, but row {line} has '{value}'")
        y = np.array([float(v) for v in labels], dtype=np.float64)
        return RawData(x=None, y=y, class_names=[target], prep="tabular", columns=columns,
                       numeric=numeric, target=target, task="regression", report=report,
                       extra=extra)
    class_names = sorted(set(labels), key=_label_key)
    if len(class_names) < 2:
        raise DataError(f"{path}: target column '{target}' has a single class "
                        f"'{class_names[0]}'; expected at least 2")
    index = {c: i for i, c in enumerate(class_names)}
    y = np.array([index[v] for v in labels], dtype=np.int64)
    counts = np.bincount(y, minlength=len(class_names))
    for name, count in zip(class_names, counts):
        if count < 2:
            hint = (f"; if '{target}' is a quantity, not a category, use --task regression"
                    if len(class_names) > MAX_CLASS_LIKE_DISTINCT else "")
            raise DataError(f"{path}: class '{name}' of column '{target}' has only {count} "
                            f"row; expected at least 2 per class{hint}")
    return RawData(x=None, y=y, class_names=class_names, prep="tabular", columns=columns,
                   numeric=numeric, target=target, report=report, extra=extra)


def _label_key(label: str) -> tuple[int, float, str]:
    return (0, float(label), label) if _parses(label) else (1, 0.0, label)
