"""The open project as the editor sees it: spec, dataset, training settings, undo stack.

Every edit is an undoable snapshot command (the whole spec before and after, which for graphs of
a few hundred nodes costs well under a millisecond). Views observe ``changed`` and ``analyzed``;
analysis runs debounced on a timer so a burst of edits costs one analysis.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui

from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec
from workbench.project import Project

ANALYSIS_DELAY_MS = 40


class SnapshotCommand(QtGui.QUndoCommand):
    """Undo/redo by swapping whole project states; consecutive moves of the same nodes merge."""

    MOVE_ID = 1001

    def __init__(self, document: Document, text: str, before: dict[str, Any],
                 after: dict[str, Any], merge_key: tuple | None = None) -> None:
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API
        return self.MOVE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QtGui.QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SnapshotCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document.restore(self.after)

    def undo(self) -> None:
        self.document.restore(self.before)


class Document(QtCore.QObject):
    """A project being edited. Mutate only through :meth:`edit` (undoable)."""

    changed = QtCore.Signal()
    analyzed = QtCore.Signal(object)
    dirty_changed = QtCore.Signal(bool)

    def __init__(self, project: Project | None = None, path: Path | None = None,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project or Project(name="untitled", graph=GraphSpec(name="untitled"),
                                          dataset={}, training={})
        self.path = path
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)  # a slot: gone with self
        self.analysis: Analysis = analyze(self.project.graph)
        self._applied: dict[str, Any] | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ANALYSIS_DELAY_MS)
        self._timer.timeout.connect(self.analyze_now)

    # state ----------------------------------------------------------------------------
    @property
    def spec(self) -> GraphSpec:
        return self.project.graph

    @property
    def name(self) -> str:
        return self.project.name

    @QtCore.Slot(bool)
    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def state(self) -> dict[str, Any]:
        return {"graph": self.spec.to_dict(), "dataset": copy.deepcopy(self.project.dataset),
                "training": copy.deepcopy(self.project.training)}

    def restore(self, state: dict[str, Any], notify: bool = True) -> None:
        if state is not self._applied:  # not an edit just applied in place (see edit())
            self.project.graph = GraphSpec.from_dict(state["graph"])
            self.project.dataset = copy.deepcopy(state["dataset"])
            self.project.training = copy.deepcopy(state["training"])
        self._applied = None
        if notify:
            self.changed.emit()
            self.schedule_analysis()

    # editing --------------------------------------------------------------------------
    def edit(self, text: str, mutate: Callable[[Project], None],
             merge_key: tuple | None = None) -> None:
        """Apply ``mutate`` to a copy of the project and push it as one undoable step."""
        before = self.state()
        mutate(self.project)
        after = self.state()
        if after != before:  # the project already is `after`: the push's redo only notifies
            self._applied = after
            self.undo_stack.push(SnapshotCommand(self, text, before, after, merge_key))

    def set_training(self, training: dict[str, Any]) -> None:
        """Training settings from the training panel (undoable, merged while typing)."""
        if training != self.project.training:
            self.edit("Change training settings",
                      lambda p: setattr(p, "training", copy.deepcopy(training)),
                      merge_key=("training",))

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self.undo_stack.setClean()

    # analysis -------------------------------------------------------------------------
    def schedule_analysis(self) -> None:
        self._timer.start()

    def analyze_now(self) -> Analysis:
        self._timer.stop()
        self.analysis = analyze(self.spec)
        self.analyzed.emit(self.analysis)
        return self.analysis
