"""Start page: new, open, recent, examples with thumbnails; lessons open with their note."""

from __future__ import annotations

import json

from PySide6 import QtCore, QtGui

from ui.editor.node_item import CATEGORY_COLOURS
from ui.settings import add_recent
from ui.start_page import StartPage, graph_thumbnail, read_examples
from workbench.paths import find_example


def test_every_bundled_example_is_listed_with_a_description():
    entries = {e.name: e for e in read_examples()}
    assert {"mlp_digits", "cnn_digits", "resnet_small", "lesson_overfitting",
            "lesson_overfitting_cured", "lesson_class_imbalance"} <= set(entries)
    assert all(e.description and "\n" not in e.description for e in entries.values())
    assert entries["lesson_dead_relu"].is_lesson and not entries["mlp_digits"].is_lesson


def test_thumbnail_draws_the_network(qapp):
    graph = json.loads(find_example("resnet_small").read_text())["graph"]
    image = graph_thumbnail(graph).toImage()
    background = image.pixelColor(1, 1)
    colours = {image.pixelColor(x, y).name() for x in range(image.width())
               for y in range(image.height())}
    for kind in ("IO", "Convolution", "Normalization", "Activation", "Merge"):
        assert CATEGORY_COLOURS[kind] in colours, f"no {kind} layer drawn"
    empty = graph_thumbnail({"nodes": [], "edges": []}).toImage()
    assert {empty.pixelColor(x, 5).name() for x in range(0, empty.width(), 7)} == {
        background.name()}


def test_launch_without_a_file_shows_the_page_and_an_example_opens_the_canvas(make_window,
                                                                            qtbot):
    window = make_window()
    host = window.first_steps.start
    host.show_page()
    assert host.showing and host.page.isVisible()
    assert not window.view.isVisible()
    hint = host.page.hint.text()
    assert "Layers" in hint and "port" in hint and "drag" in hint.lower()
    card = host.page.cards["mlp_digits"]
    assert not card.icon().isNull() and "mlp_digits" in card.text()
    qtbot.mouseClick(card, QtCore.Qt.LeftButton)
    assert not host.showing and window.view.isVisible()
    assert window.document.name == "mlp_digits" and len(window.document.spec.nodes) == 8
    assert window.document.path is None  # an example opens as a new project


def test_lesson_opens_with_its_note_shown(make_window, qtbot):
    window = make_window()
    host = window.first_steps.start
    host.show_page()
    qtbot.mouseClick(host.page.cards["lesson_overfitting"], QtCore.Qt.LeftButton)
    note, dock = window.first_steps.note, window.first_steps.note_dock
    assert dock.isVisible() and not dock.visibleRegion().isEmpty()
    assert "Lesson: overfitting" in note.toPlainText()
    assert "Press Train" in " ".join(note.toPlainText().split())
    window.first_steps.start.page.new_requested.emit()  # a project without a note
    assert not dock.isVisible()


def test_new_and_recent(make_window, tmp_path, qtbot):
    window = make_window()
    saved = tmp_path / "mine.wbproj.json"
    window._write(saved)
    host = window.first_steps.start
    host.show_page()
    assert host.page.recent_list.count() == 1 and not host.page.no_recent.isVisible()
    item = host.page.recent_list.item(0)
    assert item.text() == "mine" and item.toolTip() == str(saved.resolve())
    host.page.recent_list.itemActivated.emit(item)
    assert not host.showing and window.document.path == saved
    host.show_page()
    qtbot.mouseClick(host.page.new_button, QtCore.Qt.LeftButton)
    assert not host.showing and window.document.path is None


def test_cancelled_open_stays_on_the_page(make_window):
    window = make_window()
    window.ask_open_path = lambda: ""
    host = window.first_steps.start
    host.show_page()
    host.page.open_button.click()
    assert host.showing


def test_view_menu_brings_the_page_back(make_window):
    window = make_window()
    assert not window.first_steps.start.showing
    window.registry.trigger("view.start_page")
    assert window.first_steps.start.showing


def test_missing_recent_file_is_marked(tmp_path, qapp):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    add_recent(settings, tmp_path / "gone.wbproj.json")
    page = StartPage(settings)
    assert page.recent_list.item(0).text() == "gone  (missing)"
    assert page.recent_list.item(0).foreground().color() == QtGui.QColor("#9e9e9e")
    page.deleteLater()


def test_the_app_launched_without_a_file_opens_on_the_start_page(monkeypatch, qapp):
    from ui.app import run_app
    from ui.start_page import StartPageHost

    shown = []
    original = StartPageHost.show_page
    monkeypatch.setattr(StartPageHost, "show_page",
                        lambda self: (shown.append(self), original(self)))
    monkeypatch.setenv("WORKBENCH_QUIT_AFTER_MS", "300")
    monkeypatch.setenv("WORKBENCH_DISABLE_PLUGINS", "1")  # keep the catalogue as it is
    assert run_app(["workbench"]) == 0
    assert len(shown) == 1
