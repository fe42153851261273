"""Autosave and recovery: unsaved work survives a crash or a kill.

``Autosaver(window)`` watches the open document. A few seconds after the last change (idle),
a project with unsaved changes is written to a side file, ``<data>/autosave/<pid>-<n>.json``
(atomic write: the project as JSON plus where it came from and when). Saving, discarding or
closing cleanly removes it. A side file whose process is gone is what a crash or a kill left
behind: ``pending_recoveries()`` lists them, and on start ``offer_recovery()`` asks whether to
recover, saying what would be recovered (project, file, layers, when). ``WORKBENCH_RECOVERY``
(``ask`` by default; ``recover``, ``discard`` or ``off``) answers without asking, for tests and
scripts; ``WORKBENCH_AUTOSAVE_MS`` changes the idle delay.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.fault_log import data_dir, process_alive
from workbench.project import Project, ProjectError

AUTOSAVE_FORMAT = "workbench-autosave"
IDLE_MS = 3000


def autosave_dir() -> Path:
    return data_dir() / "autosave"


@dataclass
class Recovery:
    """One side file left behind by a session that ended without saving."""

    file: Path
    project: Project
    original_path: Path | None
    saved_at: str

    def describe(self) -> str:
        where = f"from {self.original_path}" if self.original_path else "never saved"
        layers = len(self.project.graph.nodes)
        return (f"'{self.project.name}' ({where}): {layers} layer{'s' if layers != 1 else ''}, "
                f"dataset {self.project.dataset.get('name', 'none')}, autosaved "
                f"{self.saved_at}")

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)


def pending_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Side files whose process is gone (newest first); unreadable ones are skipped."""
    folder = folder or autosave_dir()
    found: list[Recovery] = []
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("format") != AUTOSAVE_FORMAT or process_alive(int(data["pid"])):
                continue
            project = Project.from_dict(data["project"], source=str(file))
        except (OSError, ValueError, KeyError, TypeError, ProjectError):
            continue
        original = data.get("original_path")
        if original:
            project.base_dir = Path(original).parent
        found.append(Recovery(file, project, Path(original) if original else None,
                              str(data.get("saved_at", "at an unknown time"))))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


class Autosaver(QtCore.QObject):
    """Writes the window's unsaved document to a side file after a few idle seconds."""

    _count = 0

    def __init__(self, window: Any, idle_ms: int | None = None) -> None:
        super().__init__(window)
        self.window = window
        Autosaver._count += 1
        self.file = autosave_dir() / f"{os.getpid()}-{Autosaver._count}.json"
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(idle_ms if idle_ms is not None else
                               int(os.environ.get("WORKBENCH_AUTOSAVE_MS", IDLE_MS)))
        self.timer.timeout.connect(self.save_now)
        self._document: Any = None

    def watch(self, document: Any) -> None:
        """Follow a newly opened document (the previous one's side file is removed)."""
        self.remove()
        self._document = document
        document.undo_stack.indexChanged.connect(self._changed)
        document.undo_stack.cleanChanged.connect(self._clean_changed)

    @QtCore.Slot(int)
    def _changed(self, _index: int) -> None:
        self.timer.start()  # restarts: written only after the edits pause

    @QtCore.Slot(bool)
    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.remove()

    def save_now(self) -> bool:
        """Write the side file now if there are unsaved changes (else remove it)."""
        from workbench.runs.atomic import atomic_write_text

        self.timer.stop()
        document = self._document
        if document is None or not document.dirty:
            self.remove()
            return False
        payload = {"format": AUTOSAVE_FORMAT, "version": 1, "pid": os.getpid(),
                   "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                   "original_path": str(document.path) if document.path else None,
                   "project": document.project.to_dict()}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.file, json.dumps(payload))
        except OSError as exc:
            self.window.statusBar().showMessage(f"Autosave failed: {self.file}: {exc}", 8000)
            return False
        return True

    def remove(self) -> None:
        self.timer.stop()
        self.file.unlink(missing_ok=True)


def offer_recovery(window: Any) -> bool:
    """Offer the newest leftover side file; True when one was recovered into ``window``."""
    mode = os.environ.get("WORKBENCH_RECOVERY", "ask").lower()
    if mode == "off":
        return False
    pending = pending_recoveries()
    if not pending:
        return False
    newest = pending[0]
    answer = mode if mode in ("recover", "discard") else window.ask_recover(newest.describe())
    if answer == "discard":
        newest.discard()
        return False
    if answer != "recover" or not window.maybe_save():
        return False  # "later": the side file stays for the next start
    window.set_document(newest.project, newest.original_path)
    window.document.undo_stack.resetClean()  # recovered work is unsaved work
    window.autosaver.save_now()  # now ours: a crash before saving keeps it still
    newest.discard()
    window.statusBar().showMessage(f"Recovered {newest.describe()}. Save it to keep it.", 15000)
    return True


def ask_recover(parent: QtWidgets.QWidget, description: str) -> str:
    """'recover', 'discard' or 'later' (the window's ``ask_recover`` calls this)."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Question, "Recover unsaved work?",
                                "Workbench did not close normally last time. Unsaved work "
                                f"was autosaved:\n\n{description}\n\nRecover it?", parent=parent)
    recover = box.addButton("Recover", QtWidgets.QMessageBox.AcceptRole)
    discard = box.addButton("Discard", QtWidgets.QMessageBox.DestructiveRole)
    box.addButton("Later", QtWidgets.QMessageBox.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return "recover" if clicked is recover else "discard" if clicked is discard else "later"
