"""Reading a CSV file as people actually write them: any common delimiter (detected with
``csv.Sniffer`` when not given), a UTF-8 byte-order mark, quoted fields and header names, lines
to skip before the header, or no header at all (column names given instead).

Rows are numbered as a text editor or spreadsheet shows them: the first line of the file is 1.
Missing cells are the tokens in :data:`MISSING_VALUES` (compared after stripping spaces).
The file is streamed (see :func:`read_table`): memory holds one compact array per column.

Why the ``csv`` module and not pandas (pyarrow is not installed): measured on a 200,000 x 30
file (34 MB), ``pandas.read_csv(dtype=str)`` tokenised in 1.05 s against 1.16 s for
``csv.reader``: no faster when every cell must stay text, which ``Dataset.row_columns`` and the
messages (line numbers, the raw cell) need. pandas is faster (0.5 s) only when it parses the
numbers itself, with its own parser, NA rules and no line numbers, so not the same results.
The old path's time went into per-cell Python work after reading (22 s of which 3 s reading);
that work is vectorised on the columns now. ``load_dataset`` on a 1,000,000 x 30 file (172 MB,
benchmarks/data_pipeline_csv.py's), same shared 2-core machine, back to back: whole-file rows
82.8 s CPU and 3,611 MB peak RSS; streamed columns 28.0 s CPU and 1,632 MB.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError

# What people write for "no value" (R, pandas, spreadsheets, UCI files).
MISSING_VALUES: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "?",
                                   "-")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", " ": "space", "|": "pipe"}
_ALIASES = {"auto": "auto", "tab": "\t", "\\t": "\t", "space": " ", "comma": ",",
            "semicolon": ";", "pipe": "|"}
_SNIFF_BYTES = 64 * 1024
_BLOCK_CHARS = 1 << 20  # characters read at a time
_CHUNK_ROWS = 16_384  # rows gathered before they become columns
_SPACE = re.compile(r"\s")  # what str.isspace() calls whitespace
TEXT = np.dtypes.StringDType()  # variable-width text: short cells inline, 16 bytes each


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
    """The header and the data columns (stripped cells, one numpy ``StringDType`` array per
    header name), with each data row's line number."""

    path: Path
    header: list[str]
    columns: list[np.ndarray]
    line_numbers: np.ndarray
    delimiter: str
    delimiter_detected: bool
    header_given: bool = False
    missing: list[np.ndarray] | None = None  # per column: True where a cell is a missing token

    @property
    def rows(self) -> list[list[str]]:
        """The data rows as Python lists of strings (built on demand: for small files)."""
        return [list(row) for row in zip(*(c.tolist() for c in self.columns))]

    def column(self, name: str) -> np.ndarray:
        return self.columns[self.header.index(name)]

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


def _decode_error(path: Path) -> DataError:
    """The message for a file that is not UTF-8, naming the byte where decoding fails."""
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return DataError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
                         f"save it as UTF-8")
    return DataError(f"{path}: not a UTF-8 text file; save it as UTF-8")


def read_text(path: Path) -> str:
    """The whole file as text (UTF-8, a byte-order mark dropped)."""
    if not path.is_file():
        raise DataError(f"{path}: no such CSV file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _decode_error(path) from None


def text_lines(path: Path) -> Iterator[str]:
    """The file's lines exactly as ``read_text(path).splitlines()`` gives them, read in blocks
    so that the whole text is never held at once."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            carry = ""
            while block := file.read(_BLOCK_CHARS):
                pieces = (carry + block).splitlines(keepends=True)
                carry = pieces.pop()
                if not carry.endswith("\r") and carry.splitlines()[0] != carry:
                    pieces.append(carry)  # a complete last line ("\r" may still get its "\n")
                    carry = ""
                for piece in pieces:
                    yield piece.splitlines()[0]
            if carry:
                yield carry.splitlines()[0]
    except UnicodeDecodeError:
        raise _decode_error(path) from None


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


def _split(lines: Iterable[str], delimiter: str) -> Any:  # a csv reader (has .line_num)
    if delimiter == " ":
        return csv.reader(lines, delimiter=" ", skipinitialspace=True)
    return csv.reader(lines, delimiter=delimiter)


def _joined(lines: Iterable[str]) -> Iterator[str]:
    """The lines as ``io.StringIO("\\n".join(lines))`` gives them to a csv reader."""
    previous = None
    for line in lines:
        if previous is not None:
            yield previous + "\n"
        previous = line
    if previous:
        yield previous


def unquote(name: str) -> str:
    """Header names written as 'vote' or "vote" (quotes kept by some exporters) lose them."""
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        return name[1:-1].strip()
    return name


class _Lines:
    """Lines passed through, counting the leading ones that start with '#'."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.comments = 0
        self.counting = True

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            if self.counting:
                if line.lstrip().startswith("#"):
                    self.comments += 1
                else:
                    self.counting = False
            yield line

    def hint(self, options: CsvOptions) -> str:
        """Suggest --skip-rows when the lines read as the header look like comments."""
        if not self.comments:
            return ""
        return (f"; the first {self.comments} line(s) read start with '#' and look like "
                f"comments: skip them with --skip-rows {options.skip_rows + self.comments} "
                f"(option \"skip_rows\")")


def strip_text(array: np.ndarray) -> np.ndarray:
    """A ``StringDType`` array's cells stripped exactly as ``str.strip`` strips them."""
    cells = array.tolist()
    joined = "".join(cells)
    if "\x00" in joined:  # numpy's string functions take NUL for an end of text
        return np.array([cell.strip() for cell in cells], dtype=TEXT)
    if _SPACE.search(joined) is None:
        return array  # no whitespace anywhere: nothing to strip
    return np.strings.strip(array)


def _text_and_missing(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """One column of a chunk of rows: its stripped cells as ``StringDType`` and where they are
    missing tokens (Python's own strip and set lookup: faster than numpy string functions on
    short cells, and exact)."""
    if _SPACE.search("".join(cells)) is not None:
        cells = list(map(str.strip, cells))
    missing = np.fromiter(map(MISSING_SET.__contains__, cells), dtype=bool, count=len(cells))
    return np.array(cells, dtype=TEXT), missing


class _Columns:
    """Data rows gathered into one stripped ``StringDType`` array per column, a chunk of rows
    at a time: the rows as Python lists are never all held."""

    def __init__(self, width: int, trailing: int) -> None:
        self.width = width
        self.parts: list[list[np.ndarray]] = [[] for _ in range(width)]
        self.missing: list[list[np.ndarray]] = [[] for _ in range(width)]
        self.line_parts: list[np.ndarray] = []
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.trailing = trailing  # empty names ending the header, then also empty in every row

    def add(self, line: int, row: list[str]) -> None:
        self.rows.append(row)
        self.lines.append(line)
        if len(self.rows) >= _CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = []
        for part, missing, cells in zip(self.parts, self.missing, zip(*self.rows)):
            text, absent = _text_and_missing(cells)
            part.append(text)
            missing.append(absent)
            columns.append(text)
        self.line_parts.append(np.array(self.lines, dtype=np.int64))
        empty = 0
        while empty < self.trailing and not np.any(columns[self.width - 1 - empty] != ""):
            empty += 1
        self.trailing = empty
        self.rows, self.lines = [], []

    def arrays(self) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """(the columns, their missing masks, the line numbers)."""
        self.flush()
        columns = [np.concatenate(part) for part in self.parts]
        missing = [np.concatenate(part) for part in self.missing]
        self.parts, self.missing = [], []
        return columns, missing, np.concatenate(self.line_parts)


def _trailing_empty(header: list[str], options: CsvOptions) -> int:
    """How many empty names end the header (at most all but one)."""
    if options.columns is not None:
        return 0
    count = 0
    while count < len(header) - 1 and not header[len(header) - 1 - count]:
        count += 1
    return count


def read_table(path: Path | str, options: CsvOptions | dict[str, Any] | None = None) -> Table:
    """Read ``path`` as ``options`` say; ragged rows are reported by line number.

    The file is streamed: lines are read in blocks and parsed by the ``csv`` module, and the
    rows are gathered into one ``StringDType`` array per column a chunk at a time, so memory
    holds the columns (16 bytes a cell up to 15 bytes long), never the whole text or Python
    lists of every row. Results and messages are those of reading the whole text at once.
    """
    path = Path(path)
    if options is None:
        options = CsvOptions()
    elif isinstance(options, dict):
        options = CsvOptions.from_options(options)
    if not path.is_file():
        raise DataError(f"{path}: no such CSV file")
    source = text_lines(path)
    head: list[str] = []
    for count in range(options.skip_rows + 1):
        line = next(source, None)
        if line is None:
            raise DataError(f"{path}: has {count} lines; skipping {options.skip_rows} leaves "
                            f"nothing to read")
    head = [line, *itertools.islice(source, 49)]
    detected = options.delimiter == "auto"
    delimiter = options.delimiter
    if detected:
        delimiter = sniff_delimiter(head) or ","
    lines = _Lines(itertools.chain(head, source))
    header = list(options.columns) if options.columns is not None else None
    data = _Columns(len(header), 0) if header is not None else None
    ragged: tuple[int, list[str]] | None = None
    records = 0
    try:
        reader = _split(_joined(lines), delimiter)
        start = 1
        for row in reader:
            first = row[0] if row else ""
            if (first and not first.isspace()) or "".join(row).strip():
                if delimiter == " " and row and row[-1] == "":
                    row = row[:-1]  # trailing spaces
                records += 1
                if data is None:
                    header = [unquote(h) for h in row]
                    data = _Columns(len(header), _trailing_empty(header, options))
                elif len(row) != data.width:
                    if ragged is None:
                        ragged = (start + options.skip_rows, [c.strip() for c in row])
                elif ragged is None:
                    data.add(start + options.skip_rows, row)
            start = reader.line_num + 1
    except csv.Error as exc:
        for _ in text_lines(path):  # a file that is not UTF-8 further on says so first
            pass
        raise DataError(f"{path}: cannot be read as CSV with delimiter "
                        f"{delimiter_label(delimiter)} ({exc})") from exc
    if not records:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows")
    assert header is not None and data is not None
    if records == 1 and options.columns is None:
        raise DataError(f"{path}: has a header but no data rows")
    if ragged is None and data.trailing:  # a delimiter at the end of every line: no column
        header = header[:len(header) - data.trailing]
    empty = [i + 1 for i, h in enumerate(header) if not h]
    if empty:
        raise DataError(f"{path}: header column {empty[0]} has no name; expected a name "
                        f"for every column (or give names with --columns)")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path}: the header names {', '.join(duplicates)} more than once; "
                        f"expected distinct column names")
    if ragged is not None:
        line, row = ragged
        what = "the given column names" if options.columns is not None else "the header"
        raise DataError(f"{path}: row {line} has {len(row)} fields, expected "
                        f"{len(header)} (like {what}; delimiter "
                        f"{delimiter_label(delimiter)})"
                        f"{lines.hint(options) or delimiter_hint(row, delimiter, 'row')}")
    columns, missing, line_numbers = data.arrays()
    return Table(path=path, header=header, columns=columns[:len(header)],
                 line_numbers=line_numbers, delimiter=delimiter, delimiter_detected=detected,
                 header_given=options.columns is not None, missing=missing[:len(header)])
