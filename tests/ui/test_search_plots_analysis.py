"""The Search panel's analysis tabs on a synthetic SQLite study (no training): importance
bars computed on the reader's thread, parallel coordinates, the Pareto front for two
objectives, and the screenshot docs/screenshots/search_analysis.png."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.ui.test_search_analysis import synthetic_study

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "search_analysis.png"


def panel_on(tmp_path, qtbot, trials: int, objectives: int):
    from ui.panels.search_panel import SearchPanel

    (tmp_path / "search").mkdir()
    synthetic_study(trials, objectives, storage=f"sqlite:///{tmp_path / 'search' / 's.db'}")
    panel = SearchPanel(interval_ms=60_000)
    qtbot.addWidget(panel)
    panel.set_context(tmp_path, "s", None)
    panel.wait_for_read()
    return panel


@pytest.fixture
def cleanup():
    panels = []
    yield panels
    for panel in panels:
        panel.shutdown()


def test_two_objectives_show_importance_parallel_and_pareto(tmp_path, qtbot, cleanup,
                                                           monkeypatch):
    from ui.panels import search_analysis

    threads = []
    original = search_analysis.param_importances
    monkeypatch.setattr(search_analysis, "param_importances", lambda *a, **k: (
        threads.append(threading.current_thread().name), original(*a, **k))[1])
    panel = panel_on(tmp_path, qtbot, trials=12, objectives=2)
    cleanup.append(panel)
    assert threads and all(name.startswith("study-reader") for name in threads)
    assert panel.importance.ranked[0][0] == "width"
    assert not panel.importance.plot.isHidden()
    assert len(panel.parallel.layout_data["lines"]) == 12
    assert [a["name"] for a in panel.parallel.layout_data["axes"]] == ["act", "lr", "width"]
    assert panel.plot_tabs.isTabVisible(3)
    study_front = {r["number"] for r in panel.report["pareto_front"]}
    assert set(panel.pareto_plot.front) == study_front
    panel._stale = True  # a re-read with the same complete trials: importance not recomputed
    panel.poll()
    panel.wait_for_read()
    assert len(threads) == 1

    panel.resize(1300, 820)
    panel.show()
    images = []
    for tab in (1, 3, 2):  # importance, Pareto front, parallel coordinates
        panel.plot_tabs.setCurrentIndex(tab)
        widget = panel.plot_tabs.currentWidget()
        widget.resize(640 if tab != 2 else 1290, 340)
        qtbot.wait(100)
        images.append(widget.grab().toImage())
    for image in images:
        colours = {image.pixel(x, y) for x in range(0, image.width(), 5)
                   for y in range(0, image.height(), 5)}
        assert image.width() > 400 and image.height() > 150 and len(colours) > 8
    save_composite(images, SCREENSHOT)


def save_composite(images, path: Path) -> None:
    """Importance and Pareto front side by side above the parallel coordinates."""
    from PySide6 import QtGui

    top = max(images[0].height(), images[1].height())
    width = max(images[0].width() + images[1].width() + 10, images[2].width())
    canvas = QtGui.QImage(width, top + images[2].height() + 10, QtGui.QImage.Format_RGB32)
    canvas.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(canvas)
    painter.drawImage(0, 0, images[0])
    painter.drawImage(images[0].width() + 10, 0, images[1])
    painter.drawImage(0, top + 10, images[2])
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert canvas.save(str(path))


def test_one_objective_hides_pareto_and_one_trial_explains_importance(tmp_path, qtbot,
                                                                      cleanup):
    panel = panel_on(tmp_path, qtbot, trials=1, objectives=1)
    cleanup.append(panel)
    assert not panel.plot_tabs.isTabVisible(3)
    assert panel.importance.ranked == [] and panel.importance.plot.isHidden()
    assert "needs 2 complete trials, found 1" in panel.importance.note.text()
    assert len(panel.parallel.layout_data["lines"]) == 1
