"""Screenshots of an image folder in the app: the image-folder dialog's load report (a damaged
file skipped, counted and listed) and the Training panel while the run decodes the folder.

Run: ``python tools/image_folder_screenshots.py FOLDER [OUT_DIR]`` (default docs/screenshots)
with FOLDER written by ``workbench make-image-folder colour_shapes FOLDER --count 3000``; works
offscreen. It adds one damaged file to FOLDER and uses a fresh cache, so the decode is real.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(folder: str, out_dir: str = "docs/screenshots") -> None:
    os.environ["WORKBENCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="workbench-shots-cache-")
    import torch  # noqa: F401  (the run reaches its decode at once)
    from PySide6 import QtCore, QtWidgets

    from ui.dialogs.image_folder_dialog import ImageFolderDialog
    from ui.panels.training_panel import TrainingPanel
    from workbench.graph.templates import cnn

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(folder)
    classes = sorted(p for p in root.iterdir() if p.is_dir())
    (classes[0] / "IMG_0001.jpg").write_text("a half-copied file")  # damaged

    def pump(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)

    # the training panel first: the run decodes the folder (fresh cache)
    options = {"path": str(root), "size": [32, 32], "bad_images": "skip", "workers": 1}
    graph = cnn(input_shape=(3, 32, 32), channels=(16, 32), num_classes=len(classes))
    panel = TrainingPanel(lambda: (graph, {"name": "image_folder", "options": options},
                                   {"epochs": 1}, Path(tempfile.mkdtemp()), "shapes"))
    panel.resize(440, 900)
    # the run decodes (the augmentation preview would load the folder too, 1.5 s after it is
    # shown, and the run would then find the cache built)
    panel.form.editors["augment"].preview.hide()
    panel.show()
    panel.refresh_from_project()
    shot = {"taken": False}

    def on_progress(progress: dict) -> None:
        if not shot["taken"] and 0 < progress["done"] < progress["total"]:
            shot["taken"] = True
            panel.grab().save(str(out / "training_decode.png"))
            print(f"wrote {out / 'training_decode.png'}")
            panel.stop()

    panel.jobStarted.connect(lambda job: job.dataProgress.connect(on_progress))
    panel.start()
    deadline = time.monotonic() + 300
    while panel.state != "idle" and time.monotonic() < deadline:
        pump(0.05)
    print("panel:", panel.status.text())

    dialog = ImageFolderDialog(None, options)
    dialog.resize(760, 360)
    dialog.show()
    deadline = time.monotonic() + 300
    while dialog.busy() and time.monotonic() < deadline:
        pump(0.05)
    pump(0.3)
    dialog.grab().save(str(out / "image_folder_dialog.png"))
    print(f"wrote {out / 'image_folder_dialog.png'}")
    dialog.reject()
    panel.shutdown()
    QtCore.QCoreApplication.processEvents()


if __name__ == "__main__":
    main(*sys.argv[1:])
