"""The main window: canvas in the middle; palette, inspector, problems, summary and the
training panels docked around it; menus and toolbar generated from the command registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ui.commands import Command, CommandRegistry
from ui.distill_actions import DistillActions, install_distill
from ui.edit_actions import EditActions
from ui.editor.canvas_scene import CanvasScene
from ui.editor.canvas_view import CanvasView
from ui.editor.document import Document
from ui.editor.freeze_settings import frozen_ids
from ui.editor.inspector import Inspector
from ui.editor.palette import Palette
from ui.file_actions import FileActions, blank_project
from ui.fine_tune_actions import FineTuneActions
from ui.panels.problems_panel import ProblemsPanel, problem_count_text
from ui.panels.summary_panel import SummaryPanel
from ui.settings import app_settings
from workbench.graph import edits
from workbench.graph.layer_type import fmt_shape
from workbench.paths import default_project_dir, is_bundled
from workbench.project import Project

K = QtGui.QKeySequence


class MainWindow(EditActions, FileActions, FineTuneActions, DistillActions,
                 QtWidgets.QMainWindow):
    def __init__(self, project: Project | None = None, path: Path | None = None) -> None:
        super().__init__()
        self.settings = app_settings()
        self.document: Document | None = None
        self.last_error = ""
        self.scene = CanvasScene(self)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.palette = Palette()
        self.inspector = Inspector()
        self.problems = ProblemsPanel()
        self.summary = SummaryPanel()
        self.docks: dict[str, QtWidgets.QDockWidget] = {}
        self._dock("palette", "Layers", self.palette, QtCore.Qt.LeftDockWidgetArea)
        self._dock("inspector", "Inspector", self.inspector, QtCore.Qt.RightDockWidgetArea)
        self._dock("problems", "Problems", self.problems, QtCore.Qt.BottomDockWidgetArea)
        self._dock("summary", "Summary", self.summary, QtCore.Qt.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["problems"], self.docks["summary"])
        self.docks["problems"].raise_()
        self.dataset_combo = QtWidgets.QComboBox()
        self.dataset_combo.setToolTip("The dataset fixes the Input's shape and the Output's "
                                      "number of classes")
        self.registry = CommandRegistry(self)
        from ui.autosave import Autosaver

        self.autosaver = Autosaver(self)  # unsaved work to a side file after idle seconds
        self._declare_commands()
        from ui.first_steps import FirstSteps  # start page, note, help, theme

        self.first_steps = FirstSteps(self)
        self.training = self._install_training()
        from ui.panels.compression_panel import install_compression_panel

        self.compression = install_compression_panel(self)  # dock + View > Compression
        from ui.panels.explain_panel import install_explain_panel

        self.explain = install_explain_panel(self)  # dock + View > Explain
        self.search = self._install_search()
        self._build_menus_and_toolbar()
        self._arrange_docks()
        self._wire()
        self.set_document(project or blank_project(), path)
        self.resize(1360, 860)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.first_steps.finish()

    # construction ---------------------------------------------------------------------
    def _dock(self, key: str, title: str, widget: QtWidgets.QWidget,
              area: QtCore.Qt.DockWidgetArea) -> None:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock

    def _arrange_docks(self) -> None:
        """Palette left; inspector, training and health tabbed right; problems, summary,
        dashboard and runs tabbed along the bottom; the canvas keeps most of the room."""
        t = self.training.docks
        dashboard = t["dashboard"].widget()
        scroller = QtWidgets.QScrollArea()  # the plots need room; let the dock be small
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroller.setWidget(dashboard)
        t["dashboard"].setWidget(scroller)
        self.setCorner(QtCore.Qt.BottomLeftCorner, QtCore.Qt.LeftDockWidgetArea)
        self.setCorner(QtCore.Qt.BottomRightCorner, QtCore.Qt.RightDockWidgetArea)
        bottom = [self.docks["summary"], t["dashboard"], t["runs"]]
        if "compression" in self.docks:  # after Runs: it compares the selected run's family
            bottom.append(self.docks["compression"])
        for dock in bottom:
            self.removeDockWidget(dock)
            self.addDockWidget(QtCore.Qt.BottomDockWidgetArea, dock)
            self.tabifyDockWidget(self.docks["problems"], dock)
            dock.show()
        for dock in (t["training"], t["health"]):
            self.removeDockWidget(dock)
            self.addDockWidget(QtCore.Qt.RightDockWidgetArea, dock)
            self.tabifyDockWidget(self.docks["inspector"], dock)
            dock.show()
        self.tabifyDockWidget(self.docks["problems"], self.search.dock)
        self.docks["problems"].raise_()
        self.docks["inspector"].raise_()
        self._docks_sized = False

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._docks_sized and self.settings.value("window/state") is None:
            self._docks_sized = True
            QtCore.QTimer.singleShot(0, self.default_dock_sizes)

    def default_dock_sizes(self) -> None:
        """Give the canvas most of the window: bottom panels about a quarter of the height."""
        self.resizeDocks([self.docks["problems"]], [max(180, int(self.height() * 0.27))],
                         QtCore.Qt.Vertical)
        self.resizeDocks([self.docks["palette"], self.docks["inspector"]], [190, 340],
                         QtCore.Qt.Horizontal)

    def _install_training(self) -> Any:
        from ui.training_integration import install_training

        docks = install_training(self, self.training_request)
        docks.training_changed.connect(lambda t: self.document and
                                       self.document.set_training(dict(t)))
        for spec in docks.commands():
            self.registry.add(Command(spec["id"], spec["text"], spec["callback"],
                                      spec.get("shortcut"), "&Train", spec.get("enabled"),
                                      spec.get("tooltip", ""),
                                      toolbar=spec.get("toolbar", True)))
        self.registry.add(Command(
            "training.fine_tune", "&Fine-tune from Run…", lambda: self.fine_tune_from_run(),
            None, "&Train", lambda: docks.training.state == "idle" and bool(docks.runs.runs),
            "Start the current network from a run's weights (matched by layer name), "
            "optionally freezing layers, and train"))
        install_distill(self, docks)
        return docks

    def _install_search(self) -> Any:
        from ui.search_integration import install_search  # the Search panel and its commands

        search = install_search(self)
        for command in search.commands():
            self.registry.add(command)
        return search

    def training_request(self) -> tuple[Any, dict, dict, Any, str]:
        """What the training panel trains: (graph, dataset, training, project dir, name)."""
        doc = self.document
        assert doc is not None
        folder = (doc.path.parent if doc.path is not None and not is_bundled(doc.path)
                  else default_project_dir())
        return (doc.spec.copy(), json.loads(json.dumps(doc.project.resolved_dataset())),
                dict(doc.project.training), str(folder), doc.name)

    def _declare_commands(self) -> None:
        C, S = Command, QtGui.QKeySequence.StandardKey
        doc_dirty = lambda: bool(self.document and self.document.dirty)  # noqa: E731
        has_sel = lambda: bool(self.scene.selected_node_ids())  # noqa: E731
        for command in [
            C("file.new", "&New Project", self.new_project, S.New, "&File", toolbar=True),
            C("file.open", "&Open…", lambda: self.open_project(), S.Open, "&File",
              toolbar=True),
            C("file.save", "&Save", self.save, S.Save, "&File", toolbar=True),
            C("file.save_as", "Save &As…", self.save_as, "Ctrl+Shift+S", "&File"),
            C("file.quit", "&Quit", self.close, "Ctrl+Q", ""),
            C("edit.undo", "&Undo", lambda: self.document.undo_stack.undo(), S.Undo, "&Edit",
              lambda: self.document.undo_stack.canUndo(), toolbar=True),
            C("edit.redo", "&Redo", lambda: self.document.undo_stack.redo(),
              ["Ctrl+Shift+Z", "Ctrl+Y"], "&Edit", lambda: self.document.undo_stack.canRedo(),
              toolbar=True),
            C("edit.cut", "Cu&t", self.cut, S.Cut, "&Edit", has_sel),
            C("edit.copy", "&Copy", self.copy, S.Copy, "&Edit", has_sel),
            C("edit.paste", "&Paste", self.paste, S.Paste, "&Edit"),
            C("edit.duplicate", "D&uplicate", self.duplicate, "Ctrl+D", "&Edit", has_sel),
            C("edit.delete", "&Delete", self.delete_selected, ["Delete", "Backspace"],
              "&Edit", lambda: bool(has_sel() or self.scene.selected_edge_keys())),
            C("edit.select_all", "Select &All", self.select_all, S.SelectAll, "&Edit"),
            C("view.zoom_in", "Zoom &In", lambda: self.view.zoom_by(1.25), S.ZoomIn, "&View"),
            C("view.zoom_out", "Zoom &Out", lambda: self.view.zoom_by(0.8), S.ZoomOut,
              "&View"),
            C("view.zoom_fit", "Zoom to &Fit", lambda: self.view.zoom_to_fit(readable=False),
              "Ctrl+0", "&View",
              toolbar=True),
            C("view.arrange", "Auto-&arrange", self.auto_arrange, "Ctrl+L", "&View",
              toolbar=True),
            C("view.code", "View as &PyTorch Code…", self.show_code, "Ctrl+Shift+P", "&View"),
        ]:
            self.registry.add(command)
        self._doc_dirty = doc_dirty

    def _build_menus_and_toolbar(self) -> None:
        from ui.dataset_subset_actions import DatasetSubsetActions

        self.dataset_subset = DatasetSubsetActions(self)  # Data > Classes and Training Share
        menus = self.registry.build_menus(self.menuBar(), ["&File", "&Edit", "&View", "&Data",
                                                           "&Train", "&Help"])
        file_menu = menus["&File"]
        recent = QtWidgets.QMenu("Open &Recent", self)
        recent.aboutToShow.connect(lambda: self.fill_recent_menu(recent))
        examples = QtWidgets.QMenu("&Examples", self)
        examples.aboutToShow.connect(lambda: self.fill_examples_menu(examples))
        self.fill_examples_menu(examples)
        first_save = self.registry.actions["file.save"]
        file_menu.insertMenu(first_save, recent)
        file_menu.insertMenu(first_save, examples)
        file_menu.insertSeparator(first_save)
        file_menu.addSeparator()
        quit_action = self.registry.actions["file.quit"]
        quit_action.setShortcutContext(QtCore.Qt.ApplicationShortcut)  # from dialogs too
        file_menu.addAction(quit_action)
        self.examples_menu, self.recent_menu = examples, recent
        panels = QtWidgets.QMenu("&Panels", self)  # brings back a closed panel
        for dock in sorted(self.findChildren(QtWidgets.QDockWidget),
                           key=lambda d: d.windowTitle()):
            panels.addAction(dock.toggleViewAction())
        menus["&View"].addSeparator()
        menus["&View"].addMenu(panels)
        self.panels_menu = panels
        menus["&Help"].addAction("About Workbench", self.about)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar_main")
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonTextOnly)
        for command_id, command in self.registry.commands.items():
            if command.toolbar:
                toolbar.addAction(self.registry.actions[command_id])
        toolbar.addSeparator()
        toolbar.addWidget(QtWidgets.QLabel(" Dataset: "))
        toolbar.addWidget(self.dataset_combo)
        toolbar.addWidget(self.dataset_subset.button)

    def _wire(self) -> None:
        from workbench.data import list_datasets

        self.dataset_combo.addItems(list_datasets())
        self.dataset_combo.activated.connect(
            lambda _i: self.choose_dataset(self.dataset_combo.currentText()))
        self.palette.layer_activated.connect(
            lambda name: self.add_layer(name, self.view.visible_center()))
        self.view.layer_dropped.connect(self.add_layer)
        self.scene.connect_requested.connect(self.connect_ports)
        self.scene.connect_refused.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.scene.nodes_moved.connect(self.move_nodes)
        self.scene.selectionChanged.connect(self.refresh_inspector)
        self.scene.selectionChanged.connect(self.registry.update_enabled)  # Copy, Delete…
        panel = self.training.training  # Train / Pause / Stop follow the run at once
        panel.stateChanged.connect(lambda _s: self.registry.update_enabled())
        panel.runFinished.connect(lambda _s: self.registry.update_enabled())
        self.training.runs.table.itemSelectionChanged.connect(  # Export follows the Runs
            self.registry.update_enabled)
        panel.setupProblems.connect(self.show_run_problems)
        self.inspector.param_edited.connect(self.set_param)
        self.inspector.freeze_toggled.connect(self.set_frozen)
        requested = getattr(self.training.runs, "fine_tune_requested", None)
        if requested is not None:  # Runs panel: "Fine-tune from run…" on a run
            requested.connect(self.fine_tune_from_run)
        self.problems.node_requested.connect(self.focus_node)

    # document -------------------------------------------------------------------------
    def set_document(self, project: Project, path: Path | None) -> None:
        if self.document is not None:
            self.document.deleteLater()
        self.document = Document(project, path, self)
        self.autosaver.watch(self.document)
        self.document.changed.connect(self.refresh)
        self.document.analyzed.connect(self.show_analysis)
        self.document.dirty_changed.connect(lambda _d: self.update_title())
        self.document.undo_stack.indexChanged.connect(lambda _i: self.registry.update_enabled())
        self.scene.clear()
        self.scene.nodes.clear()
        self.scene.edges.clear()
        self.refresh()
        self.show_analysis(self.document.analysis)  # analyzed when the Document was made
        self.update_title()
        self.view.zoom_to_fit()
        self.training.project_opened()  # runs, dashboard and health switch to this project
        self.registry.update_enabled()
        if getattr(self, "first_steps", None) is not None:
            self.first_steps.project_opened(project)

    def refresh(self) -> None:
        doc = self.document
        self.scene.sync(doc.spec, doc.analysis)
        self.scene.set_frozen(frozen_ids(doc.project.training, doc.analysis))
        self.sync_training_form()
        name = (doc.project.dataset or {}).get("name", "")
        self.dataset_combo.setCurrentText(name)
        self.dataset_subset.refresh()
        self.refresh_inspector()
        self.search.project_changed()  # space summary, study, badges on varied nodes
        self.registry.update_enabled()

    def show_analysis(self, analysis: Any) -> None:
        self.scene.sync(self.document.spec, analysis)
        self.scene.set_frozen(frozen_ids(self.document.project.training, analysis))
        self.problems.show_analysis(analysis)
        self.summary.show_analysis(self.document.spec, analysis)
        self.statusBar().showMessage(
            f"{len(self.document.spec.nodes)} layers · {analysis.total_params:,} parameters · "
            f"{analysis.total_macs:,} MACs · {problem_count_text(analysis)}")
        self.refresh_inspector()

    def show_run_problems(self, problems: list[dict[str, Any]]) -> None:
        """Badge the nodes a refused run named (its data do not fit them), on top of the
        editor's own analysis, until the next edit analyzes the network again."""
        from dataclasses import replace

        from workbench.graph.validation import Problem

        if self.document is None:
            return
        extra = [Problem(p.get("node_id"), str(p.get("message", "")),
                         p.get("severity", "error")) for p in problems]
        analysis = self.document.analysis
        self.show_analysis(replace(analysis, problems=[*analysis.problems, *extra]))

    def update_title(self) -> None:
        mark = "*" if self.document.dirty else ""
        self.setWindowTitle(f"{self.document.name}{mark} — Workbench")

    def refresh_inspector(self) -> None:
        ids = self.scene.selected_node_ids()
        if len(ids) != 1 or not any(n.id == ids[0] for n in self.document.spec.nodes):
            if self.inspector.node_id is not None or not ids:
                self.inspector.show_node(None)
            return
        node = self.document.spec.node(ids[0])
        analysis = self.document.analysis
        info = analysis.nodes.get(node.id)
        inputs = [analysis.edge_shapes[e.key] for e in self.document.spec.edges
                  if e.dst == node.id and e.key in analysis.edge_shapes]
        training = self.document.project.training
        until = (training.get("init") or {}).get("freeze_until", "") \
            if isinstance(training.get("init"), dict) else ""
        frozen = node.id in frozen_ids(training, analysis) \
            if info and info.params and node.id in analysis.live else None  # what trains
        self.inspector.show_node(node.id, node.type, node.params,
                                 [p.message for p in analysis.problems_for(node.id)],
                                 fmt_shape(info.output_shape) if info and info.output_shape
                                 is not None else "", inputs, frozen,
                                 f"Frozen up to '{until}' (Train > Fine-tune from Run…); "
                                 f"changing it here freezes layers one by one."
                                 if frozen and until else "")

    def choose_dataset(self, name: str) -> bool:
        """Switch dataset: fixes the Input's shape and the Output's classes (undoable).
        The classes / training share chosen for the old dataset carry over where they apply."""
        from workbench.data import DataError, dataset_info
        from workbench.data.registry import dataset_task, needs_file

        dataset: dict[str, Any] = {"name": name, "options": {}}
        if needs_file(name):
            options = self.ask_dataset_options(name)
            if options is None:
                self.refresh()
                return False
            dataset["options"] = options
        kept, carried = self.dataset_subset.carry(self.document.project.resolved_dataset(),
                                                  dataset)
        dataset["options"].update(kept)
        try:
            shape, dtype, classes = dataset_info(dataset)
            task = dataset_task(dataset)
        except (DataError, ValueError) as exc:
            self.show_error("Cannot use this dataset", str(exc))
            self.refresh()
            return False

        def apply(p: Project) -> None:
            p.dataset = dataset
            edits.fit_io(p.graph, shape, dtype, classes, task)

        self.document.edit(f"Use dataset {name}", apply)
        outputs = (f"regression, {classes} target value(s)" if task == "regression"
                   else f"{classes} classes")
        self.statusBar().showMessage(
            f"dataset {name}: inputs {fmt_shape(tuple(shape))}, {outputs}"
            f"{'; ' + carried if carried else ''}", 8000)
        return True

    def ask_dataset_options(self, name: str) -> dict[str, Any] | None:
        """Ask for the file or folder of a csv / image_folder / npz dataset."""
        start = str(self.settings.value("last_folder", ""))
        if name == "csv":
            from ui.dialogs.dataset_dialog import ask_csv_options

            current = self.document.project.dataset or {}
            return ask_csv_options(self, current.get("options") if current.get("name") == "csv"
                                   else None, start)
        if name == "image_folder":
            from ui.dialogs.image_folder_dialog import ask_image_folder_options

            current = self.document.project.dataset or {}
            return ask_image_folder_options(
                self, current.get("options") if current.get("name") == name else None, start)
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, f"Choose the {name} file",
                                                        start, "NumPy archives (*.npz)")
        if not path:
            return None
        return {"path": path}

    def show_code(self) -> None:
        from ui.dialogs.code_dialog import CodeDialog
        from workbench.graph.codegen import generate_source
        from workbench.graph.validation import GraphError

        try:
            source = generate_source(self.document.spec)
        except GraphError as exc:
            self.show_error("The network is not valid yet", str(exc))
            return
        self.code_dialog = CodeDialog(source, self)
        self.code_dialog.open()

    # notifications and closing --------------------------------------------------------
    def show_error(self, title: str, message: str) -> None:
        """A non-blocking message box; the app stays usable."""
        self.last_error = message
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Warning, title, message,
                                    QtWidgets.QMessageBox.Ok, self)
        box.setAttribute(QtCore.Qt.WA_DeleteOnClose)
        box.open()

    def about(self) -> None:
        from workbench import __version__

        QtWidgets.QMessageBox.about(self, "About Workbench",
                                    f"Workbench {__version__}: build, train, diagnose and "
                                    f"export neural networks.")

    def ask_stop_training(self) -> bool:
        """True when the person agrees to stop the running training (tests replace this)."""
        answer = QtWidgets.QMessageBox.question(
            self, "Training is running",
            "A training run is in progress. Stop it and close? The run folder keeps its last "
            "checkpoint; `workbench train --resume RUN_DIR` continues it.",
            QtWidgets.QMessageBox.Yes | QtWidgets.QMessageBox.No, QtWidgets.QMessageBox.No)
        return answer == QtWidgets.QMessageBox.Yes

    def ask_recover(self, description: str) -> str:
        """'recover', 'discard' or 'later' for leftover unsaved work (tests replace this)."""
        from ui.autosave import ask_recover

        return ask_recover(self, description)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        if self.training.training.state in ("running", "paused") and \
                not self.ask_stop_training():
            event.ignore()
            return
        if not self.maybe_save():
            event.ignore()
            return
        self.autosaver.remove()  # a clean close: nothing to recover next time
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        from ui.workers import shutdown_all

        self.training.shutdown()
        self.search.shutdown()  # stops reading; a running search goes on by itself
        shutdown_all()
        event.accept()
