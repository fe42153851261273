"""What a newcomer meets, wired into the main window in one place: the start page, the Note
panel (a project's note, e.g. a lesson's), the Help menu and the theme.

``MainWindow`` creates ``FirstSteps(self)`` once its docks and command registry exist, calls
``project_opened(project)`` from ``set_document`` and ``finish()`` at the end of its
constructor.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtWidgets

from ui.commands import Command
from ui.project_note import install_note_dock
from ui.start_page import StartPageHost
from ui.theme import ThemeManager, apply_to_canvas, theme_menu
from workbench.project import Project


class FirstSteps:
    def __init__(self, window: Any) -> None:
        self.window = window
        self.note, self.note_dock = install_note_dock(window)
        self.start = StartPageHost(window)
        self.theme = ThemeManager(window.settings, window)
        self.theme.changed.connect(lambda scheme: apply_to_canvas(window.scene, scheme))
        self._note_placed = False
        for command in self.commands():
            window.registry.add(command)

    def commands(self) -> list[Command]:
        from ui import help as help_ui

        w = self.window
        return [
            Command("view.start_page", "&Start Page", self.start.show_page, None, "&View",
                    tooltip="New project, open, recent files, examples and lessons"),
            Command("help.guide", "&Panel Guide", lambda: help_ui.open_guide(w), "F1",
                    "&Help", tooltip="What each panel, plot and Health finding means"),
            Command("help.shortcuts", "&Keyboard Shortcuts", lambda: help_ui.open_shortcuts(w),
                    "Ctrl+/", "&Help", tooltip="Every command with a key"),
            Command("help.tour", "&Tour of the App", lambda: help_ui.open_tour(w), None,
                    "&Help", tooltip="The README's tour: build, train, diagnose, export"),
        ]

    def project_opened(self, project: Project) -> None:
        """A project is up: show the canvas, and its note if it has one."""
        self.start.show_canvas()
        if self.note.show_note(project):
            if not self._note_placed and "inspector" in self.window.docks:
                self.window.tabifyDockWidget(self.window.docks["inspector"], self.note_dock)
                self._note_placed = True
            self.note_dock.show()
            self.note_dock.raise_()
        else:
            self.note_dock.hide()

    def finish(self) -> None:
        """After the window is built (and its saved layout restored): the View > Theme menu,
        the theme applied to everything, the note dock matching the open project."""
        menus = [a.menu() for a in self.window.menuBar().actions() if a.menu() is not None]
        for menu in menus:
            menu.setToolTipsVisible(True)  # each command's tooltip says what it does
        view_menu = next((m for m in menus if m.title() == "&View"), None)
        if isinstance(view_menu, QtWidgets.QMenu):
            view_menu.addMenu(theme_menu(self.theme, self.window))
        self.theme.apply()
        document = getattr(self.window, "document", None)
        if document is not None:
            self.note_dock.setVisible(bool(document.project.note))
