"""Screenshots of live training: the dashboard mid-run and after the run.

Trains the digits MLP from the Training panel in a window with the training docks, pauses the
real run after a few epochs to grab the dashboard (then resumes), and grabs it again, plus the
validation metrics tab, when the run has finished. Run:
``python tools/training_screenshots.py [OUT_DIR]`` (default docs/screenshots); works offscreen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui.training_integration import install_training
    from workbench.graph.templates import mlp

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)  # noqa: F841
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    project = Path(tempfile.mkdtemp())
    graph = mlp(input_size=64, hidden=(128, 64), num_classes=10)
    dataset = {"name": "digits"}
    training = {"epochs": 24, "batch_size": 32, "optimizer": "sgd", "lr": 0.05,
                "momentum": 0.9, "schedule": "cosine", "warmup_epochs": 2}
    window = QtWidgets.QMainWindow()
    window.setWindowTitle("Workbench: training")
    docks = install_training(window, lambda: (graph, dataset, training, project, "digits-mlp"))
    for key in ("training", "health"):
        docks.docks[key].hide()
    docks.docks["runs"].hide()
    window.setCentralWidget(QtWidgets.QWidget())
    window.centralWidget().setMaximumSize(0, 0)
    window.resize(1500, 820)
    window.show()
    board = docks.dashboard

    def wait(ms: int) -> None:
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shoot(name: str) -> None:
        board.redraw_all()
        board.auto_range()
        wait(200)
        path = out / f"{name}.png"
        board.grab().save(str(path))
        print(f"wrote {path}")

    def on_job(job) -> None:
        def on_epoch(metrics: dict) -> None:
            if metrics["epoch"] == 8:
                job.pause()
                QtCore.QTimer.singleShot(300, lambda: (shoot("training_midrun"), job.resume()))
        job.epoch.connect(on_epoch)

    docks.training.jobStarted.connect(on_job)
    done = QtCore.QEventLoop()
    docks.training.runFinished.connect(done.quit)
    docks.training.runFailed.connect(done.quit)
    docks.training.start()
    done.exec()
    wait(500)
    board.histogram.select_layer("fc2")
    shoot("training_done")
    board.tabs.setCurrentIndex(1)
    shoot("training_validation_metrics")
    docks.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:])
