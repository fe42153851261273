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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.data.csv_reading import MISSING_VALUES
from workbench.data.errors import DataError

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
