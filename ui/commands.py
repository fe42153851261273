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


def expand_shortcut(shortcut: Any) -> list[QtGui.QKeySequence]:
    """Every key sequence a declaration binds, with the platform's standard keys expanded
    (e.g. StandardKey.Delete is Del and Ctrl+D under X11), duplicates kept."""
    declared = shortcut if isinstance(shortcut, list) else (
        [shortcut] if shortcut is not None else [])
    keys: list[QtGui.QKeySequence] = []
    for s in declared:
        if isinstance(s, QtGui.QKeySequence.StandardKey):
            keys += QtGui.QKeySequence.keyBindings(s)
        else:
            keys.append(QtGui.QKeySequence(s))
    return [k for k in keys if not k.isEmpty()]


def shortcut_clashes(bindings: dict[str, list[QtGui.QKeySequence]]) -> list[str]:
    """Key sequences bound twice, within one command or across commands: Qt then fires none
    of them ("Ambiguous shortcut overload"). ``bindings`` maps a command id to its keys."""
    owners: dict[str, list[str]] = {}
    for command_id, keys in bindings.items():
        for key in keys:
            owners.setdefault(key.toString(QtGui.QKeySequence.PortableText), []).append(
                command_id)
    return [f"{key} is bound to {', '.join(ids)}" for key, ids in owners.items()
            if len(ids) > 1]


class CommandRegistry:
    """Owns one QAction per command."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        self.parent = parent
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, QtGui.QAction] = {}

    def add(self, command: Command) -> QtGui.QAction:
        action = QtGui.QAction(command.text, self.parent)
        action.setObjectName(command.id)
        keys: list[QtGui.QKeySequence] = []
        for key in expand_shortcut(command.shortcut):  # a key twice in one action fires never
            if key not in keys:
                keys.append(key)
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

    def bindings(self) -> dict[str, list[QtGui.QKeySequence]]:
        """Each command's declared keys (standard keys expanded), for the clash check."""
        return {i: expand_shortcut(c.shortcut) for i, c in self.commands.items()}

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
