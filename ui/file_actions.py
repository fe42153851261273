"""File commands of the main window: New, Open, Save, Save As, Recent, Examples, closing."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6 import QtWidgets

from ui.settings import add_recent, recent_files
from workbench.graph.spec import GraphSpec, Node
from workbench.paths import PROJECT_SUFFIX, example_paths, is_bundled
from workbench.project import Project, ProjectError, load_project, save_project

FILTER = f"Workbench projects (*{PROJECT_SUFFIX});;All files (*)"


def blank_project() -> Project:
    """A new project: an Input and an Output on the canvas, digits as the dataset."""
    graph = GraphSpec(nodes=[Node("input", "Input", {"shape": [64], "dtype": "float32"},
                                  (0.0, 0.0)),
                             Node("output", "Output", {"num_classes": 10}, (600.0, 0.0))],
                      edges=[], name="untitled")
    return Project(name="untitled", graph=graph, dataset={"name": "digits", "options": {}},
                   training={})


class FileActions:
    """Mixed into MainWindow; relies on ``self.document``, ``self.settings``, ``set_document``."""

    def ask_save_changes(self) -> str:
        """'save', 'discard' or 'cancel' (tests replace this method)."""
        answer = QtWidgets.QMessageBox.question(
            self, "Unsaved changes",
            f"Save the changes to '{self.document.name}' before closing it?",
            QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard
            | QtWidgets.QMessageBox.Cancel, QtWidgets.QMessageBox.Save)
        return {QtWidgets.QMessageBox.Save: "save",
                QtWidgets.QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def ask_open_path(self) -> str:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open project", str(self.settings.value("last_folder", "")), FILTER)
        return path

    def ask_save_path(self) -> str:
        start = Path(str(self.settings.value("last_folder", "") or Path.cwd())) / \
            f"{self.document.name}{PROJECT_SUFFIX}"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save project as", str(start),
                                                        FILTER)
        if path and not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return path

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document."""
        if not self.document.dirty:
            return True
        choice = self.ask_save_changes()
        if choice == "save":
            return self.save()
        return choice == "discard"

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_document(blank_project(), None)

    def open_project(self, path: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        path = path or self.ask_open_path()
        if not path:
            return False
        if is_bundled(path):  # a bundled example opens as a new project, never written back
            return self._show_example(Path(path))
        try:
            project = load_project(path)
        except ProjectError as exc:
            self.show_error("Cannot open project", str(exc))
            return False
        self.set_document(project, Path(path))
        add_recent(self.settings, Path(path))
        return True

    def open_example(self, path: Path) -> None:
        """An example opens as a new, unsaved project (the bundled file is never written)."""
        if self.maybe_save():
            self._show_example(path)

    def _show_example(self, path: Path) -> bool:
        try:
            project = load_project(path)
        except ProjectError as exc:
            self.show_error("Cannot open example", str(exc))
            return False
        project.dataset = project.resolved_dataset()
        project.base_dir = None
        self.set_document(project, None)
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        project = self.document.project
        if project.name in ("untitled", "") or self.document.path is None:
            project.name = path.name[: -len(PROJECT_SUFFIX)] if path.name.endswith(
                PROJECT_SUFFIX) else path.stem
        project.graph.name = project.name
        try:
            save_project(project, path)
        except (OSError, ValueError, TypeError) as exc:
            self.show_error("Cannot save project", f"{path}: {exc}")
            return False
        self.document.mark_saved(path)
        add_recent(self.settings, path)
        self.update_title()
        return True

    def fill_recent_menu(self, menu: QtWidgets.QMenu) -> None:
        menu.clear()
        files = recent_files(self.settings)
        for file in files:
            action = menu.addAction(file)
            action.triggered.connect(lambda _c=False, f=file: self.open_project(f))
        if not files:
            menu.addAction("No recent projects").setEnabled(False)

    def fill_examples_menu(self, menu: QtWidgets.QMenu) -> None:
        menu.clear()
        for path in example_paths():
            name = path.name[: -len(PROJECT_SUFFIX)]
            try:
                graph = json.loads(path.read_text())["graph"]
                tip = f"{len(graph['nodes'])} layers"
            except (OSError, ValueError, KeyError):
                tip = ""
            action = menu.addAction(name)
            action.setToolTip(tip)
            action.triggered.connect(lambda _c=False, p=path: self.open_example(p))
