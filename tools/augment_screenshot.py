"""Screenshot of the Training dock's Augmentation section with its live preview grid of
augmented colour_shapes training images.

Run: ``python tools/augment_screenshot.py [OUT_DIR]`` (default docs/screenshots); works
offscreen. The first run generates colour_shapes into the image cache (minutes; later runs
reuse it).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui.training_integration import install_training
    from workbench.graph.templates import cnn

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    project = Path(tempfile.mkdtemp())
    graph = cnn(input_shape=(3, 32, 32), channels=(32, 64), num_classes=10)
    dataset = {"name": "colour_shapes"}
    training = {"epochs": 10, "batch_size": 128,
                "augment": "hflip,crop=0.7,rotate=15,color=0.4,erase=0.25"}
    window = QtWidgets.QMainWindow()
    window.setWindowTitle("Workbench: augmentation")
    docks = install_training(window, lambda: (graph, dataset, training, project, "shapes"))
    for key in ("dashboard", "runs", "health"):
        docks.docks[key].hide()
    window.setCentralWidget(QtWidgets.QWidget())
    window.centralWidget().setMaximumSize(0, 0)
    window.resize(440, 980)
    window.show()
    docks.project_changed()
    section = docks.training.form.editors["augment"]
    deadline = time.monotonic() + 900
    while (section.preview.images is None or section.preview.busy()) \
            and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if section.preview.images is None:
        raise SystemExit(f"no preview: {section.preview.note.text()}")
    scroll = docks.training.findChild(QtWidgets.QScrollArea)
    box = section.parentWidget()
    scroll.ensureWidgetVisible(box, 0, 0)
    scroll.verticalScrollBar().setValue(box.y() - 8)
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(300, loop.quit)
    loop.exec()
    path = out / "training_augment.png"
    docks.docks["training"].grab().save(str(path))
    print(f"wrote {path}")
    docks.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:])
