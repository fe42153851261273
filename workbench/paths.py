"""Where the Workbench finds its bundled resources and puts its projects."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RESOURCES_DIR = REPO_ROOT / "resources"
EXAMPLES_DIR = RESOURCES_DIR / "examples"
DEFAULT_PROJECT_DIR_NAME = "workbench-project"
PROJECT_SUFFIX = ".wbproj.json"


def example_paths() -> list[Path]:
    """Every bundled example project file, sorted by name."""
    return sorted(EXAMPLES_DIR.glob(f"*{PROJECT_SUFFIX}"))


def find_example(name: str) -> Path | None:
    """The bundled example called ``name`` (with or without the suffix), if any."""
    stem = name[: -len(PROJECT_SUFFIX)] if name.endswith(PROJECT_SUFFIX) else name
    path = EXAMPLES_DIR / f"{stem}{PROJECT_SUFFIX}"
    return path if path.is_file() else None


def default_project_dir() -> Path:
    """Runs go here unless ``--project`` says otherwise: under the current directory."""
    return Path.cwd() / DEFAULT_PROJECT_DIR_NAME


def is_bundled(path: str | Path) -> bool:
    """True for files shipped with the Workbench (examples): never write runs next to them."""
    return Path(path).resolve().is_relative_to(RESOURCES_DIR)
