"""The canvas opens a network zoomed to fit when it fits at a readable size; otherwise it shows
the start of it with an obvious button that shows the whole network."""

from __future__ import annotations

from PySide6 import QtWidgets

from ui.editor.canvas_view import READABLE_SCALE
from workbench.paths import find_example
from workbench.project import load_project


def all_visible(window) -> bool:
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    return all(shown.contains(i.sceneBoundingRect()) for i in window.scene.nodes.values())


def test_a_small_network_opens_zoomed_to_fit_without_the_button(window, qtbot):
    window.resize(1360, 860)
    window.new_project()  # Input and Output, 600 apart
    qtbot.waitUntil(lambda: all_visible(window), timeout=3000)
    assert window.view.transform().m11() >= READABLE_SCALE
    qtbot.wait(120)
    assert not window.view.fit_button.isVisible()


def test_a_long_network_opens_readable_with_a_fit_button(window, qtbot):
    window.resize(900, 700)
    window.open_example(find_example("resnet_small"))
    view = window.view
    assert view.transform().m11() >= READABLE_SCALE - 1e-6 and not all_visible(window)
    qtbot.waitUntil(view.fit_button.isVisible, timeout=3000)
    view.fit_button.click()
    assert all_visible(window)
    qtbot.waitUntil(lambda: not view.fit_button.isVisible(), timeout=3000)


def test_a_project_given_before_the_window_shows_is_fitted_once_shown(qtbot):
    from ui.main_window import MainWindow

    project = load_project(find_example("mlp_digits"))
    project.graph.nodes = project.graph.nodes[:3]
    project.graph.edges = project.graph.edges[:2]
    window = MainWindow(project)
    window.ask_save_changes = lambda: "discard"
    qtbot.addWidget(window)
    window.resize(1360, 860)
    window.show()
    qtbot.waitUntil(lambda: all_visible(window), timeout=3000)
    window.training.shutdown()
    window.close()
    QtWidgets.QApplication.processEvents()


def test_pasting_twice_never_stacks_nodes(window):
    window.open_example(find_example("mlp_digits"))
    window.scene.select_nodes(["fc1"])
    window.registry.trigger("edit.copy")
    first = window.paste()
    second = window.paste()
    window.scene.select_nodes(second)
    window.registry.trigger("edit.duplicate")
    positions = [n.position for n in window.document.spec.nodes]
    assert len(set(positions)) == len(positions)
    source = window.document.spec.node("fc1").position
    pasted = window.document.spec.node(first[0]).position
    assert pasted == (source[0] + 40, source[1] + 40)
