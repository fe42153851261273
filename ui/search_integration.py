"""Adds the Search panel to the main window: its dock, its commands, the canvas badges on the
nodes the space varies, "Open in Editor" and "Train Best Fully".

The hook, kept small::

    search = install_search(main_window)   # after the training docks exist
    search.project_changed()                # after every document refresh
    for command in search.commands(): registry.add(command)

``main_window`` is the app's MainWindow (``document``, ``scene``, ``training``,
``training_request``, ``save``, ``statusBar``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.commands import Command
from ui.panels.search_panel import SearchPanel
from ui.panels.search_reader import searchable_node_ids, trial_config
from workbench.search.errors import SearchError


class SearchDock:
    """The Search panel in a dock, following the window's document."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.panel = SearchPanel()
        self.panel.save_project = self.saved_project_file
        self.panel.openTrialRequested.connect(self.open_trial)
        self.panel.trainBestRequested.connect(self.train_trial)
        self.dock = QtWidgets.QDockWidget("Search", window)
        self.dock.setObjectName("dock_search")
        self.dock.setWidget(self.panel)
        window.addDockWidget(QtCore.Qt.BottomDockWidgetArea, self.dock)

    def commands(self) -> list[Command]:
        panel = self.panel
        return [
            Command("search.show", "&Search Panel", self.show, "Ctrl+Shift+F", "&View",
                    tooltip="Show the Search panel: the project's search space and study"),
            Command("search.start", "Start &Search", lambda: self.show() or panel.start(),
                    None, "&Train", lambda: panel.start_button.isEnabled(),
                    "Search the project's space in a separate process (the Search panel)"),
            Command("search.resume", "Resume Searc&h", lambda: self.show() or panel.start(True),
                    None, "&Train", lambda: panel.resume_button.isEnabled(),
                    "Continue the project's study with more trials"),
            Command("search.stop", "Stop Search", panel.stop, None, "&Train",
                    lambda: panel.state != "idle", "End the running search"),
        ]

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def project_changed(self) -> None:
        """Re-read the document: space summary, study, badges on the canvas."""
        doc = self.window.document
        if doc is None:
            return
        project_dir = self.window.training_request()[3]
        self.panel.set_context(project_dir, doc.project.name, doc.project.search,
                               doc.spec)
        varied = searchable_node_ids(doc.project.search)
        for node_id, item in self.window.scene.nodes.items():
            setter = getattr(item, "set_searchable", None)
            if setter is not None:
                setter(node_id in varied)

    def saved_project_file(self) -> Path | None:
        """The project file the search reads: saved first (asked when there are unsaved
        edits or no file yet); None when the person declines."""
        window, doc = self.window, self.window.document
        if doc.path is None or doc.dirty:
            if not self.ask_save():
                return None
            if not window.save():
                return None
            self.project_changed()  # a first save moves the project folder (and the study)
        return Path(doc.path)

    def ask_save(self) -> bool:
        """True when the person agrees to save before searching (tests replace this)."""
        answer = QtWidgets.QMessageBox.question(
            self.window, "Save the project?",
            "The search runs in a separate process on the saved project file. Save it now?",
            QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Cancel,
            QtWidgets.QMessageBox.Save)
        return answer == QtWidgets.QMessageBox.Save

    # a trial's network -----------------------------------------------------------------------
    def open_trial(self, row: dict[str, Any]) -> bool:
        """Put the trial's sampled network on the canvas as one undoable edit."""
        from workbench.graph.spec import GraphSpec

        try:
            graph = GraphSpec.from_dict(trial_config(row["run_dir"])["graph"])
        except (SearchError, KeyError, TypeError, ValueError) as exc:
            self.window.show_error("Cannot open the trial's network", str(exc))
            return False
        graph.name = self.window.document.spec.name
        self.window.document.edit(f"Open trial {row['number']}'s network",
                                  lambda p: setattr(p, "graph", graph))
        self.window.statusBar().showMessage(
            f"Trial {row['number']}'s network is on the canvas (Undo brings yours back)", 8000)
        return True

    def train_trial(self, row: dict[str, Any]) -> bool:
        """Train the trial's network and settings through the Training panel as a normal
        run whose lineage says trial-of this study."""
        from workbench.graph.spec import GraphSpec

        panel = self.window.training.training
        if panel.state != "idle":
            self.window.statusBar().showMessage("A run is training: train the best trial "
                                                "once it has ended", 8000)
            return False
        try:
            config = trial_config(row["run_dir"])
            graph = GraphSpec.from_dict(config["graph"])
        except (SearchError, KeyError, TypeError, ValueError) as exc:
            self.window.show_error("Cannot train the best trial", str(exc))
            return False
        _graph, dataset, training, project_dir, _name = self.window.training_request()
        dataset = config.get("dataset") or dataset
        name = f"{self.panel.study}-trial{row['number']}-full"
        provider, form = panel.provider, panel.form
        panel.provider = lambda: (graph, json.loads(json.dumps(dataset)),
                                  dict(config.get("training") or {}), project_dir, name)
        form.set_values(config.get("training") or {})  # does not emit: the project keeps its
        try:
            started = panel.start(lineage={"relation": "trial-of", "study": self.panel.study,
                                           "trial": int(row["number"])})
        finally:
            panel.provider = provider
            form.set_values(training)
        if started:
            self.window.statusBar().showMessage(
                f"Training trial {row['number']}'s network fully as run '{name}'", 8000)
        return started

    def shutdown(self) -> None:
        self.panel.shutdown()


def install_search(window: Any) -> SearchDock:
    """Create the Search dock on ``window`` (tabbed with the bottom panels by the caller)."""
    return SearchDock(window)
