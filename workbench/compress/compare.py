"""One table that compares a family of variants: teacher, students, pruned and int8 runs.

A family is a run and its descendants by lineage (:func:`family_of`), or the runs given. Each
row: validation accuracy (regression: MAE) from the run's summary, test accuracy only where the
run was evaluated on the test split (its events.jsonl ``eval`` records), parameters and MACs
(shape inference of the graph spec), file size and onnxruntime latency at batch 1 and 64
(:mod:`workbench.compress.compare_measure`, cached per run), and speed-up and size reduction
against the reference, the first row (the family's root, or the first run given).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.compress.compare_measure import INT8_FORMAT, measure_runs, model_format
from workbench.compress.errors import CompressError


def open_run(run_dir: str | Path) -> Any:
    """The RunStore at ``run_dir``; CompressError naming the folder when it is not a run."""
    from workbench.runs.run_store import RunStore

    try:
        return RunStore.open(run_dir)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise CompressError(f"expected a run folder (with config.json), found {run_dir}: "
                            f"{exc}") from exc


def family_of(run: Any, from_root: bool = False) -> list[Any]:
    """``run`` and its descendants among the runs of its project, parents before children
    (``from_root``: start from the root of ``run``'s ancestry instead)."""
    from workbench.runs.lineage import ancestry, build_tree, walk
    from workbench.runs.run_store import list_runs

    start = ancestry(run)[0] if from_root else run
    runs = list_runs(Path(start.path).parent.parent)
    key = Path(start.path).resolve()
    for node in walk(build_tree(runs)):
        if Path(node.run.path).resolve() == key:
            return [n.run for n in walk([node])]
    return [start]  # a run outside a project's runs/ folder


def compare_runs(run_dirs: list[str | Path], family: str | Path | None = None,
                 threads: int = 1, repeats: int = 30, remeasure: bool = False
                 ) -> dict[str, Any]:
    """The compare table: ``{"rows": [...], "threads", "reference"}``.

    ``run_dirs``: the runs to compare (the first is the reference); ``family``: a run whose
    family (it and its descendants) is added first. CompressError for a folder that is no run,
    a run without weights, or runs that take different inputs.
    """
    if threads < 1:
        raise CompressError(f"threads must be at least 1, found {threads}")
    runs: list[Any] = family_of(open_run(family)) if family is not None else []
    seen = {Path(r.path).resolve() for r in runs}
    for run_dir in run_dirs:
        run = open_run(run_dir)
        if Path(run.path).resolve() not in seen:
            seen.add(Path(run.path).resolve())
            runs.append(run)
    if not runs:
        raise CompressError("expected at least one run folder to compare, found none")
    figures = measure_runs(runs, threads, repeats, remeasure)
    rows = [_row(run, figures[run.path]) for run in runs]
    reference = rows[0]
    for row in rows:
        ref_ms, ms = reference["latency_ms"], row["latency_ms"]
        row["speedup"] = {b: round(ref_ms[b] / ms[b], 3) if ms[b] and ref_ms[b] else None
                          for b in ms}
        row["size_reduction"] = (round(reference["file_bytes"] / row["file_bytes"], 3)
                                 if row["file_bytes"] and reference["file_bytes"] else None)
    return {"rows": rows, "threads": threads, "reference": reference["run_dir"]}


def pareto_front(rows: list[dict[str, Any]], batch: str = "64") -> list[int]:
    """Indices of the rows no other row beats on both latency at ``batch`` and validation
    score (higher accuracy; regression: lower MAE), fastest first. Rows without a score or a
    latency are left out."""
    points = []
    for i, row in enumerate(rows):
        regression = row.get("task") == "regression"
        score = row.get("val_mae") if regression else row.get("val_accuracy")
        latency = (row.get("latency_ms") or {}).get(batch)
        if score is not None and latency is not None:
            points.append((float(latency), -float(score) if regression else float(score), i))
    front = []
    for latency, score, i in points:
        beaten = any(lat <= latency and sc >= score and (lat < latency or sc > score)
                     for lat, sc, _ in points)
        if not beaten:
            front.append((latency, -score, i))
    return [i for _, _, i in sorted(front)]


def _row(run: Any, figures: dict[str, Any]) -> dict[str, Any]:
    from workbench.runs.lineage import lineage_of, parent_path

    summary = run.read_summary() or {}
    regression = "val_mae" in summary or "target_scaling" in (run.config.get("preprocessing")
                                                              or {})
    parent = parent_path(run)
    params, macs = _size(run)
    return {
        "run_dir": str(run.path), "name": run.path.name,
        "relation": lineage_of(run).relation or "root",
        "parent": str(parent) if parent is not None else None,
        "format": "int8" if model_format(run) == INT8_FORMAT else "float32",
        "task": "regression" if regression else "classification",
        "val_accuracy": None if regression else summary.get("val_accuracy"),
        "val_mae": summary.get("val_mae") if regression else None,
        **_test_scores(run, regression),
        "params": params, "macs": macs,
        "file_bytes": figures["file_bytes"], "latency_ms": figures["latency_ms"],
        "measured": "cached" if figures["cached"] else ("not measured" if "missing" in figures
                                                         else "now"),
        "note": figures.get("missing", ""),
    }


def _size(run: Any) -> tuple[int | None, int | None]:
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    try:
        analysis = analyze(GraphSpec.from_dict(run.config["graph"]))
        return int(analysis.total_params), int(analysis.total_macs)
    except Exception:  # noqa: BLE001 - a spec that no longer analyzes leaves the cells empty
        return None, None


def _test_scores(run: Any, regression: bool) -> dict[str, Any]:
    """The latest test-split evaluation: ``test_accuracy`` (regression: ``test_mae``), None
    where the run was never evaluated on the test split."""
    key = "mae" if regression else "accuracy"
    evals = [e for e in run.read_events() if e.get("kind") == "eval"
             and e.get("split") == "test" and e.get(key) is not None]
    return {f"test_{key}": evals[-1][key] if evals else None}


def format_table(table: dict[str, Any]) -> str:
    """The table as aligned text lines, with the thread count and the reference."""
    rows = table["rows"]
    regression = rows[0]["task"] == "regression"
    score, test = ("val_mae", "test_mae") if regression else ("val_accuracy", "test_accuracy")
    head = ("val MAE", "test MAE") if regression else ("val acc", "test acc")
    lines = [f"  {'run':<30}{'relation':<16}{'format':<8}{head[0]:>8}{head[1]:>9}"
             f"{'params':>9}{'MACs':>10}{'size KB':>9}{'b1 ms':>8}{'b64 ms':>8}"
             f"{'x b1':>6}{'x b64':>6}{'x size':>7}"]
    for row in rows:
        lines.append(
            f"  {short_name(row['name'])[:29]:<30}{row['relation'][:15]:<16}{row['format']:<8}"
            f"{_num(row[score]):>8}{_num(row[test]):>9}{_int(row['params']):>9}"
            f"{_int(row['macs']):>10}{_num(row['file_bytes'], 1 / 1024, '.1f'):>9}"
            f"{_num(row['latency_ms']['1'], fmt='.3f'):>8}"
            f"{_num(row['latency_ms']['64'], fmt='.3f'):>8}"
            f"{_ratio(row['speedup']['1']):>6}{_ratio(row['speedup']['64']):>6}"
            f"{_ratio(row['size_reduction']):>7}")
    lines += [f"  {short_name(r['name'])}: not measured: {r['note']}" for r in rows
              if r["note"]]
    cached = sum(1 for r in rows if r["measured"] == "cached")
    lines += ["", f"  onnxruntime CPU, {table['threads']} intra-op thread(s) (pinned); latency: "
                  f"median per call, measured side by side"
                  + (f"; {cached} row(s) from the run's cache" if cached else ""),
              f"  x: speed-up / size reduction vs the reference {rows[0]['run_dir']}; test "
              f"scores only where the run was evaluated on the test split"]
    return "\n".join(lines)


def short_name(name: str) -> str:
    """A run folder name without its time stamp ("20261123-142629-cnn" -> "cnn")."""
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return parts[2]
    return name


def _num(value: Any, scale: float = 1.0, fmt: str = ".4g") -> str:
    return "-" if value is None else format(value * scale, fmt)


def _int(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def _ratio(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"
