"""The Help menu: keyboard shortcuts (generated from the declared commands), a short guide to
each panel (what every plot and Health finding means), and the README's tour of the app."""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.help_texts import HEALTH_GUIDE, PANEL_GUIDES
from workbench.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
TOUR_HEADING = "## The app"


def shortcut_rows(registry: Any) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every declared command that has a key, in menu order."""
    rows = []
    for command_id, command in registry.commands.items():
        action = registry.actions[command_id]
        keys = [k.toString(QtGui.QKeySequence.NativeText) for k in action.shortcuts()
                if not _media_key(k)]
        keys = [k for k in dict.fromkeys(keys) if k]
        if not keys:
            continue
        menu = (command.menu or "File").replace("&", "")
        rows.append((menu, command.text.replace("&", "").rstrip("…").strip(), ", ".join(keys)))
    order = {m: i for i, m in enumerate(["File", "Edit", "View", "Train", "Help"])}
    return sorted(rows, key=lambda r: order.get(r[0], len(order)))


def _media_key(sequence: QtGui.QKeySequence) -> bool:
    """A keyboard's dedicated New/Open/Copy… key (part of some standard bindings): not
    something to teach."""
    if sequence.isEmpty():
        return True
    key = sequence[0].key()
    return int(getattr(key, "value", key)) >= int(QtCore.Qt.Key_Back.value)


def readme_tour(readme: Any = README) -> str:
    """The README's section about the app (Markdown), read now so it is never a stale copy."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return ("The README (with the tour of the app) is not installed next to this copy of "
                f"the Workbench; expected it at {readme}.")
    start = text.find(TOUR_HEADING)
    if start < 0:
        return text
    end = text.find("\n## ", start + len(TOUR_HEADING))
    section = text[start: end if end > 0 else len(text)].strip()
    # images are relative to the README; point them at the file so they show
    return re.sub(r"\]\((?!https?:)([^)]+)\)",
                  lambda m: f"]({(readme.parent / m.group(1)).as_uri()})", section)


class ShortcutsDialog(QtWidgets.QDialog):
    """A table of every command with a keyboard shortcut."""

    def __init__(self, registry: Any, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcuts_dialog")
        rows = shortcut_rows(registry)
        self.table = QtWidgets.QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["menu", "command", "keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
        self.resize(520, min(640, 90 + 30 * len(rows)))


def guide_html() -> str:
    """Every panel's guide, then every Health finding, as one HTML page with a contents list."""
    parts = ["<h2>Panel guide</h2><p>"]
    parts.append(" · ".join(f"<a href='#{key}'>{html.escape(title)}</a>"
                            for key, (title, _body) in PANEL_GUIDES.items()))
    parts.append(" · <a href='#health_findings'>Health findings</a></p>")
    for key, (title, body) in PANEL_GUIDES.items():
        parts.append(f"<h3><a name='{key}'></a>{html.escape(title)}</h3>{body}")
    parts.append("<h3><a name='health_findings'></a>What each Health finding means</h3><dl>")
    for code, (title, body) in HEALTH_GUIDE.items():
        parts.append(f"<dt><b>{html.escape(title)}</b> <small>({code})</small></dt>"
                     f"<dd>{body}</dd>")
    parts.append("</dl>")
    return "".join(parts)


class HelpBrowser(QtWidgets.QDialog):
    """A non-modal reader for the panel guide or the tour."""

    def __init__(self, title: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QtWidgets.QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(close)
        self.resize(720, 640)

    def show_anchor(self, anchor: str) -> None:
        QtCore.QTimer.singleShot(0, lambda: self.browser.scrollToAnchor(anchor))


def open_shortcuts(window: Any) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window.registry, window)
    dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog


def open_guide(window: Any, anchor: str = "") -> HelpBrowser:
    dialog = HelpBrowser("Panel Guide", window)
    dialog.setObjectName("panel_guide")
    dialog.browser.setHtml(guide_html())
    dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
    dialog.show()
    if anchor:
        dialog.show_anchor(anchor)
    return dialog


def open_tour(window: Any) -> HelpBrowser:
    dialog = HelpBrowser("Tour of the App", window)
    dialog.setObjectName("tour")
    dialog.browser.setMarkdown(readme_tour())
    dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
