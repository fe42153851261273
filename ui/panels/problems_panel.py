"""The problems list: every validation error and warning; clicking one selects its layer."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.graph.shape_inference import Analysis

NODE_ROLE = QtCore.Qt.UserRole + 1


class ProblemsPanel(QtWidgets.QListWidget):
    node_requested = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def show_analysis(self, analysis: Analysis) -> None:
        shown = [(p.severity, p.message, p.node_id) for p in analysis.problems]
        if shown == getattr(self, "_shown", None):
            return  # the same problems: nothing to redo (edits on big networks stay cheap)
        self._shown = shown
        self.clear()
        style = self.style()
        ordered = sorted(analysis.problems, key=lambda p: p.severity != "error")
        for problem in ordered:
            icon = style.standardIcon(QtWidgets.QStyle.SP_MessageBoxCritical
                                      if problem.severity == "error"
                                      else QtWidgets.QStyle.SP_MessageBoxWarning)
            item = QtWidgets.QListWidgetItem(icon, problem.message)
            item.setData(NODE_ROLE, problem.node_id)
            if problem.severity == "error":
                item.setForeground(QtGui.QColor("#b71c1c"))
            self.addItem(item)
        if not analysis.problems:
            item = QtWidgets.QListWidgetItem(
                style.standardIcon(QtWidgets.QStyle.SP_DialogApplyButton),
                "No problems: the network is valid.")
            item.setFlags(QtCore.Qt.ItemIsEnabled)
            self.addItem(item)

    def messages(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.node_requested.emit(str(node_id))


def problem_count_text(analysis: Analysis) -> str:
    """The status bar's summary of the Problems panel: "valid", "2 errors", "1 error,
    1 warning" (the same problems the panel lists, counted the same way)."""
    errors = sum(p.severity == "error" for p in analysis.problems)
    warnings = len(analysis.problems) - errors
    if not errors and not warnings:
        return "valid"
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)
