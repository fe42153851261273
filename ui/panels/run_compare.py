"""Comparing runs (no Qt): which settings differ, the key final metrics, a side-by-side diff.

``run_settings(config)`` flattens a run's config into named settings (dataset, network, every
training option); ``differing(settings)`` keeps the names whose values are not the same in all
runs; ``key_metrics(summaries)`` picks the final-metric columns that apply to the runs listed
(accuracy for classification, MAE / R² for regression); ``diff_html`` lays two or more runs
side by side. The Runs panel builds its table and details view from these.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from workbench.train.metric_direction import find_metric_direction

# Settings shown first when they differ, in this order; other training options follow.
SETTING_ORDER = ("dataset", "data options", "network", "layers", "epochs", "batch_size",
                 "optimizer", "lr", "weight_decay", "schedule", "loss", "momentum",
                 "early_stopping", "monitor", "seed", "device")
BASELINE_SETTINGS = ("dataset", "optimizer", "lr", "batch_size")  # when nothing differs


@dataclass(frozen=True)
class MetricColumn:
    """A final-metric column: summary key, header, format, tooltip."""

    key: str
    header: str
    fmt: str
    tooltip: str
    task: str | None = None  # shown only when a run of this task is listed

    def text(self, summary: dict[str, Any]) -> str:
        return format_value(summary.get(self.key), self.fmt)

    def sort_key(self, summary: dict[str, Any]) -> float:
        value = summary.get(self.key)
        return float(value) if isinstance(value, (int, float)) and value == value else \
            float("-inf")


METRICS = (
    MetricColumn("epochs_run", "epochs run", "d", "Epochs the run trained."),
    MetricColumn("val_loss", "val loss", ".4f", "Validation loss of the kept weights."),
    MetricColumn("val_accuracy", "val accuracy", ".1%",
                 "Validation accuracy of the kept weights (classification).", "classification"),
    MetricColumn("val_mae", "val MAE", ".4g",
                 "Validation mean absolute error in the target's units (regression).",
                 "regression"),
    MetricColumn("val_rmse", "val RMSE", ".4g",
                 "Validation root mean squared error in the target's units (regression).",
                 "regression"),
    MetricColumn("val_r2", "val R²", ".3f", "Validation R² (1 = perfect, 0 = predicting the "
                 "mean) (regression).", "regression"),
    MetricColumn("samples_per_second", "samples/s", ",.0f", "Training throughput."),
)


def format_value(value: Any, fmt: str = "") -> str:
    """A metric or setting as table text; '–' for missing or not applicable."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and fmt:
        if fmt == "d":
            return str(int(value))
        try:
            return format(value, fmt)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def task_of(summary: dict[str, Any] | None, records: list[dict[str, Any]] | None = None) -> str:
    """'regression' or 'classification', from the summary's task or the metric keys."""
    if summary and summary.get("task") in ("classification", "regression"):
        return str(summary["task"])
    for source in ([summary] if summary else []) + list(records or [])[-1:]:
        if any(source.get(k) is not None for k in ("val_mae", "val_r2", "train_mae")):
            return "regression"
    return "classification"


def run_settings(config: dict[str, Any]) -> dict[str, Any]:
    """A run's settings by name: dataset, its options, network name and size, training."""
    dataset = config.get("dataset") or {}
    graph = config.get("graph") or {}
    options = dataset.get("options") or {}
    settings: dict[str, Any] = {
        "dataset": dataset.get("name", "?"),
        "data options": ", ".join(f"{k}={format_value(v)}" for k, v in sorted(options.items()))
        or None,
        "network": graph.get("name", "?"),
        "layers": len(graph.get("nodes") or []),
    }
    training = config.get("training") or {}
    for key, value in sorted({**_training_defaults(), **training}.items()):
        if key in training or key in _NEWER_SETTINGS:  # a run older than a setting had its
            settings[key] = value                     # default, not a different value
    return settings


# settings added after runs existed; a run without one trained with the default
_NEWER_SETTINGS = ("augment", "checkpoint_every_seconds")


def _training_defaults() -> dict[str, Any]:
    from workbench.train.config import TrainConfig

    defaults = TrainConfig().to_dict()
    return {k: defaults[k] for k in _NEWER_SETTINGS if k in defaults}


def differing(settings: list[dict[str, Any]]) -> list[str]:
    """Names of settings whose value is not the same in every run, in display order."""
    if len(settings) < 2:
        return []
    names = {name for s in settings for name in s}
    changed = {n for n in names if len({format_value(s.get(n)) for s in settings}) > 1}
    first = [n for n in SETTING_ORDER if n in changed]
    return first + sorted(changed - set(first))


def setting_columns(settings: list[dict[str, Any]]) -> list[str]:
    """The setting columns of the runs table: what differs, else a baseline."""
    return differing(settings) or [n for n in BASELINE_SETTINGS
                                   if any(n in s for s in settings)]


def key_metrics(tasks: list[str]) -> list[MetricColumn]:
    """The metric columns that apply to runs of these tasks."""
    present = set(tasks) or {"classification"}
    return [m for m in METRICS if m.task is None or m.task in present]


def diff_html(names: list[str], settings: list[dict[str, Any]],
              summaries: list[dict[str, Any]], test_looks: list[int | None]) -> str:
    """Two or more runs side by side: the settings that differ, then final metrics; the
    settings they share on one line below."""
    def cell(text: str, bold: bool = False) -> str:
        body = html.escape(text)
        return f"<td>{'<b>' + body + '</b>' if bold else body}</td>"

    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = [f"<tr><th align='left'>setting</th>{head}</tr>"]
    changed = differing(settings)
    for name in changed:
        rows.append(f"<tr style='background:#fff4d6'><td>{html.escape(name)}</td>" + "".join(
            cell(format_value(s.get(name))) for s in settings) + "</tr>")
    if not changed:
        rows.append(f"<tr><td colspan='{len(names) + 1}'><i>no setting differs</i></td></tr>")
    rows.append(f"<tr><th align='left'>final metric</th>{head}</tr>")
    tasks = [task_of(s) for s in summaries]
    for metric in [MetricColumn("stopped_reason", "result", "", "")] + key_metrics(tasks):
        values = [s.get(metric.key) for s in summaries]
        best = _best_index(metric.key, values)
        rows.append(f"<tr><td>{html.escape(metric.header)}</td>" + "".join(
            cell(metric.text(s), bold=(i == best)) for i, s in enumerate(summaries)) + "</tr>")
    if any(n is not None for n in test_looks):
        rows.append("<tr><td>test split looked at</td>" + "".join(
            cell("–" if n is None else f"{n} times") for n in test_looks) + "</tr>")
    same = [n for n in settings[0] if n not in changed] if settings else []
    shared = ", ".join(f"{n}={format_value(settings[0].get(n))}" for n in same)
    return (f"<table border='1' cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"
            f"<p><small>Same in all: {html.escape(shared) or 'nothing'}</small></p>")


def _best_index(key: str, values: list[Any]) -> int | None:
    numbers = [(v, i) for i, v in enumerate(values) if isinstance(v, (int, float))
               and not isinstance(v, bool) and v == v]
    direction = find_metric_direction(key)  # None: not a metric with a better end (epochs)
    if len(numbers) < 2 or direction is None:
        return None
    return (min(numbers) if direction == "minimize" else max(numbers))[1]
