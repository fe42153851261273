"""A tiny search project (the bundled digits MLP space, 1 epoch) and a study made for it."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.paths import EXAMPLES_DIR


def tiny_search_project(folder: Path, epochs: int = 1) -> Path:
    """search_mlp_digits with ``epochs`` epochs, saved as ``folder/tiny.wbproj.json``."""
    data = json.loads((EXAMPLES_DIR / "search_mlp_digits.wbproj.json").read_text())
    data["training"]["epochs"] = epochs
    data["name"] = "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.wbproj.json"
    path.write_text(json.dumps(data))
    return path


def make_study(project_file: Path, trials: int = 2) -> None:
    """Run ``workbench search`` in this process (random strategy, seed 0)."""
    from workbench.cli import main

    code = main(["search", str(project_file), "--project", str(project_file.parent),
                 "--trials", str(trials), "--strategy", "random", "--seed", "0", "--json"])
    assert code == 0
