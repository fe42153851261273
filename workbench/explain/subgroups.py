"""Per-group metrics and fairness differences of a classifier on its validation split.

A group column is any CSV column of the run's dataset: a model input, or one kept out of the
inputs with the CSV option ``exclude`` (``Dataset.row_columns``). Its raw cells are the groups;
a missing cell is the group "(missing)"; a numeric column with more than
:data:`NUMERIC_GROUPS` distinct values is cut into quartiles of its TRAINING values
("<= 31", "(31, 40]", ..., "> 52"); any other column with more than :data:`MAX_GROUPS`
distinct values is refused (it looks like an id or free text).

Metrics (computed with numpy; tests check them against fairlearn's ``MetricFrame``):
``accuracy`` is the plain accuracy over all classes; ``precision``, ``recall``, ``f1`` and
``selection_rate`` are those of the POSITIVE class, one-vs-rest: the class index 1 of a binary
classifier, the last class of a multiclass one, unless ``positive`` names another. Undefined
ratios are 0 (as scikit-learn and fairlearn give them).
``demographic_parity_difference``: largest minus smallest selection rate over the groups;
``equalized_odds_difference``: the larger of the between-group differences of the true positive
rate and of the false positive rate; both as fairlearn defines them (``method="between_groups"``,
``agg="worst_case"``), over all groups whatever their support.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.explain.errors import ExplainError

MAX_GROUPS = 50
NUMERIC_GROUPS = 10
MISSING_GROUP = "(missing)"
GAP_THRESHOLD = 0.1
METRICS = ("accuracy", "precision", "recall", "f1", "selection_rate")
MAX_FINDINGS = 3


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def binary_metrics(y_true: np.ndarray, y_pred: np.ndarray, positive: int) -> dict[str, Any]:
    """accuracy (all classes), precision/recall/f1/selection_rate of ``positive`` (one vs
    rest), true and false positive rates and support of one set of predictions."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    truth, chosen = y_true == positive, y_pred == positive
    tp = float(np.sum(truth & chosen))
    fp = float(np.sum(~truth & chosen))
    fn = float(np.sum(truth & ~chosen))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"accuracy": _ratio(float(np.sum(y_true == y_pred)), len(y_true)),
            "precision": precision, "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall),
            "selection_rate": _ratio(float(chosen.sum()), len(y_true)),
            "true_positive_rate": recall,
            "false_positive_rate": _ratio(fp, float(np.sum(~truth))),
            "support": int(len(y_true)), "positives": int(truth.sum())}


def subgroup_metrics(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray,
                     positive: int, order: list[str] | None = None) -> dict[str, Any]:
    """{"overall", "groups": [{"value", ...metrics}], "demographic_parity_difference",
    "equalized_odds_difference"} for class indices and one group value (a string) per row."""
    groups = np.asarray(groups, dtype=object)
    values = order if order is not None else sorted({str(g) for g in groups})
    rows = []
    for value in values:
        members = groups == value
        if members.any():
            rows.append({"value": value, **binary_metrics(y_true[members], y_pred[members],
                                                          positive)})

    def spread(metric: str) -> float:
        scores = [r[metric] for r in rows]
        return float(max(scores) - min(scores)) if scores else 0.0

    return {"overall": binary_metrics(y_true, y_pred, positive), "groups": rows,
            "demographic_parity_difference": spread("selection_rate"),
            "equalized_odds_difference": max(spread("true_positive_rate"),
                                             spread("false_positive_rate"))}


def _numbers(cells: np.ndarray) -> np.ndarray | None:
    try:
        return np.asarray(cells, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def group_values(column: str, val_cells: np.ndarray, train_cells: np.ndarray
                 ) -> tuple[np.ndarray, list[str], dict[str, Any] | None]:
    """(one group value per validation row, the values in display order, the binning used or
    None). ExplainError for a column with one value or too many to be groups."""
    from workbench.data.tabular import missing_mask

    cells = np.array([str(c).strip() for c in val_cells], dtype=object)
    missing = missing_mask(cells)
    cells[missing] = MISSING_GROUP
    present = cells[~missing]
    distinct = sorted(set(present.tolist()))
    numbers = _numbers(present)
    binning = None
    if numbers is not None and len(distinct) > NUMERIC_GROUPS:
        train = np.array([str(c).strip() for c in train_cells], dtype=object)
        train_numbers = _numbers(train[~missing_mask(train)])
        basis = train_numbers if train_numbers is not None and len(train_numbers) else numbers
        edges = np.unique(np.quantile(basis, [0.25, 0.5, 0.75]))
        labels = _bin_labels(edges)
        cells[~missing] = [labels[i] for i in np.searchsorted(edges, numbers, side="left")]
        order = [label for label in labels if label in set(cells.tolist())]
        binning = {"kind": "quartiles of the training values", "edges": edges.tolist()}
    elif len(distinct) > MAX_GROUPS:
        raise ExplainError(f"column '{column}' has {len(distinct)} distinct values in the "
                           f"validation split: it looks like an id, a name or free text, not a "
                           f"group; expected a column with 2 to {MAX_GROUPS} values (numeric "
                           f"columns are cut into quartiles)")
    else:
        order = sorted(distinct, key=_natural)
    if missing.any():
        order.append(MISSING_GROUP)
    if len(order) < 2:
        raise ExplainError(f"column '{column}' has a single value "
                           f"{(order or [''])[0]!r} in the validation split; expected at "
                           f"least 2 groups to compare")
    return cells, order, binning


def _natural(value: str) -> tuple[int, float, str]:
    number = _numbers(np.array([value]))
    return (0, float(number[0]), value) if number is not None else (1, 0.0, value)


def _bin_labels(edges: np.ndarray) -> list[str]:
    shown = [f"{e:.4g}" for e in edges]
    labels = [f"<= {shown[0]}"]
    labels += [f"({a}, {b}]" for a, b in zip(shown, shown[1:])]
    return labels + [f"> {shown[-1]}"]


def _columns(run_dir: str | Path) -> tuple[Any, dict[str, dict[str, np.ndarray]]]:
    """(the run store, its dataset's row_columns); ExplainError when it has none."""
    from workbench.explain.cache import open_run
    from workbench.run_model import load_run_dataset

    run = open_run(run_dir)
    try:
        dataset = load_run_dataset(run)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise ExplainError(f"run '{run.path.name}': its dataset cannot be loaded: {exc}"
                           ) from exc
    return run, dataset.row_columns


def group_columns(run_dir: str | Path) -> list[str]:
    """The CSV columns usable as groups (model inputs and kept-out ones); [] for data without
    columns (images, built-in arrays)."""
    _, row_columns = _columns(run_dir)
    return list(row_columns.get("val", {}))


def _positive(positive: Any, class_names: list[str]) -> int:
    if positive is None:
        return 1 if len(class_names) == 2 else len(class_names) - 1
    if str(positive) in class_names:
        return class_names.index(str(positive))
    if isinstance(positive, int) and not isinstance(positive, bool) and \
            0 <= positive < len(class_names):
        return positive
    raise ExplainError(f"positive class {positive!r}: expected one of the classes "
                       f"{', '.join(class_names)} (or an index 0..{len(class_names) - 1})")


def subgroup_report(run_dir: str | Path, group: str, *, weights: str = "best",
                    min_support: int = 20, positive: Any = None) -> dict[str, Any]:
    """Per-group metrics of ``group`` (a CSV column) on the validation split, the fairness
    differences, the largest gaps and "subgroup_gap" findings (see the module docstring).
    ExplainError for a run without CSV columns, an unknown
    column, a column with one or too many values, a bad ``positive`` or ``min_support``, and
    for a regression run (groups are compared on classification metrics only)."""
    from workbench.explain.val_predictions import require_classification, validation_logits

    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1:
        raise ExplainError(f"min_support must be a whole number >= 1, found {min_support!r}")
    rebuilt, logits, y = validation_logits(run_dir, weights)
    require_classification(rebuilt, "per-group metrics")
    run, row_columns = rebuilt.run, rebuilt.dataset.row_columns
    val = row_columns.get("val", {})
    if not val:
        raise ExplainError(f"run '{run.path.name}': groups are CSV columns, and its dataset "
                           f"'{run.config.get('dataset', {}).get('name', '?')}' has none")
    if group not in val:
        raise ExplainError(f"no column '{group}' in run '{run.path.name}'s data; group "
                           f"columns: {', '.join(val)}")
    cells, order, binning = group_values(group, val[group],
                                         row_columns.get("train", {}).get(group, val[group]))
    names = list(rebuilt.class_names)
    pos = _positive(positive, names)
    result = subgroup_metrics(y, logits.argmax(axis=1), cells, pos, order)
    inputs = [c.get("name") for c in rebuilt.dataset.preprocessing.get("columns", [])]
    overall = _public(result["overall"])
    groups = [{"value": r["value"], **_public(r)} for r in result["groups"]]
    return {"group": group, "positive": names[pos], "weights": rebuilt.weights,
            "is_input": group in inputs, "binning": binning, "min_support": min_support,
            "overall": overall, "groups": groups,
            "demographic_parity_difference": result["demographic_parity_difference"],
            "equalized_odds_difference": result["equalized_odds_difference"],
            "largest_gaps": largest_gaps(overall, result["groups"], min_support),
            "notes": undefined_rate_notes(group, names[pos], result["groups"]),
            "findings": [f.to_dict() for f in gap_findings(group, names[pos], overall,
                                                           result["groups"], min_support,
                                                           group in inputs)]}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**{m: row[m] for m in METRICS}, "support": row["support"],
            "positives": row.get("positives", 0)}


def undefined_rate_notes(column: str, positive: str, rows: list[dict[str, Any]]) -> list[str]:
    """Plain words for groups whose true- or false-positive rate is undefined (no row of the
    positive class, or only such rows): fairlearn counts those rates as 0, which alone can push
    the equalized-odds difference to 1.0."""
    notes = []
    for row in rows:
        where = f"{column}={row['value']}"
        if row["positives"] == 0:
            notes.append(f"{where} has no '{positive}' among its {row['support']} validation "
                         f"rows: its recall (true-positive rate) is undefined and counted as 0, "
                         f"so the equalized-odds difference says little about it; choose "
                         f"another positive class or collect such rows")
        elif row["positives"] == row["support"]:
            notes.append(f"{where} has only '{positive}' rows ({row['support']}): its "
                         f"false-positive rate is undefined and counted as 0")
    return notes


def largest_gaps(overall: dict[str, Any], rows: list[dict[str, Any]], min_support: int
                 ) -> list[dict[str, Any]]:
    """Per metric, the group (support >= min_support, else any) furthest from overall; sorted
    by the size of the gap (``gap`` = group value - overall, signed)."""
    eligible = [r for r in rows if r["support"] >= min_support] or rows
    gaps = []
    for metric in METRICS:
        if not eligible:
            break
        worst = max(eligible, key=lambda r: abs(r[metric] - overall[metric]))
        gaps.append({"metric": metric, "value": worst[metric], "group_value": worst["value"],
                     "overall": overall[metric], "gap": worst[metric] - overall[metric],
                     "support": worst["support"]})
    return sorted(gaps, key=lambda g: -abs(g["gap"]))


def gap_findings(column: str, positive: str, overall: dict[str, Any],
                 rows: list[dict[str, Any]], min_support: int, is_input: bool) -> list[Any]:
    """A "subgroup_gap" warning per group with support >= min_support whose accuracy or
    recall (with positives in the group) is GAP_THRESHOLD or more below overall; worst
    first, at most MAX_FINDINGS."""
    from workbench.train.health.findings import Finding

    found = []
    for row in rows:
        if row["support"] < min_support:
            continue
        metrics = ["accuracy"] + (["recall"] if row["positives"] else [])
        metric = max(metrics, key=lambda m: overall[m] - row[m])
        gap = overall[metric] - row[metric]
        if gap >= GAP_THRESHOLD:
            found.append((gap, row, metric))
    found.sort(key=lambda item: -item[0])
    findings = []
    for gap, row, metric in found[:MAX_FINDINGS]:
        what = f"{metric} of class '{positive}'" if metric == "recall" else metric
        where = f"{column}={row['value']}"
        leak = (f"'{column}' is one of the model's inputs: check whether it leaks the label "
                f"or stands for something the model must not use" if is_input else
                f"check whether a column tied to '{column}' leaks the label into the inputs")
        findings.append(Finding(
            code="subgroup_gap", severity="warning",
            title=f"{metric} {row[metric]:.2f} for {where} vs {overall[metric]:.2f} overall, "
                  f"{row['support']} samples",
            explanation=f"On the validation split the {row['support']} rows with {where} get "
                        f"{what} {row[metric]:.2f}, {gap:.2f} below the {overall[metric]:.2f} "
                        f"over all {overall['support']} rows: the model serves this group "
                        f"worse than the rest.",
            fix=f"Collect more rows of {where} (or reweight them in training); check the "
                f"labels of that group for mistakes; {leak}.",
            evidence={"group": column, "value": row["value"], "metric": metric,
                      "group_score": row[metric], "overall": overall[metric],
                      "support": row["support"], "gap": gap}))
    return findings
