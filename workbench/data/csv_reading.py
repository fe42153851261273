"""Reading a CSV file as people actually write them: any common delimiter (detected with
``csv.Sniffer`` when not given), a UTF-8 byte-order mark, quoted fields and header names, lines
to skip before the header, or no header at all (column names given instead).

Rows are numbered as a text editor or spreadsheet shows them: the first line of the file is 1.
Missing cells are the tokens in :data:`MISSING_VALUES` (compared after stripping spaces).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.data.errors import DataError

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
