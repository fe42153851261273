"""Screenshots of what a newcomer meets: the start page (light and dark), a lesson opened with
its note, the Help menu's panel guide and shortcut list, and the overfitting lesson trained in
the dark theme (its Dashboard and its Health finding). Run: ``python tools/first_steps_screenshots.py
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
    out = Path(out_dir).resolve()  # train_lesson changes the working folder
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
    window.view.zoom_to_fit(readable=False)  # the whole network, as Zoom to Fit shows it
    shoot(window, "lesson_overfitting_note")
    guide = help_ui.open_guide(window, "dashboard")
    shoot(guide, "help_panel_guide")
    guide.close()
    shortcuts = help_ui.open_shortcuts(window)
    shoot(shortcuts, "help_shortcuts")
    shortcuts.close()
    train_lesson(window, app, out)
    window.close()
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)


def train_lesson(window, app, out: Path) -> None:
    """Press Train on lesson_overfitting (dark theme) and grab the window when it is done."""
    from PySide6 import QtCore

    from workbench.paths import find_example

    os.chdir(tempfile.mkdtemp())  # the example's runs go to ./workbench-project
    window.first_steps.theme.set_choice("dark")
    window.open_example(find_example("lesson_overfitting"))
    done = QtCore.QEventLoop()
    panel = window.training.training
    panel.runFinished.connect(done.quit)
    panel.runFailed.connect(done.quit)
    window.view.zoom_to_fit(readable=False)
    window.registry.trigger("training.start")
    done.exec()
    for _ in range(20):
        app.processEvents()
    window.training.docks["dashboard"].raise_()
    window.training.docks["health"].raise_()
    window.training.dashboard.redraw_all()
    wait = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(500, wait.quit)
    wait.exec()
    window.grab().save(str(out / "lesson_overfitting_trained_dark.png"))
    print(f"wrote {out / 'lesson_overfitting_trained_dark.png'}")
    window.first_steps.theme.set_choice("system")


if __name__ == "__main__":
    main(*sys.argv[1:])
