"""Commands as data: each menu/toolbar action is declared once (id, text, shortcut, callback,
enabled-when) and menus are generated from the declarations, so tests can trigger any command
by id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6 import QtGui, QtWidgets


@dataclass
class Command:
    id: str
    text: str
    callback: Callable[[], Any]
    shortcut: Any = None  # a string like "Ctrl+D", a QKeySequence.StandardKey, or a list
    menu: str = ""
    enabled: Callable[[], bool] | None = None
    tooltip: str = ""
    toolbar: bool = False


class CommandRegistry:
    """Owns one QAction per command."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        self.parent = parent
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, QtGui.QAction] = {}

    def add(self, command: Command) -> QtGui.QAction:
        action = QtGui.QAction(command.text, self.parent)
        action.setObjectName(command.id)
        shortcuts = command.shortcut if isinstance(command.shortcut, list) else (
            [command.shortcut] if command.shortcut is not None else [])
        keys: list[QtGui.QKeySequence] = []
        for s in shortcuts:
            if isinstance(s, QtGui.QKeySequence.StandardKey):
                keys += QtGui.QKeySequence.keyBindings(s)
            else:
                keys.append(QtGui.QKeySequence(s))
        action.setShortcuts(keys)
        tip = command.tooltip or command.text.replace("&", "")
        if keys:
            tip += f" ({keys[0].toString(QtGui.QKeySequence.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(command.tooltip)
        action.triggered.connect(lambda _checked=False, c=command: c.callback())
        self.parent.addAction(action)
        self.commands[command.id] = command
        self.actions[command.id] = action
        return action

    def trigger(self, command_id: str) -> None:
        """Run a command by id, as a click would (refused when it is disabled)."""
        self.update_enabled()
        action = self.actions[command_id]
        if action.isEnabled():
            action.trigger()

    def update_enabled(self) -> None:
        for command_id, command in self.commands.items():
            if command.enabled is not None:
                try:
                    self.actions[command_id].setEnabled(bool(command.enabled()))
                except RuntimeError:  # the window is being torn down
                    return

    def build_menus(self, menubar: QtWidgets.QMenuBar,
                    order: list[str]) -> dict[str, QtWidgets.QMenu]:
        menus: dict[str, QtWidgets.QMenu] = {}
        for title in order:
            menu = menubar.addMenu(title)
            menu.aboutToShow.connect(self.update_enabled)
            menus[title] = menu
        for command_id, command in self.commands.items():
            if not command.menu:
                continue
            if command.menu not in menus:
                menus[command.menu] = menubar.addMenu(command.menu)
            menus[command.menu].addAction(self.actions[command_id])
        return menus
