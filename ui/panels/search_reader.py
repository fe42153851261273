"""Reading a search study for the Search panel, without Qt: the space summary, the trials (with
their durations and per-epoch validation curves) and a trial's network and settings.

``StudyReader.read()`` is meant for one background thread (the panel's reader): it keeps the
study's storage open between reads (opening it costs ~1 s, a read of a small study ~20 ms) and
each run's curve cached until its metrics.jsonl grows.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.search.errors import SearchError
from workbench.search.study_location import sqlite_url


def space_summary(search: dict[str, Any] | None, graph: Any = None) -> tuple[list[str], str]:
    """(one line per dimension, the size: "N combinations" or "continuous"); a problem with
    the section is the size text, and no lines."""
    from workbench.search.space import SearchSpaceError, parse_space

    if not search:
        return [], "no search space: this project has no 'search' section"
    try:
        space = parse_space(search, graph)
    except SearchSpaceError as exc:
        return [], f"the search space cannot be used: {exc}"
    if space.is_empty:
        return [], "the search space is empty (nothing varies)"
    size = space.size()
    text = (f"{size:,} combinations" if size is not None
            else "continuous (a range without a step)")
    limits = [f"{k} ≤ {v:,}" for k, v in (("params", space.max_params),
                                          ("MACs", space.max_macs)) if v]
    return space.describe(), text + (f"; constraints: {', '.join(limits)}" if limits else "")


def searchable_node_ids(search: dict[str, Any] | None) -> set[str]:
    """The node ids the space varies (their parameters, type, skip, or a repeated block)."""
    if not isinstance(search, dict):
        return set()
    ids = set(search.get("nodes") or {}) if isinstance(search.get("nodes"), dict) else set()
    for block in search.get("blocks") or []:
        if isinstance(block, dict) and isinstance(block.get("nodes"), list):
            ids.update(n for n in block["nodes"] if isinstance(n, str))
    return ids


def study_path(project_dir: str | Path, study: str) -> Path:
    """Where ``workbench search`` keeps the study by default (the core's rule)."""
    from workbench.search.study_location import study_file

    return study_file(project_dir, study)


def direction(objective: str) -> str:
    """The core's rule (:func:`workbench.train.metric_direction.metric_direction`); a name it
    does not know (a study written by another version) reads as "maximize"."""
    from workbench.train.metric_direction import find_metric_direction

    return find_metric_direction(objective) or "maximize"


def best_so_far(trials: list[dict[str, Any]], maximize: bool) -> list[tuple[int, float]]:
    """(trial number, best first value up to it) at each complete trial, by number."""
    points, best = [], None
    for row in sorted(trials, key=lambda r: r["number"]):
        if row["state"] != "complete" or not row.get("values"):
            continue
        value = float(row["values"][0])
        if best is None or (value > best if maximize else value < best):
            best = value
        points.append((row["number"], best))
    return points


class StudyReader:
    """Reads one study of a project folder; use it from one thread only."""

    def __init__(self, project_dir: str | Path, study: str) -> None:
        self.path = study_path(project_dir, study)
        self.study = study
        self.url = sqlite_url(self.path)
        self._storage: Any = None
        self.last_study: Any = None  # the optuna Study the last read() loaded
        self._curves: dict[str, tuple[tuple[int, float], list[float]]] = {}

    def read(self) -> dict[str, Any] | None:
        """The study's summary (runner.summarize) with ``seconds`` and ``curve`` per trial
        row; None when there is no study file yet. SearchError when it cannot be read."""
        import optuna

        from workbench.search.runner import summarize
        from workbench.search.study import open_storage

        try:
            if self.path.stat().st_size == 0:
                return None  # being created: opening it now would write a schema into it
        except OSError:
            return None
        if self._storage is None:
            self._storage = open_storage(self.url, None)
        try:
            study = optuna.load_study(study_name=self.study, storage=self._storage)
        except KeyError:
            self.close()  # not created yet (or a file being copied): open afresh next time
            return None
        except Exception as exc:  # a corrupt file, a locked database: one line
            raise SearchError(f"cannot read study '{self.study}' in {self.path}: "
                              f"{str(exc).splitlines()[0] if str(exc) else exc}") from exc
        self.last_study = study
        objectives = list(study.user_attrs.get("objectives") or ["val_accuracy"])
        report = summarize(study, self.url, objectives)
        now = datetime.now()
        by_number = {t.number: t for t in study.get_trials(deepcopy=False)}
        metric = objectives[0]
        for row in report["trials"]:
            trial = by_number[row["number"]]
            start, end = trial.datetime_start, trial.datetime_complete
            row["seconds"] = ((end or now) - start).total_seconds() if start else None
            row["curve"] = self.curve(row.get("run_dir"), metric)
            if row.get("epochs_run") is None and row["curve"]:
                row["epochs_run"] = len(row["curve"])
        report["strategy"] = study.user_attrs.get("strategy")
        return report

    def curve(self, run_dir: str | None, metric: str) -> list[float]:
        """The run's per-epoch ``metric`` (cached until its metrics.jsonl changes)."""
        if not run_dir:
            return []
        log = Path(run_dir) / "metrics.jsonl"
        try:
            stat = log.stat()
        except OSError:
            return []
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._curves.get(run_dir)
        if cached is not None and cached[0] == key:
            return cached[1]
        from workbench.runs.metric_log import MetricLog

        values = [float(r[metric]) for r in MetricLog(log).read()
                  if r.get("kind") == "epoch" and isinstance(r.get(metric), (int, float))]
        self._curves[run_dir] = (key, values)
        return values

    def close(self) -> None:
        if self._storage is not None:
            try:
                self._storage.remove_session()
                self._storage.engine.dispose()
            except Exception:
                pass
            self._storage = None


def trial_config(run_dir: str | Path) -> dict[str, Any]:
    """A trial run's config.json (its sampled ``graph``, ``dataset`` and ``training``);
    SearchError naming the file when it is missing or unreadable."""
    path = Path(run_dir) / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchError(f"cannot read the trial's network from {path}: {exc}") from exc
    if not isinstance(config, dict) or not isinstance(config.get("graph"), dict):
        raise SearchError(f"{path}: expected an object with a 'graph', found none")
    return config
