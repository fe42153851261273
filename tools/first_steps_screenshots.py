"""Screenshots of what a newcomer meets: the start page (light and dark), a lesson opened with
its note, and the Help menu's panel guide. Run: ``python tools/first_steps_screenshots.py
[OUT_DIR]`` (default docs/screenshots). Works offscreen or under xvfb-run."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKBENCH_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtCore, QtWidgets

    from ui import help as help_ui
    from ui.main_window import MainWindow
    from workbench.paths import find_example

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow()
    window.ask_save_changes = lambda: "discard"
    window.resize(1500, 900)
    window.show()
    app.processEvents()
    window.default_dock_sizes()
    steps = window.first_steps

    def settle() -> None:
        for _ in range(8):
            app.processEvents()

    def shoot(widget: QtWidgets.QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(out / f"{name}.png"))
        print(f"wrote {out / name}.png")

    steps.start.show_page()
    shoot(window, "start_page")
    steps.theme.set_choice("dark")
    shoot(window, "start_page_dark")
    steps.theme.set_choice("light")
    window.open_example(find_example("lesson_overfitting"))
    window.view.zoom_to_fit()
    shoot(window, "lesson_overfitting_note")
    guide = help_ui.open_guide(window, "dashboard")
    shoot(guide, "help_panel_guide")
    guide.close()
    shortcuts = help_ui.open_shortcuts(window)
    shoot(shortcuts, "help_shortcuts")
    shortcuts.close()
    window.close()
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)


if __name__ == "__main__":
    main(*sys.argv[1:])
