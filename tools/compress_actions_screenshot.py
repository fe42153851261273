"""Screenshots of Prune and Quantize in the app: a digits MLP trained briefly, pruned (50% of
the units, 1 fine-tuning epoch) and quantized (static QDQ) through their dialogs, then the
Compression dock showing the family with the new rows (the root row selected, so its Prune…
and Quantize… buttons are enabled). Writes compression_actions.png (the
dock), prune_dialog.png and quantize_dialog.png (the dialogs with their results).
Run: ``python tools/compress_actions_screenshot.py [OUT_DIR]`` (default docs/screenshots; about
a minute on a CPU). Works offscreen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))


def _wait(app, signal, timeout_ms: int = 600_000) -> None:
    from PySide6 import QtCore

    loop = QtCore.QEventLoop()
    signal.connect(loop.quit)
    QtCore.QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui.main_window import MainWindow
    from workbench.experiment import RunRequest, execute_run
    from workbench.paths import find_example
    from workbench.project import load_project

    folder = Path(tempfile.mkdtemp(prefix="workbench-compress-shot-"))
    project_file = find_example("mlp_digits")
    project = load_project(project_file)
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": 5, "device": "cpu"}, folder,
                                name="mlp_digits")
    root = execute_run(request)["run_dir"]
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    window = MainWindow(project, None)
    window.resize(1900, 1000)
    window.show()
    runs = window.training.runs
    runs.set_project_dir(folder)
    actions = window.compression.actions
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    prune = actions.prune_run(root)
    prune.wait_preview()
    app.processEvents()
    prune.finetune.setValue(1)
    prune.start()
    _wait(app, prune.jobEnded)
    app.processEvents()
    prune.grab().save(str(out / "prune_dialog.png"))
    prune.close()

    quantize = actions.quantize_run(root)
    quantize.fmt.setCurrentIndex(quantize.fmt.findData("auto"))
    quantize.start()
    _wait(app, quantize.jobEnded)
    app.processEvents()
    quantize.grab().save(str(out / "quantize_dialog.png"))
    quantize.close()

    panel = window.compression
    dock = window.docks["compression"]
    window.resizeDocks([dock], [420], QtCore.Qt.Vertical)
    panel.wait(600_000)
    for _ in range(10):
        app.processEvents()
    panel.wait(600_000)
    for _ in range(10):
        app.processEvents()
    panel.table.selectRow(0)  # the float root: Prune… and Quantize… enabled for it
    app.processEvents()
    dock.grab().save(str(out / "compression_actions.png"))
    print(f"wrote {out / 'compression_actions.png'}, prune_dialog.png, quantize_dialog.png")
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
