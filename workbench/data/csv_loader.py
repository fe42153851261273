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

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.csv_reading import (
    MISSING_VALUES,
    TEXT,
    CsvOptions,
    Table,
    delimiter_label,
    is_missing,
    read_table,
    unquote,
)
from workbench.data.errors import DataError
from workbench.data.raw import RawData
from workbench.data.tabular import parse_numbers, remember_parse

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


def _share(cells: Sequence[str] | np.ndarray) -> float:
    """The share of cells that parse as numbers (each distinct cell parsed once)."""
    counts = Counter(cells.tolist() if isinstance(cells, np.ndarray) else cells)
    return sum(n for value, n in counts.items() if _parses(value)) / max(1, len(cells))


def infer_task(labels: Sequence[str] | np.ndarray) -> tuple[str, str]:
    """("classification" | "regression", why) for the target's non-missing values.

    Regression: every value a number, and either some are not whole numbers or there are more
    than 20 distinct whole numbers that are not class codes (0..K-1 or 1..K).
    """
    distinct = set(labels.tolist() if isinstance(labels, np.ndarray) else labels)
    parsed = [v for v in distinct if _parses(v)]
    numeric_share = _share(labels)
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


def _numeric_columns(table: Table, t: int, keep: np.ndarray | None,
                     skip: frozenset[str] = frozenset()
                     ) -> tuple[dict[str, np.ndarray], list[str], dict[str, int], list[str],
                                list[str]]:
    """Feature columns (strings), the numeric ones, missing cells per column, notes, and the
    columns written with decimal commas (their cells converted to decimal points). ``keep``
    selects the rows (None: all). What is found (missing cells; a numeric column's numbers) is
    remembered with each column (``remember_parse``) for fitting and encoding."""
    columns: dict[str, np.ndarray] = {}
    numeric: list[str] = []
    missing_counts: dict[str, int] = {}
    notes: list[str] = []
    decimal_comma: list[str] = []
    for c, name in enumerate(table.header):
        if c == t or name in skip:
            continue
        values = table.columns[c] if keep is None else table.columns[c][keep]
        missing = table.missing[c] if keep is None else table.missing[c][keep]
        filled = values[~missing]
        if not len(filled):
            notes.append(f"column '{name}' has no value in any row: left out")
            continue
        numbers = parse_numbers(filled)
        if numbers is None and _decimal_commas(filled, table.delimiter):
            values = np.strings.replace(values, ",", ".")
            filled = values[~missing]
            numbers = parse_numbers(filled)
            decimal_comma.append(name)
        if numbers is not None:
            numeric.append(name)
            parsed = np.full(len(values), np.nan)
            parsed[~missing] = numbers
            remember_parse(values, missing, parsed)
        else:
            remember_parse(values, missing)
        if numbers is None and _share(filled) >= NUMERIC_SHARE:
            lines = table.line_numbers if keep is None else table.line_numbers[keep]
            for line, value in zip(lines.tolist(), values.tolist()):
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
        if len(filled) < len(values):
            missing_counts[name] = len(values) - len(filled)
        columns[name] = values
    if decimal_comma:
        notes.append(f"decimal commas read as decimal points (3,5 = 3.5) in "
                     f"{', '.join(decimal_comma)}")
    return columns, numeric, missing_counts, notes, decimal_comma


def _decimal_commas(filled: np.ndarray, delimiter: str) -> bool:
    """True when the cells are numbers written with a decimal comma ("3,5"), as spreadsheets
    in many locales save them next to a ';' or tab delimiter."""
    filled = np.asarray(filled, dtype=TEXT)
    comma = np.strings.find(filled, ",") >= 0
    if delimiter == "," or not comma.any():
        return False
    if (comma & (np.strings.find(filled, ".") >= 0)).any():
        return False  # "1.234,5": not a plain decimal comma
    return _share(np.strings.replace(filled, ",", ".")) >= NUMERIC_SHARE


def _regression_target(path: Path, target: str, labels: np.ndarray, lines: np.ndarray
                       ) -> np.ndarray:
    """The target as float64, or a DataError naming the first row that is not a finite
    number."""
    y = parse_numbers(labels)
    if y is not None and np.isfinite(y).all():
        return y
    for line, value in zip(lines.tolist(), labels.tolist()):
        if not _parses(value) or not np.isfinite(float(value)):
            raise DataError(f"{path}: the regression target '{target}' must be a finite "
                            f"number, but row {line} has '{value}'")
    raise AssertionError("unreachable: some target cell failed to parse")


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
    keep = ~table.missing[t]
    rows_kept = None if keep.all() else keep  # None: every row, no copies
    labels = table.columns[t] if rows_kept is None else table.columns[t][keep]
    if not len(labels):
        raise DataError(f"{path}: target column '{target}' has no values")
    excluded = _excluded(table, options, target)
    columns, numeric, missing_counts, notes, decimal_comma = _numeric_columns(
        table, t, rows_kept, frozenset(excluded))
    kept_out = {name: table.column(name) if rows_kept is None else table.column(name)[keep]
                for name in excluded}
    if _decimal_commas(labels, table.delimiter):
        labels = np.strings.replace(labels, ",", ".")
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
        y = _regression_target(path, target, labels, table.line_numbers[keep])
        return RawData(x=None, y=y, class_names=[target], prep="tabular", columns=columns,
                       numeric=numeric, target=target, task="regression", report=report,
                       extra=extra)
    cells = labels.tolist()
    class_names = sorted(set(cells), key=_label_key)
    if len(class_names) < 2:
        raise DataError(f"{path}: target column '{target}' has a single class "
                        f"'{class_names[0]}'; expected at least 2")
    index = {c: i for i, c in enumerate(class_names)}
    y = np.fromiter((index[v] for v in cells), dtype=np.int64, count=len(cells))
    del cells
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
