"""The CSV path as it was before the streaming reader (list-of-rows reading, per-cell Python
loops), kept ONLY as the reference that tests compare the new path with, bit for bit.

Concatenated from workbench/data/csv_reading.py, tabular.py and csv_loader.py at commit
d2dadf1; not used by the product.
"""
# ruff: noqa


from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.raw import RawData
# What people write for "no value" (R, pandas, spreadsheets, UCI files).
MISSING_VALUES: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "?",
                                   "-")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", " ": "space", "|": "pipe"}
_ALIASES = {"auto": "auto", "tab": "\t", "\\t": "\t", "space": " ", "comma": ",",
            "semicolon": ";", "pipe": "|"}
_SNIFF_BYTES = 64 * 1024


MISSING_SET = frozenset(MISSING_VALUES)


def is_missing(value: str) -> bool:
    return value.strip() in MISSING_SET


def delimiter_label(delimiter: str) -> str:
    """"';' (semicolon)" — printable even for a tab."""
    name = DELIMITER_NAMES.get(delimiter)
    shown = "\\t" if delimiter == "\t" else delimiter
    return f"'{shown}' ({name})" if name else f"'{shown}'"


@dataclass
class CsvOptions:
    """How to read the file: delimiter ("auto" or one character), lines to skip, column names."""

    delimiter: str = "auto"
    skip_rows: int = 0
    columns: list[str] | None = None  # given names: the file has no header row

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> CsvOptions:
        raw = options.get("delimiter", "auto")
        if raw is None or raw == "":
            raw = "auto"
        if not isinstance(raw, str):
            raise DataError(f"option 'delimiter' must be text (auto, ',', ';', tab, space), "
                            f"found {raw!r}")
        delimiter = _ALIASES.get(raw.lower(), raw)
        if delimiter != "auto" and len(delimiter) != 1:
            raise DataError(f"option 'delimiter' must be one character or auto, tab, space; "
                            f"found {raw!r}")
        skip = options.get("skip_rows", 0) or 0
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise DataError(f"option 'skip_rows' must be a whole number >= 0, found {skip!r}")
        columns = options.get("columns")
        if isinstance(columns, str):
            columns = [c.strip() for c in columns.split(",")] if columns.strip() else None
        if columns is not None:
            if not isinstance(columns, list) or not all(isinstance(c, str) and c.strip()
                                                        for c in columns):
                raise DataError(f"option 'columns' must be a list of column names (or "
                                f"'a,b,c'), found {columns!r}")
            columns = [c.strip() for c in columns]
            duplicates = sorted({c for c in columns if columns.count(c) > 1})
            if duplicates:
                raise DataError(f"option 'columns' names {', '.join(duplicates)} more than "
                                f"once; expected distinct names")
        return cls(delimiter=delimiter, skip_rows=skip, columns=columns)


@dataclass
class Table:
    """The header and the data rows (stripped strings), with each row's line number."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    delimiter: str
    delimiter_detected: bool
    header_given: bool = False

    def delimiter_hint(self) -> str:
        """A suggestion when the header looks like it was split on the wrong delimiter."""
        return delimiter_hint(self.header, self.delimiter, "header")


def delimiter_hint(cells: list[str], used: str, what: str) -> str:
    """"; the header contains ';' (semicolon): try --delimiter ';'" when another common
    delimiter appears inside the cells split with ``used``; "" otherwise."""
    stripped = [cell.strip() for cell in cells]
    for candidate in (";", "\t", "|", ",", " "):
        if candidate == " " and len(stripped) > 1:
            continue  # names with spaces in a header that did split are ordinary
        if candidate != used and any(candidate in cell for cell in stripped):
            shown = "tab" if candidate == "\t" else ("space" if candidate == " " else candidate)
            return (f"; the {what} contains {delimiter_label(candidate)}: try "
                    f"--delimiter '{shown}' (option \"delimiter\")")
    return ""


def read_text(path: Path) -> str:
    if not path.is_file():
        raise DataError(f"{path}: no such CSV file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
                        f"save it as UTF-8") from exc


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter of these lines (header first), or None when nothing fits."""
    sample = "\n".join(lines[:50])
    if not sample.strip():
        return None
    try:
        found = csv.Sniffer().sniff(sample, delimiters=",;\t| ").delimiter
    except csv.Error:
        found = None
    if found is not None and found != " ":
        return found
    # The sniffer likes spaces inside values ("new york"); prefer a delimiter that splits
    # every non-blank line into the same number (> 1) of fields.
    for candidate in (",", ";", "\t", "|"):
        counts = {len(next(csv.reader([line], delimiter=candidate)))
                  for line in lines[:50] if line.strip()}
        if len(counts) == 1 and counts.pop() > 1:
            return candidate
    if found == " " or all(len(line.split()) > 1 for line in lines[:50] if line.strip()):
        return " "
    return None


def _split(text: str, delimiter: str) -> Any:  # a csv reader (has .line_num)
    if delimiter == " ":
        return csv.reader(io.StringIO(text), delimiter=" ", skipinitialspace=True)
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def unquote(name: str) -> str:
    """Header names written as 'vote' or "vote" (quotes kept by some exporters) lose them."""
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        return name[1:-1].strip()
    return name


def _comment_hint(lines: list[str], options: CsvOptions) -> str:
    """Suggest --skip-rows when the lines read as the header look like comments."""
    leading = 0
    for line in lines[options.skip_rows:]:
        if not line.lstrip().startswith("#"):
            break
        leading += 1
    if not leading:
        return ""
    return (f"; the first {leading} line(s) read start with '#' and look like comments: skip "
            f"them with --skip-rows {options.skip_rows + leading} (option \"skip_rows\")")


def read_table(path: Path | str, options: CsvOptions | dict[str, Any] | None = None) -> Table:
    """Read ``path`` as ``options`` say; ragged rows are reported by line number."""
    path = Path(path)
    if options is None:
        options = CsvOptions()
    elif isinstance(options, dict):
        options = CsvOptions.from_options(options)
    text = read_text(path)
    lines = text.splitlines()
    if options.skip_rows >= len(lines):
        raise DataError(f"{path}: has {len(lines)} lines; skipping {options.skip_rows} leaves "
                        f"nothing to read")
    body = "\n".join(lines[options.skip_rows:])
    detected = options.delimiter == "auto"
    delimiter = options.delimiter
    if detected:
        delimiter = sniff_delimiter(lines[options.skip_rows:]) or ","
    records: list[tuple[int, list[str]]] = []
    try:
        reader = _split(body, delimiter)
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if delimiter == " " and row and row[-1] == "":
                    row = row[:-1]  # trailing spaces
                records.append((start + options.skip_rows, [c.strip() for c in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path}: cannot be read as CSV with delimiter "
                        f"{delimiter_label(delimiter)} ({exc})") from exc
    if not records:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    if options.columns is not None:
        header, data = list(options.columns), records
    else:
        header, data = [unquote(h) for h in records[0][1]], records[1:]
        if not data:
            raise DataError(f"{path}: has a header but no data rows")
    while (len(header) > 1 and not header[-1] and options.columns is None
           and all(len(row) == len(header) and not row[-1] for _, row in data)):
        header = header[:-1]  # a delimiter at the end of every line: no column there
        data = [(line, row[:-1]) for line, row in data]
    empty = [i + 1 for i, h in enumerate(header) if not h]
    if empty:
        raise DataError(f"{path}: header column {empty[0]} has no name; expected a name "
                        f"for every column (or give names with --columns)")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path}: the header names {', '.join(duplicates)} more than once; "
                        f"expected distinct column names")
    table = Table(path=path, header=header, rows=[], line_numbers=[], delimiter=delimiter,
                  delimiter_detected=detected, header_given=options.columns is not None)
    for line, row in data:
        if len(row) != len(header):
            what = "the given column names" if table.header_given else "the header"
            raise DataError(f"{path}: row {line} has {len(row)} fields, expected "
                            f"{len(header)} (like {what}; delimiter "
                            f"{delimiter_label(delimiter)})"
                            f"{_comment_hint(lines, options) or delimiter_hint(row, delimiter, 'row')}")
        table.rows.append(row)
        table.line_numbers.append(line)
    return table

MISSING_CATEGORY = "missing"
_EPS = 1e-8


def missing_mask(values: np.ndarray, tokens: Sequence[str] = MISSING_VALUES) -> np.ndarray:
    """True where a cell holds no value."""
    missing = frozenset(tokens)
    return np.fromiter((str(v).strip() in missing for v in values), dtype=bool,
                       count=len(values))


def parse_numbers(values: Any) -> np.ndarray | None:
    """Strings to float64 in one go, or None when some cell is not a number."""
    try:
        return np.asarray(values, dtype=np.float64) if len(values) else np.zeros(0)
    except (TypeError, ValueError):
        return None


def fit_tabular(columns: Mapping[str, np.ndarray], numeric: Sequence[str],
                train_idx: np.ndarray, target: str, missing_indicator: bool = False,
                decimal_comma: Sequence[str] = ()) -> dict[str, Any]:
    """Column statistics from the training rows only. Columns named in ``decimal_comma`` are
    numbers written "3,5" in the file (already converted in ``columns``); their spec says
    ``"decimal": ","`` so new inputs are read the same way."""
    specs: list[dict[str, Any]] = []
    names: list[str] = []
    for name, values in columns.items():
        train_values = values[train_idx]
        missing = missing_mask(train_values)
        if name in numeric:
            observed = parse_numbers(list(train_values[~missing]))
            if observed is None:
                raise DataError(f"column '{name}' is numeric but holds a value that is not a "
                                f"number")
            median = float(np.median(observed)) if len(observed) else 0.0
            filled = np.where(missing, median, 0.0)
            filled[~missing] = observed
            std = float(filled.std()) if len(filled) else 1.0
            indicator = bool(missing_indicator and missing.any())
            specs.append({"name": name, "type": "numeric", "median": median,
                          "mean": float(filled.mean()) if len(filled) else 0.0,
                          "std": std if std > _EPS else 1.0, "indicator": indicator,
                          **({"decimal": ","} if name in decimal_comma else {})})
            names.append(name)
            if indicator:
                names.append(f"{name}_missing")
        else:
            cells = [MISSING_CATEGORY if m else str(v).strip()
                     for v, m in zip(train_values, missing)]
            categories = sorted(set(cells))
            specs.append({"name": name, "type": "categorical", "categories": categories})
            names.extend(f"{name}={c}" for c in categories)
    return {"kind": "tabular", "target": target, "columns": specs, "feature_names": names,
            "missing_values": list(MISSING_VALUES)}


def rows_to_columns(rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
                    column_names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """CSV records (dicts, or lists in ``column_names`` order) to columns of strings."""
    if rows and not isinstance(rows[0], Mapping):
        if column_names is None:
            raise DataError("rows given as lists need the column names")
        rows = [dict(zip(column_names, r)) for r in rows]
    keys = list(rows[0].keys()) if rows else list(column_names or [])
    return {k: np.array(["" if r.get(k) is None else str(r.get(k))  # type: ignore[union-attr]
                         for r in rows], dtype=object) for k in keys}


def _numbers(spec: Mapping[str, Any], values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    name = spec["name"]
    if missing.any() and "median" not in spec:
        row = int(np.flatnonzero(missing)[0])
        raise DataError(f"column '{name}' is numeric but row {row + 1} has no value (this "
                        f"model was saved before missing values were supported)")
    out = np.full(len(values), float(spec.get("median", 0.0)))
    present = np.flatnonzero(~missing)
    if spec.get("decimal") == ",":
        values = np.array([str(v).replace(",", ".") for v in values], dtype=object)
    fast = parse_numbers([str(v) for v in values[present]])
    if fast is not None:
        out[present] = fast
        return out
    for row in present:
        try:
            out[row] = float(values[row])
        except ValueError:
            raise DataError(f"column '{name}' must be numeric, but row {row + 1} has "
                            f"{str(values[row])!r}") from None
    return out


def encode_tabular(pre: Mapping[str, Any], columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Model inputs from columns of strings (or numbers), exactly as training encoded them."""
    tokens = pre.get("missing_values", MISSING_VALUES)
    parts = []
    for spec in pre["columns"]:
        name = spec["name"]
        if name not in columns:
            raise DataError(f"column '{name}' is missing; expected columns: "
                            f"{', '.join(c['name'] for c in pre['columns'])}")
        values = np.asarray(columns[name], dtype=object)
        missing = missing_mask(values, tokens)
        if spec["type"] == "numeric":
            numbers = _numbers(spec, values, missing)
            parts.append(((numbers - spec["mean"]) / spec["std"])[:, None])
            if spec.get("indicator"):
                parts.append(missing.astype(np.float64)[:, None])
        else:
            cats = {c: i for i, c in enumerate(spec["categories"])}
            onehot = np.zeros((len(values), len(cats)))
            for row, (value, absent) in enumerate(zip(values, missing)):
                key = str(value).strip()
                # a token that was a category when the model was fitted (runs saved before
                # missing values were recognised) keeps its column; otherwise "missing"
                index = cats.get(key) if key in cats or not absent else cats.get(
                    MISSING_CATEGORY)
                if index is not None:
                    onehot[row, index] = 1.0
            parts.append(onehot)
    return np.concatenate(parts, axis=1).astype(np.float32)

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
