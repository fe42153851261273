"""CSV files: pick the target column; numeric columns standardized, the others one-hot encoded.

A column is numeric when at least 90% of its non-empty cells parse as numbers; then every cell
must, and the first that does not is reported by row and value. Rows are numbered as a
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.data.raw import RawData

NUMERIC_SHARE = 0.9


def _parses(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def read_table(path: Path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    """Header and rows, with ragged rows reported by number."""
    if not path.is_file():
        raise DataError(f"{path}: no such CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            rows = [row for row in reader]
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc})") from exc
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    header = [h.strip() for h in rows[0]]
    if len(rows) < 2:
        raise DataError(f"{path}: has a header but no data rows")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{path}: row {number} has {len(row)} fields, expected "
                            f"{len(header)} (like the header)")
    return header, [[c.strip() for c in row] for row in rows[1:]]


def load_csv(options: dict[str, Any]) -> RawData:
    if not options.get("path"):
        raise DataError("the csv dataset needs option 'path' (the CSV file)")
    path = Path(str(options["path"]))
    header, rows = read_table(path, str(options.get("delimiter", ",")))
    target = str(options.get("target") or header[-1])
    if target not in header:
        raise DataError(f"{path}: no target column '{target}'; columns found: "
                        f"{', '.join(header)}")
    t = header.index(target)
    labels = []
    for number, row in enumerate(rows, start=2):
        if row[t] == "":
            raise DataError(f"{path}: row {number} has no value in target column '{target}'")
        labels.append(row[t])
    columns: dict[str, np.ndarray] = {}
    numeric: list[str] = []
    for c, name in enumerate(header):
        if c == t:
            continue
        values = [row[c] for row in rows]
        filled = [v for v in values if v != ""]
        share = sum(_parses(v) for v in filled) / max(1, len(filled))
        if filled and share >= NUMERIC_SHARE:
            for number, value in enumerate(values, start=2):
                if value == "":
                    raise DataError(f"{path}: column '{name}' is numeric but row {number} is "
                                    f"empty")
                if not _parses(value):
                    raise DataError(f"{path}: column '{name}' is numeric but row {number} has "
                                    f"'{value}'")
            numeric.append(name)
        columns[name] = np.array(values, dtype=object)
    if not columns:
        raise DataError(f"{path}: only the target column '{target}' was found; expected at "
                        f"least one feature column")
    class_names = sorted(set(labels), key=_label_key)
    if len(class_names) < 2:
        raise DataError(f"{path}: target column '{target}' has a single class "
                        f"'{class_names[0]}'; expected at least 2")
    index = {c: i for i, c in enumerate(class_names)}
    y = np.array([index[v] for v in labels], dtype=np.int64)
    counts = np.bincount(y, minlength=len(class_names))
    for name, count in zip(class_names, counts):
        if count < 2:
            raise DataError(f"{path}: class '{name}' of column '{target}' has only {count} "
                            f"row; expected at least 2 per class")
    return RawData(x=None, y=y, class_names=class_names, prep="tabular", columns=columns,
                   numeric=numeric, target=target)


def _label_key(label: str) -> tuple[int, float, str]:
    return (0, float(label), label) if _parses(label) else (1, 0.0, label)
