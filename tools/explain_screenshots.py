"""Screenshots of the Explain panel: an image model (cnn_digits, 2 epochs) and a tabular CSV
model (tabular_csv, 5 epochs), four tabs each, grabbed with QWidget.grab() offscreen and laid
out two by two in one picture per model.

Run: ``python tools/explain_screenshots.py [OUT_DIR] [IMAGE_RUN TABULAR_RUN]`` (default
docs/screenshots; without run folders it trains the two examples in a temporary project).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TILE = (1100, 540)


def train(example: str, epochs: int, folder: Path) -> str:
    from workbench.experiment import RunRequest, execute_run
    from workbench.paths import find_example
    from workbench.project import load_project

    project = load_project(find_example(example))
    request = RunRequest.freeze(project.graph, project.resolved_dataset(),
                                {**project.training, "epochs": epochs, "device": "cpu"},
                                folder, name=example)
    return execute_run(request)["run_dir"]


def shoot(panel, steps, path: Path) -> None:
    """Run each (tab, action) step, grab the panel after it, and save the four grabs 2 x 2."""
    from PySide6 import QtGui

    grabs = []
    for tab, action in steps:
        panel.tabs.setCurrentWidget(tab)
        panel.wait(600_000)
        if action is not None:
            action()
            panel.wait(600_000)
        for _ in range(5):
            QtGui.QGuiApplication.processEvents()
        grabs.append(panel.grab())
    w, h = TILE
    sheet = QtGui.QPixmap(2 * w, h * ((len(grabs) + 1) // 2))
    sheet.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(sheet)
    for i, grab in enumerate(grabs):
        painter.drawPixmap((i % 2) * w, (i // 2) * h, grab)
    painter.end()
    sheet.save(str(path))
    print(f"wrote {path}")


def main(out_dir: str = "docs/screenshots", image_run: str | None = None,
         tabular_run: str | None = None) -> None:
    from PySide6 import QtWidgets

    os.environ["WORKBENCH_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    from ui.panels.explain_panel import ExplainPanel

    if image_run is None or tabular_run is None:
        folder = Path(tempfile.mkdtemp())
        image_run, tabular_run = train("cnn_digits", 2, folder), train("tabular_csv", 5, folder)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panel = ExplainPanel()
    panel.resize(*TILE)
    panel.show()

    panel.set_run(image_run)
    a, m = panel.attributions, panel.mistakes

    def image_attributions() -> None:
        a.samples.setValue(8)
        a.request()

    def mistake_attribution() -> None:
        m.explain_selected()

    shoot(panel, [(a, image_attributions), (m, mistake_attribution),
                  (panel.importance, panel.importance.request),
                  (panel.calibration, panel.calibration.fit)], out / "explain_image.png")

    panel.set_run(tabular_run)

    def tabular_attributions() -> None:
        a.method.setCurrentIndex(a.methods.index("ig"))
        a.samples.setValue(16)
        a.request()

    def groups() -> None:
        panel.groups.group.setCurrentText("habitat")
        panel.groups.min_support.setValue(5)
        panel.groups.request()

    shoot(panel, [(a, tabular_attributions), (panel.importance, panel.importance.request),
                  (m, mistake_attribution), (panel.groups, groups)], out / "explain_tabular.png")
    panel.close()
    app.processEvents()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*args[:1], *(args[1:3] if len(args) >= 3 else []))
