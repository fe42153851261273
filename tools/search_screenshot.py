"""The Search panel's screenshot for the README: a small study of the bundled digits MLP space
(8 trials of 4 epochs, successive halving, so some trials are pruned), shown in the app.
Run: ``python tools/search_screenshot.py [OUT_DIR]`` (default docs/screenshots; a few minutes
on a CPU). Works offscreen."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui.main_window import MainWindow
    from workbench.cli import main as cli
    from workbench.paths import EXAMPLES_DIR
    from workbench.project import load_project

    folder = Path(tempfile.gettempdir()) / "workbench-search-screenshot"  # kept: reused
    folder.mkdir(exist_ok=True)
    data = json.loads((EXAMPLES_DIR / "search_mlp_digits.wbproj.json").read_text())
    data["training"]["epochs"] = 4
    project_file = folder / "search_mlp_digits.wbproj.json"
    project_file.write_text(json.dumps(data))
    if not (folder / "search" / "search_mlp_digits.db").is_file():
        code = cli(["search", str(project_file), "--project", str(folder), "--trials", "8",
                    "--strategy", "tpe", "--pruner", "successive_halving", "--seed", "1"])
        assert code == 0, "the search failed"
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    window = MainWindow(load_project(project_file), project_file)
    window.resize(1500, 950)
    window.show()
    app.processEvents()
    window.search.show()
    window.resizeDocks([window.search.dock], [480], QtCore.Qt.Vertical)
    panel = window.search.panel
    for _ in range(20):
        panel.wait_for_read()
        app.processEvents()
    best = panel.best_row()
    if best is not None:
        panel.table.select_trial(best["number"])
    window.view.zoom_to_fit()
    for _ in range(5):
        app.processEvents()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    window.search.dock.grab().save(str(out / "search_panel.png"))
    window.grab().save(str(out / "search_window.png"))
    print(f"wrote {out / 'search_panel.png'} and {out / 'search_window.png'}")
    panel.shutdown()
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(*sys.argv[1:])
