"""One self-contained HTML page about a trained run, to read in a browser or mail to a colleague.

:func:`write_report` gathers the run's name, date and lineage, its settings (model summary,
training settings, dataset and its load report), learning curves, the health findings recorded
with it, the validation metrics (confusion matrix and per-class precision/recall/F1, or MAE,
RMSE and R²), calibration, permutation importance, attributions of a few validation samples and,
with ``group``, per-group metrics and the fairness differences. Everything is computed by the
core explain functions on the VALIDATION split (their cached results are reused). The page has
no script and loads nothing: CSS is inline, charts are inline SVG or PNG ``data:`` URIs, and
every text from the run is escaped. A section that does not apply says so in one line; a
section that fails says why, and the rest of the page is still written. The file is written
atomically, after every argument has been checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from workbench.explain import report_sections as sections
from workbench.explain.errors import ExplainError
from workbench.runs.run_store import RunStore

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1180px;
padding:16px 28px;color:#1d1d1f;background:#fff;font-size:14px;line-height:1.4}
h1{font-size:24px;margin:8px 0 2px}h2{font-size:18px;border-bottom:2px solid #1f77b4;
padding-bottom:3px;margin-top:28px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
table.confusion td{min-width:34px;text-align:center}
.muted{color:#666;font-style:italic}.row{display:flex;flex-wrap:wrap;gap:18px;
align-items:flex-start}.meta td:first-child{font-weight:600}
.finding{border-left:4px solid #1f77b4;background:#f4f8fc;padding:6px 10px;margin:6px 0}
.finding.warning{border-color:#ff7f0e;background:#fff7ef}
.finding.error{border-color:#d62728;background:#fdf1f1}
.failed{color:#a00;background:#fdf1f1;padding:6px 10px;border-left:4px solid #d62728}
figure{margin:0;text-align:center;font-size:12px}figure img{margin:2px}
img.px{image-rendering:pixelated;border:1px solid #ccc}
nav a{margin-right:10px}footer{margin-top:30px;color:#888;font-size:12px}
.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:3px 18px;
font-size:13px;margin:6px 0}.kv div{border-bottom:1px solid #eee;padding:2px 0;
overflow-wrap:anywhere}.kv .k{color:#555;font-weight:600;margin-right:4px}
.meta table td{border:none;padding:1px 10px 1px 0}
"""


def write_report(run_dir: str | Path, out_path: str | Path, *, samples: int = 4,
                 group: str | None = None, weights: str = "best",
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the HTML report of the run in ``run_dir`` to ``out_path`` and return its path.

    ExplainError, before anything is computed or written, for a folder that is not a run, a run
    without the ``weights`` asked for, ``samples`` < 1, an ``out_path`` whose folder does not
    exist (or that is a folder), and a ``group`` that is not one of the run's CSV columns.
    ``progress(done, total)`` is called after each section."""
    from workbench.explain.cache import weights_path
    from workbench.runs.atomic import atomic_write_text

    run, out = _check(run_dir, out_path, samples, group, weights)
    weights_file = weights_path(run, weights).relative_to(run.path).as_posix()
    task = _task(run)
    plan: list[tuple[str, str, Callable[[], str]]] = [
        ("model", "Model", lambda: sections.model_section(run)),
        ("training", "Training settings", lambda: sections.training_section(run)),
        ("dataset", "Dataset", lambda: sections.dataset_section(run)),
        ("curves", "Learning curves", lambda: sections.curves_section(run)),
        ("findings", "Health findings", lambda: sections.findings_section(run)),
        ("validation", "Validation metrics", lambda: sections.validation_section(run, weights)),
        ("calibration", "Calibration",
         lambda: sections.calibration_section(run, weights, task)),
        ("importance", "Permutation importance",
         lambda: sections.importance_section(run, weights)),
        ("attributions", "Attributions",
         lambda: sections.attributions_section(run, weights, samples)),
        ("groups", "Groups and fairness",
         lambda: sections.groups_section(run, weights, group, task)),
    ]
    body = []
    for done, (anchor, title, build) in enumerate(plan, 1):
        body.append(f"<section id='{anchor}'><h2>{escape(title)}</h2>{_safely(build)}"
                    f"</section>")
        if progress is not None:
            progress(done, len(plan))
    page = _page(run, weights_file, task, plan, "".join(body))
    atomic_write_text(out, page)
    return out


def _check(run_dir: str | Path, out_path: str | Path, samples: int, group: str | None,
           weights: str) -> tuple[RunStore, Path]:
    from workbench.explain.cache import open_run, weights_path

    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ExplainError(f"samples must be a whole number >= 1; found {samples!r}")
    run = open_run(run_dir)
    weights_path(run, weights)
    out = Path(out_path)
    if out.is_dir():
        raise ExplainError(f"--out {out}: expected a file name for the report; found a folder")
    if not out.parent.is_dir():
        raise ExplainError(f"--out {out}: expected an existing folder to write the report "
                           f"into; {out.parent} does not exist")
    if group is not None:
        from workbench.explain.subgroups import group_columns

        columns = group_columns(run.path)
        if group not in columns:
            raise ExplainError(f"group column {group!r}: expected one of the run's CSV columns "
                               f"({', '.join(columns) or 'this dataset has none'})")
    return run, out


def _task(run: RunStore) -> str:
    summary = run.read_summary() or {}
    for source in (summary, run.config.get("data_report") or {}):
        if source.get("task") in ("classification", "regression"):
            return str(source["task"])
    saved = run.config.get("preprocessing")
    return "regression" if isinstance(saved, dict) and "target_scaling" in saved else \
        "classification"


def _safely(build: Callable[[], str]) -> str:
    """The section's HTML, or one line saying why it could not be made."""
    try:
        return build()
    except ExplainError as exc:
        return f"<p class='failed'>not available: {escape(str(exc))}</p>"
    except Exception as exc:  # noqa: BLE001 - one broken section must not lose the page
        return (f"<p class='failed'>this section failed: {escape(type(exc).__name__)}: "
                f"{escape(str(exc))}</p>")


def _page(run: RunStore, weights_file: str, task: str,
          plan: list[tuple[str, str, Callable[[], str]]], body: str) -> str:
    name = run.path.name
    lineage = run.config.get("lineage") or {}
    origin = "a root run (trained from scratch)" if not lineage.get("parent") else \
        f"{lineage.get('relation') or 'made from'} {lineage['parent']}"
    if lineage.get("study"):
        origin += f" (study {lineage['study']}, trial {lineage.get('trial')})"
    meta = sections.key_rows([
        ["run", name], ["folder", str(run.path)],
        ["created", run.created.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")],
        ["lineage", origin], ["task", task], ["weights", weights_file],
        ["explained on", "the validation split"]])
    nav = "".join(f"<a href='#{a}'>{escape(t)}</a>" for a, t, _ in plan)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>Run report: {escape(name)}</title><style>{CSS}</style></head><body>"
            f"<h1>Run report: {escape(name)}</h1><div class='meta'>{meta}</div>"
            f"<nav>{nav}</nav>{body}<footer>Written by the Workbench on {stamp}. "
            f"A self-contained page: no scripts, nothing loaded from elsewhere.</footer>"
            f"</body></html>\n")

