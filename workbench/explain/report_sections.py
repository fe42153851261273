"""Sections of the HTML run report, each an HTML fragment built from a run folder and the core
explain functions (cached results are reused). Every text that comes from the run is escaped.

A section function returns the fragment's body; :mod:`workbench.explain.report` gives it its
heading and turns a failure into one line saying why."""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

import numpy as np

from workbench.explain import report_charts as charts
from workbench.runs.run_store import RunStore


def table(header: list[str], rows: list[list[Any]], *, numeric_from: int = 1) -> str:
    """An HTML table; cells are escaped, columns from ``numeric_from`` on right-aligned."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f"<td{' class=num' if i >= numeric_from else ''}>{escape(_fmt(c))}"
                        f"</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def key_rows(rows: list[list[Any]]) -> str:
    """A two-column table without a header: a bold key, then its value (escaped)."""
    body = "".join(f"<tr><td><b>{escape(str(k))}</b></td><td>{escape(_fmt(v))}</td></tr>"
                   for k, v in rows)
    return f"<table>{body}</table>"


def key_values(items: list[tuple[str, Any]]) -> str:
    """Settings as a compact grid of "key value" cells (escaped)."""
    cells = "".join(f"<div><span class='k'>{escape(str(k))}</span> {escape(_fmt(v))}</div>"
                    for k, v in items)
    return f"<div class='kv'>{cells}</div>"


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def note(text: str) -> str:
    return f"<p class='muted'>{escape(text)}</p>"


# settings -----------------------------------------------------------------------------------
def model_section(run: RunStore) -> str:
    """Layers (type, output shape, parameters) and the total parameter count."""
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    spec = GraphSpec.from_dict(run.config.get("graph"))
    analysis = analyze(spec)
    rows = []
    for node in spec.nodes:
        info = analysis.nodes.get(node.id)
        shape = "-" if info is None or info.output_shape is None else \
            " x ".join(map(str, info.output_shape))
        params = ", ".join(f"{k}={v}" for k, v in node.params.items())
        rows.append([node.id, node.type, params, shape, 0 if info is None else info.params])
    return (f"<p><b>{escape(spec.name or 'model')}</b>: {len(spec.nodes)} layers, "
            f"{analysis.total_params:,} trainable parameters, {analysis.total_macs:,} "
            f"multiply-adds per sample.</p>"
            + table(["layer", "type", "settings", "output shape", "parameters"], rows,
                    numeric_from=4))


def training_section(run: RunStore) -> str:
    training = run.config.get("training") or {}
    return key_values(list(training.items())) if training else \
        note("the run's config records no training settings.")


def dataset_section(run: RunStore) -> str:
    dataset = run.config.get("dataset") or {}
    report = run.config.get("data_report") or {}
    text = f"<p><b>{escape(str(dataset.get('name', '?')))}</b>"
    options = dataset.get("options") or {}
    if options:
        text += " (" + escape(", ".join(f"{k}={_fmt(v)}" for k, v in options.items())) + ")"
    text += "</p>"
    classes = run.config.get("class_names")
    if classes:
        text += f"<p>classes: {escape(', '.join(map(str, classes)))}</p>"
    if report:
        text += "<h3>load report</h3>" + key_values(list(report.items()))
    return text


# curves and findings --------------------------------------------------------------------------
def curves_section(run: RunStore) -> str:
    """Loss curves and, when recorded, accuracy (or other validation metrics) per epoch."""
    epochs = [r for r in run.metrics.read() if r.get("kind", "epoch") == "epoch"]
    if not epochs:
        return note("no epochs recorded (metrics.jsonl is empty).")

    def series(key: str) -> list[tuple[float, float]]:
        return [(float(r.get("epoch", i)) + 1, float(r[key])) for i, r in enumerate(epochs)
                if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]

    keys = sorted({k for r in epochs for k in r if isinstance(r[k], (int, float))})
    loss = {k: series(k) for k in keys if k.endswith("loss")}
    other = {k: series(k) for k in keys
             if k.startswith(("train_", "val_")) and not k.endswith("loss")}
    parts = [charts.line_chart(loss, title="loss per epoch")]
    scores = {k: v for k, v in other.items() if k.endswith(("accuracy", "_r2", "_f1"))}
    errors = {k: v for k, v in other.items() if k not in scores}  # MAE, RMSE: target units
    for group, title in ((scores, "scores per epoch"), (errors, "errors per epoch")):
        if group:  # one axis per scale: R² next to an MAE in the hundreds would be a flat line
            parts.append(charts.line_chart(group, title=title))
    return "<div class='row'>" + "".join(parts) + "</div>"


def findings_section(run: RunStore) -> str:
    summary = run.read_summary()
    if summary is None:
        return note("the run has no summary.json (it did not finish), so no findings.")
    findings = summary.get("findings") or []
    head = (f"<p>stopped: {escape(str(summary.get('stopped_reason', '?')))}, "
            f"{escape(_fmt(summary.get('epochs_run')))} epochs, best epoch "
            f"{escape(_fmt(summary.get('best_epoch')))}.</p>")
    if not findings:
        return head + note("the health checks found nothing to report.")
    return head + "".join(finding_html(f) for f in findings)


def finding_html(finding: dict[str, Any]) -> str:
    severity = str(finding.get("severity", "info"))
    return (f"<div class='finding {escape(severity)}'><b>{escape(severity)}: "
            f"{escape(str(finding.get('title', '')))}</b><br>"
            f"{escape(str(finding.get('explanation', '')))}<br>"
            f"<i>what to do:</i> {escape(str(finding.get('fix', '')))}</div>")


# validation metrics --------------------------------------------------------------------------
def validation_section(run: RunStore, weights: str) -> str:
    from workbench.explain.validation_report import evaluate_validation

    report = evaluate_validation(run.path, weights)
    if report.get("task") == "regression":
        return (f"<p>target <b>{escape(str(report['target']))}</b> (errors in its units, "
                f"weights {escape(str(report['weights']))}):</p>"
                + table(["metric", "value"], [["MAE", report["mae"]], ["RMSE", report["rmse"]],
                                              ["R²", report["r2"]],
                                              ["loss (standardized)", report["loss"]]]))
    labels = report["labels"]
    matrix = np.asarray(report["confusion"], dtype=np.int64)
    top = max(int(matrix.max()), 1)
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    rows = []
    for label, row in zip(labels, matrix):
        cells = "".join(
            f"<td class='num cm' style='background:rgba(31,119,180,{v / top * 0.85:.2f});"
            f"color:{'#fff' if v / top > 0.5 else '#000'}'>{v}</td>" for v in row)
        rows.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    confusion = (f"<table class='confusion'><thead><tr><th>true \\ predicted</th>{head}</tr>"
                 f"</thead><tbody>{''.join(rows)}</tbody></table>")
    per_class = table(["class", "precision", "recall", "F1", "support"],
                      [[r["label"], r["precision"], r["recall"], r["f1"], r["support"]]
                       for r in report["per_class"]])
    return (f"<p>accuracy {report['accuracy']:.4f}, macro F1 {report['macro_f1']:.4f} "
            f"({int(matrix.sum())} validation samples, weights "
            f"{escape(str(report['weights']))}).</p><div class='row'><div>{confusion}</div>"
            f"<div>{per_class}</div></div>")


def calibration_section(run: RunStore, weights: str, task: str) -> str:
    if task == "regression":
        return note("does not apply: calibration is for classifiers (this run is a "
                    "regression).")
    from workbench.explain.calibration import calibration_report

    cal = calibration_report(run.path, weights=weights)
    text = (f"<p>expected calibration error (ECE) <b>{cal['ece']:.4f}</b> over "
            f"{cal.get('samples', '?')} validation samples; negative log-likelihood "
            f"{_fmt(cal.get('nll'))}.")
    if cal.get("temperature") is not None:
        text += (f" With the stored temperature {cal['temperature']:.3g}: ECE "
                 f"{cal['ece_calibrated']:.4f} (orange points).")
    else:
        text += " No temperature fitted (the Explain view or fit_temperature fits one)."
    text += "</p>"
    if cal.get("note"):
        text += note(str(cal["note"]))
    diagram = charts.reliability_diagram(cal["bins"], title="reliability diagram",
                                         calibrated=cal.get("bins_calibrated"))
    bins = table(["confidence bin", "mean confidence", "accuracy", "samples"],
                 [[f"{b['lo']:.1f}–{b['hi']:.1f}", b["confidence"], b["accuracy"], b["count"]]
                  for b in cal["bins"] if b["count"]])
    return text + f"<div class='row'><div>{diagram}</div><div>{bins}</div></div>"


# importance, attributions, groups ------------------------------------------------------------
def importance_section(run: RunStore, weights: str, top: int = 20) -> str:
    from workbench.explain.importance import permutation_importance

    result = permutation_importance(run.path, weights=weights)
    rows = result["importance"]
    metric = "R²" if result.get("metric") == "r2" else "accuracy"
    chart = charts.bar_chart([(r["feature"], float(r["mean"]), float(r["std"]))
                              for r in rows[:top]],
                             title=f"drop in validation {metric} when shuffled (± std)")
    more = note(f"… and {len(rows) - top} more features.") if len(rows) > top else ""
    return (f"<p>baseline validation {metric} {result.get('baseline', float('nan')):.4f}; "
            f"each feature shuffled {result.get('repeats', '?')} times, ranked by the mean "
            f"drop.</p>" + chart + more)


def attributions_section(run: RunStore, weights: str, samples: int) -> str:
    from workbench.explain.attributions import compute_attributions, methods_for

    fitting = methods_for(run.path)
    if not fitting:
        return note("does not apply: no attribution method fits this model.")
    method = "ig" if "ig" in fitting else fitting[0]
    att = compute_attributions(run.path, method, samples, weights=weights)
    head = (f"<p>method <b>{escape(method)}</b> ({escape(_METHOD_NAMES.get(method, method))})"
            f", for the predicted class; {len(att['samples'])} validation samples. Red pushes "
            f"towards the predicted class, blue away from it.</p>")
    kind = att.get("input_kind")
    if kind == "image":
        return head + "<div class='row'>" + "".join(_image_card(s) for s in att["samples"]) + \
            "</div>" + _class_averages(att.get("class_average") or {},
                                       list(run.config.get("class_names") or []))
    names = att.get("columns") or att.get("feature_names")
    key = "column_attribution" if att.get("columns") else "attribution"
    cards = []
    for s in att["samples"]:
        values = s.get(key) or []
        labels = names if names and len(names) == len(values) else \
            [str(t) for t in s.get("tokens", range(len(values)))]
        ranked = sorted(zip(labels, values), key=lambda p: -abs(float(p[1])))[:12]
        bars = charts.bar_chart([(str(n), float(v), None) for n, v in ranked],
                                title=_caption(s), width=460, colors=ATTRIBUTION_COLORS)
        cards.append(f"<div>{bars}</div>")
    return head + "<div class='row'>" + "".join(cards) + "</div>"


ATTRIBUTION_COLORS = ("#d62728", "#1f77b4")  # as in the heat maps: red for, blue against
_METHOD_NAMES = {"ig": "integrated gradients", "saliency": "gradient saliency",
                 "gradcam": "Grad-CAM", "occlusion": "occlusion", "ablation": "feature ablation"}


def _caption(sample: dict[str, Any]) -> str:
    probability = sample.get("probability")  # None for a regression run
    predicted = sample.get("predicted")
    if isinstance(predicted, float):
        predicted = f"{predicted:.4g}"
    return (f"#{sample.get('index')}: true {sample.get('true')}, predicted {predicted}"
            + (f" ({float(probability):.2f})" if probability is not None else ""))


def _image_card(sample: dict[str, Any]) -> str:
    image, heat = sample.get("image"), sample.get("attribution")
    parts = []
    if image is not None:
        parts.append(charts.img_tag(charts.png_data_uri(charts.image_rgb(image)),
                                    title="input"))
    if heat is not None:
        parts.append(charts.img_tag(charts.png_data_uri(charts.heat_rgb(heat)),
                                    title="attribution"))
        if image is not None:
            parts.append(charts.img_tag(charts.png_data_uri(charts.overlay_rgb(image, heat)),
                                        title="attribution over the input"))
    return (f"<figure>{''.join(parts)}<figcaption>{escape(_caption(sample))}<br>"
            f"input · attribution · overlay</figcaption></figure>")


def _class_averages(averages: dict[str, Any], class_names: list[str]) -> str:
    """Heat maps of the mean attribution per predicted class (image models), in class order."""
    if not averages:
        return ""
    order = {str(name): i for i, name in enumerate(class_names)}
    cards = []
    for name, heat in sorted(averages.items(), key=lambda p: order.get(p[0], len(order))):
        if heat is not None:
            picture = charts.img_tag(charts.png_data_uri(charts.heat_rgb(heat)), size=72,
                                     title=str(name))
            cards.append(f"<figure>{picture}<figcaption>{escape(str(name))}</figcaption>"
                         f"</figure>")
    return f"<h3>mean attribution per predicted class</h3><div class='row'>{''.join(cards)}</div>"


def groups_section(run: RunStore, weights: str, group: str | None, task: str) -> str:
    if group is None:
        return note("not asked for: give a group column (workbench report RUN --group COLUMN) "
                    "for per-group metrics and the fairness differences.")
    from workbench.explain.subgroups import subgroup_report

    rep = subgroup_report(run.path, group, weights=weights)
    metrics = ["accuracy", "precision", "recall", "f1", "selection_rate", "support"]
    rows = [["(all)"] + [rep["overall"][m] for m in metrics]]
    rows += [[str(g["value"])] + [g[m] for m in metrics] for g in rep["groups"]]
    text = (f"<p>groups by <b>{escape(group)}</b>; positive class "
            f"<b>{escape(str(rep['positive']))}</b> (its selection rate is measured).</p>"
            f"<p>demographic parity difference <b>{rep['demographic_parity_difference']:.4f}"
            f"</b>, equalized odds difference <b>{rep['equalized_odds_difference']:.4f}</b> "
            f"(0 = the same for every group).</p>"
            + "".join(f"<p><i>{escape(n)}.</i></p>" for n in rep.get("notes") or [])
            + table(["value", "accuracy", "precision", "recall", "F1", "selection rate",
                     "support"], rows))
    gaps = rep.get("largest_gaps") or []
    if gaps:
        text += "<p>largest gaps:</p>" + table(
            ["metric", "group value", "value", "overall", "gap", "support"],
            [[g["metric"], str(g["group_value"]), g["value"], g["overall"], g["gap"],
              g["support"]] for g in gaps], numeric_from=2)
    return text + "".join(finding_html(f) for f in rep.get("findings") or [])
