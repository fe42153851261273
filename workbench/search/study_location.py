"""Where a project's studies live by default: ``<project>/search/<study>.db`` (SQLite), with the
search process's pid and log files beside them. The one rule for the search, the ``studies`` /
``study`` / ``search-worker`` commands and the app's Search panel. No Optuna, no Qt."""

from __future__ import annotations

from pathlib import Path

from workbench.search.errors import SearchError

STUDY_FOLDER = "search"
STUDY_SUFFIX = ".db"


def study_folder(project_dir: str | Path) -> Path:
    """The folder of a project's study files (absolute; not created here)."""
    return Path(project_dir).resolve() / STUDY_FOLDER


def check_study_name(study: str) -> str:
    """``study`` when it can name a file in the study folder; SearchError otherwise."""
    if (not isinstance(study, str) or not study.strip() or study in (".", "..")
            or any(c in study for c in "/\\\0")):
        raise SearchError(f"a study name must be a file name (not empty, no '/' or '\\'), "
                          f"found {study!r}")
    return study


def study_file(project_dir: str | Path, study: str) -> Path:
    """The SQLite file of ``study`` in the project folder (absolute; may not exist yet). A
    name that is no file name is checked where a study is created (:func:`check_study_name`);
    reading it here finds no file."""
    return study_folder(project_dir) / f"{study}{STUDY_SUFFIX}"


def study_files(project_dir: str | Path) -> list[Path]:
    """The project folder's study files, by name."""
    return sorted(study_folder(project_dir).glob(f"*{STUDY_SUFFIX}"))


def sqlite_url(path: str | Path) -> str:
    """The storage URL of a study file."""
    return f"sqlite:///{Path(path).resolve()}"
