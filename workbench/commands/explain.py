"""``workbench explain RUN``: why a trained run decides what it does, on its validation split.

Permutation importance (ranked, with its spread), attributions of a few samples (``--method``,
else the first method that fits: integrated gradients where it can), the most confident
mistakes (regression: the largest residuals), calibration (classification) and, with
``--group COLUMN``, per-group metrics with the fairness differences (``--positive CLASS``: the
class whose selection rate and recall are compared). ``--fit-temperature`` first fits temperature
scaling on the validation split and stores it with the run (``artifacts/calibration.json``);
the calibration section then shows it, and ``workbench export`` divides the logits by it. Human
text by default, one JSON object with ``--json``. Everything is computed by ``workbench.explain``; slow results
are cached in the run folder. Bad input (no run, no weights, a method that does not fit, an
unknown group column or positive class, ``--samples 0``, ``--fit-temperature`` on a regression
run) exits with code 2 and a message, before anything is
written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from workbench.explain.errors import ExplainError

BAR = 24


def register(subparsers: Any) -> None:
    """Add ``explain RUN [--method M] [--samples N] [--group COLUMN] [--positive CLASS]
    [--weights W] [--repeats R] [--limit L] [--fit-temperature] [--json]`` to
    ``subparsers``."""
    from workbench.explain.attributions import METHODS

    ex = subparsers.add_parser("explain", help="explain a trained run: feature importance, "
                                               "attributions, mistakes, calibration, groups")
    ex.add_argument("run_dir", metavar="RUN", help="the run folder")
    ex.add_argument("--method", choices=METHODS,
                    help="attribution method (default: ig where it fits, else the first that "
                         "fits the model)")
    ex.add_argument("--samples", type=int, default=4,
                    help="validation samples to attribute (default 4)")
    ex.add_argument("--group", metavar="COLUMN",
                    help="a CSV column (an input or one kept out with --exclude): per-group "
                         "metrics and fairness differences")
    ex.add_argument("--positive", metavar="CLASS",
                    help="with --group: the class whose selection rate and recall are compared "
                         "across groups (default: the second of two classes, else the last)")
    ex.add_argument("--weights", default="best",
                    help="'best' (default), 'last' or 'epoch:N'")
    ex.add_argument("--repeats", type=int, default=5,
                    help="shuffles per feature for permutation importance (default 5)")
    ex.add_argument("--limit", type=int, default=10,
                    help="mistakes (or residuals) to list (default 10)")
    ex.add_argument("--fit-temperature", action="store_true",
                    help="fit temperature scaling on the validation split (classification) "
                         "and store it with the run; workbench export then calibrates the "
                         "probabilities with it")
    ex.add_argument("--json", action="store_true", help="print one JSON object")
    ex.set_defaults(handler=run_explain)


def explain_run(run_dir: str, *, method: str | None = None, samples: int = 4,
                group: str | None = None, weights: str = "best", repeats: int = 5,
                limit: int = 10, positive: str | None = None, fit_temperature: bool = False,
                progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """{"run_dir", "weights", "task", "importance": [...], "importance_info", "attributions",
    "mistakes", "calibration" (classification), "groups" (with ``group``), "temperature_fit"
    (with ``fit_temperature``: calibration.fit_temperature's record)}. Every argument is
    checked before anything is computed or cached; ExplainError when one does not fit."""
    from workbench.explain.attributions import compute_attributions, methods_for
    from workbench.explain.cache import open_run, weights_path
    from workbench.explain.importance import permutation_importance
    from workbench.explain.mistakes import find_mistakes

    for name, value in (("samples", samples), ("repeats", repeats), ("limit", limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ExplainError(f"--{name} must be a whole number >= 1; found {value!r}")
    run = open_run(run_dir)
    weights_path(run, weights)
    fitting = methods_for(run.path)
    if method is None and fitting:
        method = "ig" if "ig" in fitting else fitting[0]
    if positive is not None and group is None:
        raise ExplainError(f"--positive {positive!r} picks the class whose rates --group "
                           f"compares; expected --group COLUMN with it, found no --group")
    if method is not None and method not in fitting:  # its own message; writes nothing
        compute_attributions(run.path, method, samples, weights=weights)
    result: dict[str, Any] = {"run_dir": str(run.path)}
    if group is not None:  # computed first: it writes nothing, so its errors come first
        result["groups"] = _groups(run.path, group, weights, positive)
    if fit_temperature:  # a regression run: ExplainError before calibration.json is written
        from workbench.explain.calibration import fit_temperature as fit

        result["temperature_fit"] = fit(run.path, weights=weights)

    def step(name: str) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(name, done,
                                                                           total))

    if method is not None:  # checks its arguments before it computes or caches anything
        result["attributions"] = compute_attributions(run.path, method, samples,
                                                      weights=weights,
                                                      progress=step("attributions"))
    importance = permutation_importance(run.path, repeats, weights=weights,
                                        progress=step("permutation importance"))
    result["importance"] = importance["importance"]
    result["importance_info"] = {k: v for k, v in importance.items() if k != "importance"}
    mistakes = find_mistakes(run.path, limit, weights=weights)
    result["mistakes"] = mistakes
    result["task"] = mistakes["task"]
    result["weights"] = mistakes["weights"]
    calibration = _calibration(run.path, weights) if mistakes["task"] == "classification" \
        else None
    if calibration is not None:
        result["calibration"] = calibration
    return result


def _groups(run_dir: Any, group: str, weights: str, positive: str | None = None
            ) -> dict[str, Any]:
    try:
        from workbench.explain.subgroups import subgroup_report
    except ImportError as exc:  # pragma: no cover - while the module is being written
        raise ExplainError(f"--group needs workbench.explain.subgroups, which this build "
                           f"lacks ({exc})") from exc
    chosen: Any = positive  # "1": the class named 1, else the class with index 1
    if isinstance(positive, str) and positive.isdigit():
        names = _class_names(run_dir)
        chosen = positive if positive in names else int(positive)
    return subgroup_report(run_dir, group, weights=weights, positive=chosen)


def _class_names(run_dir: Any) -> list[str]:
    from workbench.explain.cache import open_run

    names = open_run(run_dir).config.get("class_names")
    return [str(n) for n in names] if isinstance(names, list) else []


def _calibration(run_dir: Any, weights: str) -> dict[str, Any] | None:
    try:
        from workbench.explain.calibration import calibration_report
    except ImportError:  # pragma: no cover - while the module is being written
        return None
    return calibration_report(run_dir, weights=weights)


def run_explain(args: argparse.Namespace) -> int:
    printer = None if args.json or not sys.stderr.isatty() else _progress_line
    result = explain_run(args.run_dir, method=args.method, samples=args.samples,
                         group=args.group, weights=args.weights, repeats=args.repeats,
                         limit=args.limit, positive=args.positive,
                         fit_temperature=args.fit_temperature, progress=printer)
    if printer is not None:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        print(format_explanation(result))
    return 0


def _progress_line(name: str, done: int, total: int) -> None:
    print(f"\r{name}: {done}/{total}   ", end="", file=sys.stderr, flush=True)


def format_explanation(result: dict[str, Any]) -> str:
    """The human summary of :func:`explain_run`'s result."""
    lines = [f"explanations of {result['run_dir']} (weights: {result['weights']}, validation "
             f"split)", ""]
    if "temperature_fit" in result:
        lines += [*_temperature_lines(result["temperature_fit"]), ""]
    lines += _importance_lines(result["importance"], result["importance_info"])
    if "attributions" in result:
        lines += ["", *_attribution_lines(result["attributions"])]
    lines += ["", *_mistake_lines(result["mistakes"])]
    if "calibration" in result:
        lines += ["", *_calibration_lines(result["calibration"])]
    if "groups" in result:
        lines += ["", *_group_lines(result["groups"])]
    return "\n".join(lines)


def _importance_lines(rows: list[dict[str, Any]], info: dict[str, Any]) -> list[str]:
    metric = "R²" if info["metric"] == "r2" else "accuracy"
    lines = [f"permutation importance: drop in validation {metric} when a feature is "
             f"shuffled (baseline {info['baseline']:.4f}, {info['repeats']} repeats, "
             f"{info['samples']} samples{', cached' if info.get('cached') else ''})"]
    top = max([row["mean"] for row in rows] + [1e-12])
    width = max([len(row["feature"]) for row in rows[:20]] + [7])
    for rank, row in enumerate(rows[:20], 1):
        bar = "#" * max(0, round(BAR * row["mean"] / top))
        lines.append(f"  {rank:>2}. {row['feature']:<{width}} {row['mean']:+.4f} ± "
                     f"{row['std']:.4f}  {bar}")
    if len(rows) > 20:
        lines.append(f"      … {len(rows) - 20} more (--json lists them all)")
    return lines


def _attribution_lines(att: dict[str, Any]) -> list[str]:
    lines = [f"attributions ({att['method']}, {len(att['samples'])} samples, "
             f"{att.get('seconds_per_sample', 0.0):.3g} s per sample)"]
    names = att.get("columns") or att.get("feature_names")
    key = "column_attribution" if att.get("columns") else "attribution"
    for sample in att["samples"]:
        head = (f"  #{sample['index']}: true {_short(sample.get('true'))}, predicted "
                f"{_short(sample.get('predicted'))}")
        values = sample.get(key)
        if names and isinstance(values, list) and values and not isinstance(values[0], list):
            ranked = sorted(zip(names, values), key=lambda p: -abs(p[1]))[:4]
            head += "; top: " + ", ".join(f"{n} {v:+.3g}" for n, v in ranked)
        elif isinstance(values, list) and values and isinstance(values[0], list):
            peak = max(((abs(v), r, c) for r, row in enumerate(values)
                        for c, v in enumerate(row)), default=None)
            if peak is not None:
                head += f"; strongest at row {peak[1]}, column {peak[2]}"
        lines.append(head)
    return lines


def _mistake_lines(mistakes: dict[str, Any]) -> list[str]:
    if mistakes["task"] == "regression":
        lines = [f"largest residuals of '{mistakes['target']}' (true - predicted, "
                 f"{mistakes['total']} samples, MAE {mistakes['mae']:.4g})"]
        for r in mistakes["residuals"]:
            lines.append(f"  #{r['index']}: true {r['true']:.4g}, predicted "
                         f"{r['predicted']:.4g}, residual {r['residual']:+.4g}{_row(r)}")
        return lines
    lines = [f"mistakes: {mistakes['wrong']} of {mistakes['total']} validation samples wrong; "
             f"most confident first"]
    for m in mistakes["mistakes"]:
        lines.append(f"  #{m['index']}: true {m['true']}, predicted {m['predicted']} "
                     f"({m['confidence']:.2f}){_row(m)}")
    return lines


def _row(sample: dict[str, Any]) -> str:
    row = sample.get("row")
    if not row:
        return ""
    text = ", ".join(f"{k}={_short(v)}" for k, v in row.items())
    return f"  [{text[:100]}{'…' if len(text) > 100 else ''}]"


def _short(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _calibration_lines(cal: dict[str, Any]) -> list[str]:
    line = f"calibration: expected calibration error {cal['ece']:.4f}"
    if cal.get("temperature") is not None:
        line += (f"; with the stored temperature {cal['temperature']:.3g}: "
                 f"{cal['ece_calibrated']:.4f}")
    lines = [line]
    if cal.get("note"):
        lines.append(f"  {cal['note']}")
    return lines


def _temperature_lines(fit: dict[str, Any]) -> list[str]:
    lines = [f"temperature scaling: fitted T = {fit['temperature']:.4g} on {fit['samples']} "
             f"validation samples (weights {fit['weights']}); expected calibration error "
             f"{fit['ece_before']:.4f} -> {fit['ece_after']:.4f}, NLL {fit['nll_before']:.4f} "
             f"-> {fit['nll_after']:.4f}",
             "  stored in artifacts/calibration.json: workbench export divides the logits by "
             "T (labels unchanged, probabilities calibrated)"]
    if fit.get("at_bound"):
        lines.append("  T is at the edge of the searched range (0.05..20): the validation "
                     "split may be too small or the model already certain of everything")
    return lines


def _group_lines(groups: dict[str, Any]) -> list[str]:
    lines = [f"groups by '{groups['group']}' (positive class '{groups['positive']}'): "
             f"demographic parity difference {groups['demographic_parity_difference']:.3f}, "
             f"equalized odds difference {groups['equalized_odds_difference']:.3f}",
             f"  {'value':<16}{'accuracy':>9}{'precision':>10}{'recall':>8}{'f1':>7}"
             f"{'selected':>9}{'support':>8}"]
    for g in [{"value": "(all)", **groups["overall"]}, *groups["groups"]]:
        lines.append(f"  {str(g['value'])[:15]:<16}{g['accuracy']:>9.3f}{g['precision']:>10.3f}"
                     f"{g['recall']:>8.3f}{g['f1']:>7.3f}{g['selection_rate']:>9.3f}"
                     f"{g['support']:>8d}")
    for finding in groups.get("findings", []):
        lines.append(f"  ! {finding.get('message') or finding.get('title') or finding}")
    lines.extend(f"  note: {note}" for note in groups.get("notes", []))
    return lines
