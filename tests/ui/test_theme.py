"""Themes: light/dark follow the OS unless View > Theme overrides it (persisted); plots and
the canvas follow too."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

import ui.theme as theme
from ui.panels.plot_live import LivePlot


def lightness(colour: QtGui.QColor) -> int:
    return colour.lightness()


def test_dark_and_back_recolours_widgets_plots_and_canvas(window, qtbot):
    manager = window.first_steps.theme
    plot = LivePlot("Loss", y_label="loss")
    qtbot.addWidget(plot)
    manager.set_choice("dark")
    app = QtWidgets.QApplication.instance()
    assert lightness(app.palette().color(QtGui.QPalette.Window)) < 128
    assert lightness(plot.backgroundBrush().color()) < 128
    axis = plot.getPlotItem().getAxis("left")
    assert lightness(axis.textPen().color()) > 128  # light text on the dark plot
    assert lightness(window.scene.backgroundBrush().color()) < 128
    assert lightness(QtGui.QColor(theme.edge_label_colour())) > 128
    later = LivePlot("made after the switch")  # new plots take the theme too
    qtbot.addWidget(later)
    assert lightness(later.backgroundBrush().color()) < 128
    manager.set_choice("light")
    assert lightness(app.palette().color(QtGui.QPalette.Window)) > 128
    assert lightness(plot.backgroundBrush().color()) > 128
    assert lightness(window.scene.backgroundBrush().color()) > 128


def test_choice_is_persisted_and_read_back(window):
    window.first_steps.theme.set_choice("dark")
    window.settings.sync()
    fresh = QtCore.QSettings(window.settings.fileName(), QtCore.QSettings.IniFormat)
    assert theme.saved_choice(fresh) == "dark"
    window.first_steps.theme.set_choice("system")


def test_system_choice_follows_the_operating_system(window, monkeypatch):
    manager = window.first_steps.theme
    manager.set_choice("system")
    monkeypatch.setattr(theme, "system_scheme", lambda: "dark")
    manager._system_changed(QtCore.Qt.ColorScheme.Dark)  # what colorSchemeChanged calls
    assert manager.effective == "dark"
    monkeypatch.setattr(theme, "system_scheme", lambda: "light")
    manager._system_changed(QtCore.Qt.ColorScheme.Light)
    assert manager.effective == "light"
    manager.set_choice("light")  # an explicit choice ignores the OS
    monkeypatch.setattr(theme, "system_scheme", lambda: "dark")
    manager._system_changed(QtCore.Qt.ColorScheme.Dark)
    assert manager.effective == "light"


def test_view_menu_has_the_switch(window):
    menu = window.findChild(QtWidgets.QMenu, "theme_menu")
    actions = {a.objectName(): a for a in menu.actions()}
    assert set(actions) == {"theme_system", "theme_light", "theme_dark"}
    actions["theme_dark"].trigger()
    assert window.first_steps.theme.choice == "dark" and actions["theme_dark"].isChecked()
    actions["theme_light"].trigger()


def test_unknown_saved_value_falls_back_to_system(tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.IniFormat)
    settings.setValue(theme.SETTING, "purple")
    assert theme.saved_choice(settings) == "system"
