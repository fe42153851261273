"""Reading studies back: the studies of a project folder and one study's trials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.search.errors import SearchError
from workbench.search.study_location import sqlite_url, study_file, study_files, study_folder

__all__ = ["default_url", "list_studies", "study_files", "study_report"]


def list_studies(project_dir: str | Path, storage: str | None = None) -> list[dict[str, Any]]:
    """One summary per study (without its trial rows): from ``storage`` or from every study
    file of the project folder."""
    urls = [storage] if storage else [sqlite_url(p) for p in study_files(project_dir)]
    out = []
    for url in urls:
        for name in _names(url):
            report = study_report(name, url)
            report.pop("trials")
            out.append(report)
    return out


def study_report(name: str, url: str) -> dict[str, Any]:
    """The study's summary with a row per trial (runner.summarize)."""
    import optuna

    from workbench.search.runner import summarize
    from workbench.search.study import open_storage

    if name not in _names(url):
        raise SearchError(f"no study '{name}' in {url} (studies: "
                          f"{', '.join(_names(url)) or 'none'})")
    study = optuna.load_study(study_name=name, storage=open_storage(url, None))
    objectives = study.user_attrs.get("objectives") or [
        f"objective{i}" for i in range(len(study.directions))]
    result = summarize(study, url, list(objectives))
    result["strategy"] = study.user_attrs.get("strategy")
    return result


def default_url(project_dir: str | Path, name: str) -> str:
    """The study file of ``name`` in the project folder; SearchError if there is none."""
    path = study_file(project_dir, name)
    if not path.is_file():
        found = ", ".join(p.stem for p in study_files(project_dir)) or "none"
        raise SearchError(f"no study '{name}' in {study_folder(project_dir)} (studies: "
                          f"{found})")
    return sqlite_url(path)


def _names(url: str) -> list[str]:
    from workbench.search.study import open_storage

    storage = open_storage(url, None)
    try:
        return [s.study_name for s in storage.get_all_studies()]
    except Exception as exc:  # a foreign library's failure types, one message
        raise SearchError(f"cannot read the study storage {url}: {exc}") from exc
