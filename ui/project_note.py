"""The Note panel: a project's ``note`` (Markdown), shown beside the canvas when it opens.

The lessons use it to say what to press and what to look for. A project without a note hides
the panel; View > Panels > Note brings it back.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from workbench.project import Project


class ProjectNote(QtWidgets.QTextBrowser):
    """Read-only rendering of a project's note."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project_note")
        self.setOpenExternalLinks(True)
        self.setMinimumWidth(220)
        self.note = ""

    def show_note(self, project: Project) -> bool:
        """Show ``project.note``; False when it has none."""
        self.note = project.note or ""
        if self.note:
            title = project.description or project.name
            self.setMarkdown(self.note)
            self.setToolTip(title)
        else:
            self.clear()
        return bool(self.note)


def install_note_dock(window: QtWidgets.QMainWindow) -> tuple[ProjectNote, QtWidgets.QDockWidget]:
    """A 'Note' dock on the right, hidden until a project with a note opens."""
    note = ProjectNote()
    dock = QtWidgets.QDockWidget("Note", window)
    dock.setObjectName("dock_note")
    dock.setWidget(note)
    window.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
    dock.hide()
    return note, dock
