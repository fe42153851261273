"""Screenshots of comparing runs: the Runs panel's settings diff and the dashboard's overlays.

Trains two short runs of the digits MLP headless (same network, different optimizer and learning
rate) and, when the regression example exists, two of it; opens each project in the real main
window at the default size (1400x900), selects both runs and grabs the window with the Runs panel
(settings that differ, side-by-side diff) and with the Dashboard (every plot overlaid). Run:
``python tools/comparison_screenshots.py [OUT_DIR]`` (default docs/screenshots); offscreen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ({"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "batch_size": 32},
            {"optimizer": "adam", "lr": 0.003, "batch_size": 64})


def train_two(example: str, folder: Path, epochs: int) -> Path:
    """Copy the example project into ``folder`` and train two variants of it there."""
    from workbench.experiment import RunRequest, execute_run
    from workbench.project import load_project, save_project

    project = load_project(ROOT / "resources" / "examples" / f"{example}.wbproj.json")
    path = folder / f"{example}.wbproj.json"
    project.base_dir = folder
    save_project(project, path)
    for variant in VARIANTS:
        training = {**project.training, "epochs": epochs, **variant}
        execute_run(RunRequest.freeze(project.graph, project.resolved_dataset(), training,
                                      folder, f"{variant['optimizer']}-{variant['lr']}"))
    return path


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    os.environ["WORKBENCH_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    from ui.main_window import MainWindow

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow()
    window.ask_save_changes = lambda: "discard"
    window.resize(1400, 900)
    window.show()

    def wait(ms: int) -> None:
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shoot(name: str) -> None:
        window.training.dashboard.redraw_all()
        window.training.dashboard.auto_range()
        wait(300)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")

    examples = [("mlp_digits", "compare_digits", 8)]
    if (ROOT / "resources" / "examples" / "regression_diabetes.wbproj.json").exists():
        examples.append(("regression_diabetes", "compare_regression", 8))
    for example, name, epochs in examples:
        folder = Path(tempfile.mkdtemp())
        project_path = train_two(example, folder, epochs)
        window.open_project(str(project_path))
        wait(200)
        runs = window.training.runs
        runs.select_runs([r.path for r in runs.runs])
        window.training.docks["runs"].raise_()
        window.resizeDocks([window.training.docks["runs"]], [430], QtCore.Qt.Vertical)
        shoot(f"{name}_runs")
        window.training.docks["dashboard"].raise_()
        shoot(f"{name}_dashboard")
    window.training.shutdown()
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main(*sys.argv[1:])
