"""Screenshots of the app for the README and for looking at: an empty project, each example,
and an invalid network. Run: ``python tools/screenshots.py [OUT_DIR]`` (default
docs/screenshots). Works offscreen (QT_QPA_PLATFORM=offscreen) or under xvfb-run."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui.main_window import MainWindow
    from workbench.paths import PROJECT_SUFFIX, example_paths

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow()
    window.resize(1500, 900)
    window.show()
    app.processEvents()
    window.default_dock_sizes()

    def shoot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        window.document.analyze_now()
        window.view.zoom_to_fit()
        app.processEvents()
        window.grab().save(str(out / f"{name}.png"))
        print(f"wrote {out / name}.png")

    shoot("empty_project")
    for path in example_paths():
        window.open_example(path)
        shoot(f"example_{path.name[: -len(PROJECT_SUFFIX)]}")
    window.open_example(next(p for p in example_paths() if "mlp_digits" in p.name))
    window.set_param("fc2", "in_features", 100)  # pins the wrong size: a visible shape error
    window.scene.select_nodes(["fc2"])
    shoot("invalid_network")
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)


if __name__ == "__main__":
    main(*sys.argv[1:])
