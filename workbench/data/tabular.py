"""Tabular features: missing cells imputed, numbers standardized, categories one-hot encoded.

Statistics come from the training rows only and are saved as JSON (the "tabular" entry of
:mod:`workbench.data.preprocessing`), so an exported ``predict.py`` (numpy only) repeats them:

- numeric column ``{"name", "type": "numeric", "median", "mean", "std", "indicator"}`` (and
  ``"decimal": ","`` when the file writes 3.5 as "3,5"): a missing cell (one of ``missing_values``) becomes ``median`` (of the observed training values);
  then ``(value - mean) / std`` with mean and std of the imputed training column. With
  ``indicator`` a 0/1 "<name>_missing" feature follows the column.
- categorical column ``{"name", "type": "categorical", "categories"}``: a missing cell is the
  category ``"missing"``; one-hot in ``categories`` order; an unseen category is all zeros.

This is the same arithmetic as scikit-learn's ``SimpleImputer(strategy="median",
add_indicator=...)`` + ``StandardScaler`` and ``SimpleImputer(fill_value="missing")`` +
``OneHotEncoder(handle_unknown="ignore")`` (a test checks it against them); it is written
out here because the fitted numbers must live in JSON and be applied without scikit-learn.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.data.csv_reading import MISSING_VALUES, TEXT, strip_text
from workbench.data.errors import DataError

MISSING_CATEGORY = "missing"
_EPS = 1e-8
# id(column) -> (a weak reference to it, its missing mask, its numbers): see remember_parse
_PARSED: dict[int, tuple[weakref.ref, np.ndarray, np.ndarray | None]] = {}


def as_text(values: Any) -> np.ndarray:
    """Cells as a ``StringDType`` array holding ``str(cell)`` of each (as an object array of
    them would give it)."""
    if isinstance(values, np.ndarray) and (values.dtype == TEXT or values.dtype.kind == "U"):
        return values.astype(TEXT, copy=False)
    cells = np.asarray(values, dtype=object).ravel()
    if all(type(v) is str for v in cells):
        return cells.astype(TEXT)
    return np.array([str(v) for v in cells], dtype=TEXT)


def missing_mask(values: Any, tokens: Sequence[str] = MISSING_VALUES) -> np.ndarray:
    """True where a cell holds no value (one of ``tokens`` once stripped)."""
    if tuple(tokens) == MISSING_VALUES:
        known = _remembered(values)
        if known is not None:
            return known[0]
    return is_token(strip_text(as_text(values)), tokens)


def is_token(cells: np.ndarray, tokens: Sequence[str]) -> np.ndarray:
    """True where a ``StringDType`` cell is one of ``tokens`` (compared as they are); only the
    cells short enough to be one are compared."""
    tokens = list(tokens)
    found = np.zeros(len(cells), dtype=bool)
    if not tokens or not len(cells):
        return found
    short = np.flatnonzero(np.strings.str_len(cells) <= max(map(len, tokens)))
    hit = np.isin(cells[short], np.array(tokens, dtype=TEXT))
    found[short] = hit
    return found


def remember_parse(values: np.ndarray, missing: np.ndarray,
                   numbers: np.ndarray | None = None) -> None:
    """Keep what the loader found in a column of STRIPPED cells (its missing mask for
    :data:`MISSING_VALUES`; for a numeric column its float64 numbers, NaN where missing) while
    the column lives, so fitting and encoding a million cells do not find it again. The column
    is made read-only, so the memo stays true."""
    values.flags.writeable = False
    key = id(values)
    _PARSED[key] = (weakref.ref(values, lambda _ref: _PARSED.pop(key, None)), missing, numbers)


def _remembered(values: Any) -> tuple[np.ndarray, np.ndarray | None] | None:
    entry = _PARSED.get(id(values))
    if entry is None or entry[0]() is not values:
        return None
    return entry[1], entry[2]


def _stripped(values: Any) -> np.ndarray:
    """The cells as stripped ``StringDType`` text (a remembered column is stripped already)."""
    return values if _remembered(values) is not None else strip_text(as_text(values))


def column_numbers(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(missing mask, float64 numbers with NaN where missing) of a column, or None when a
    cell that is not missing is not a number."""
    known = _remembered(values)
    if known is not None and known[1] is not None:
        return known[0], known[1]
    text = as_text(values)
    missing = is_token(strip_text(text), MISSING_VALUES)
    numbers = np.full(len(text), np.nan)
    present = parse_numbers(text[~missing])
    if present is None:
        return None
    numbers[~missing] = present
    return missing, numbers


def parse_numbers(values: Any) -> np.ndarray | None:
    """Strings to float64 in one go, or None when some cell is not a number."""
    try:
        if isinstance(values, np.ndarray) and values.dtype == TEXT:
            return values.astype(np.float64)
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
        if name in numeric:
            parsed = column_numbers(values)
            if parsed is None:  # only the training rows must be numbers here
                train_values = as_text(values)[train_idx]
                missing = missing_mask(train_values)
                observed = parse_numbers(train_values[~missing])
            else:
                missing = parsed[0][train_idx]
                observed = parsed[1][train_idx][~missing]
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
            cells = _stripped(values)[train_idx]
            missing = missing_mask(values)[train_idx]
            categories = sorted(set(cells[~missing].tolist())
                                | ({MISSING_CATEGORY} if missing.any() else set()))
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


def _numbers(spec: Mapping[str, Any], values: np.ndarray, missing: np.ndarray,
             tokens: Sequence[str]) -> np.ndarray:
    name = spec["name"]
    if missing.any() and "median" not in spec:
        row = int(np.flatnonzero(missing)[0])
        raise DataError(f"column '{name}' is numeric but row {row + 1} has no value (this "
                        f"model was saved before missing values were supported)")
    median = float(spec.get("median", 0.0))
    known = _remembered(values) if tuple(tokens) == MISSING_VALUES else None
    if known is not None and known[1] is not None:  # the loader's own parse of these cells
        return np.where(missing, median, known[1])
    text = as_text(values)
    out = np.full(len(text), median)
    present = np.flatnonzero(~missing)
    if spec.get("decimal") == ",":
        text = np.strings.replace(text, ",", ".")
    fast = parse_numbers(text[present])
    if fast is not None:
        out[present] = fast
        return out
    for row in present:
        try:
            out[row] = float(text[row])
        except ValueError:
            raise DataError(f"column '{name}' must be numeric, but row {row + 1} has "
                            f"{str(text[row])!r}") from None
    return out


def _one_hot_index(categories: Sequence[str], cells: np.ndarray, missing: np.ndarray
                   ) -> np.ndarray:
    """Each cell's column among ``categories``, -1 for none: an unseen value has none; a
    missing one is "missing" unless the token itself was a category when the model was fitted
    (runs saved before missing values were recognised)."""
    if len(categories) <= 64:  # a comparison per category beats a search in strings
        index = np.full(len(cells), -1)
        for i, category in enumerate(categories):
            index[cells == np.array([category], dtype=TEXT)] = i
        found = index >= 0
        if MISSING_CATEGORY in categories:
            index[missing & ~found] = list(categories).index(MISSING_CATEGORY)
        return index
    known = np.array(list(categories), dtype=TEXT)
    order = np.argsort(known, kind="stable")
    at = np.minimum(np.searchsorted(known[order], cells), max(len(known) - 1, 0))
    found = (known[order][at] == cells) if len(known) else np.zeros(len(cells), dtype=bool)
    index = np.where(found, order[at] if len(known) else 0, -1)
    if MISSING_CATEGORY in categories:
        index[missing & ~found] = list(categories).index(MISSING_CATEGORY)
    return index


def encode_tabular(pre: Mapping[str, Any], columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Model inputs from columns of strings (or numbers), exactly as training encoded them."""
    tokens = pre.get("missing_values", MISSING_VALUES)
    specs = pre["columns"]
    for spec in specs:
        if spec["name"] not in columns:
            raise DataError(f"column '{spec['name']}' is missing; expected columns: "
                            f"{', '.join(c['name'] for c in specs)}")
    widths = [(1 + bool(s.get("indicator"))) if s["type"] == "numeric"
              else len(s["categories"]) for s in specs]
    rows = len(columns[specs[0]["name"]]) if specs else 0
    out = np.zeros((rows, sum(widths)), dtype=np.float32)
    at = 0
    for spec, width in zip(specs, widths):
        values = columns[spec["name"]]
        missing = missing_mask(values, tokens)
        if spec["type"] == "numeric":
            numbers = _numbers(spec, values, missing, tokens)
            out[:, at] = (numbers - spec["mean"]) / spec["std"]
            if spec.get("indicator"):
                out[:, at + 1] = missing
        else:
            index = _one_hot_index(spec["categories"], _stripped(values), missing)
            hit = np.flatnonzero(index >= 0)
            out[hit, at + index[hit]] = 1.0
        at += width
    return out
