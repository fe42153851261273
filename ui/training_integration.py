"""Adds live training to a QMainWindow: training panel, dashboard, runs and health docks.

The hook, kept small on purpose::

    docks = install_training(main_window, provider)
    # provider() -> (GraphSpec, dataset dict, training dict, project_dir, run name)
    docks.training_changed.connect(store_training_in_project)   # form edits -> project
    docks.project_opened()         # call when another project is opened
    docks.project_changed()        # call when the project's dataset changes
    for spec in docks.commands():  # Train / Pause-Resume / Stop as command specs
        registry.add(spec)         # {"id", "text", "shortcut", "callback", "enabled"}

``main_window`` only needs ``addDockWidget`` and ``tabifyDockWidget`` (any QMainWindow).
Before the window closes call ``docks.shutdown()`` (``ui.workers.shutdown_all`` also runs on
``aboutToQuit``) so no training thread outlives the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ui.panels.dashboard import Dashboard
from ui.panels.health_panel import HealthPanel
from ui.panels.runs_panel import RunsPanel
from ui.panels.training_panel import Provider, TrainingPanel


@dataclass
class TrainingDocks:
    """The four panels and their dock widgets, wired to each other."""

    window: QtWidgets.QMainWindow
    training: TrainingPanel
    dashboard: Dashboard
    runs: RunsPanel
    health: HealthPanel
    docks: dict[str, QtWidgets.QDockWidget]
    export_dialog: Any = None

    @property
    def training_changed(self) -> Any:
        """Signal(dict): the form changed; store it as the project's training settings."""
        return self.training.trainingChanged

    def project_opened(self) -> None:
        """Another project: the runs list switches to it, and the dashboard and health panel
        drop the previous project's curves, compared runs and findings (a run still training
        keeps its live curves and findings until it ends)."""
        self.runs.table.clearSelection()
        self.dashboard.reset()
        if not self.dashboard.live:
            self.health.clear()
        self.project_changed()

    def project_changed(self) -> None:
        """Re-read the project: dataset label, training settings, runs list."""
        self.training.refresh_from_project()
        self.runs.set_project_dir(self._project_dir())

    def _project_dir(self) -> Path | None:
        if self.training.provider is None:
            return None
        try:
            return Path(self.training.provider()[3])
        except Exception:
            return None

    def commands(self) -> list[dict[str, Any]]:
        """Command specs for the main window's registry."""
        panel = self.training
        return [
            {"id": "training.start", "text": "&Train", "shortcut": "F5",
             "callback": panel.start, "enabled": lambda: panel.state == "idle",
             "tooltip": "Train the current network on the project's dataset"},
            {"id": "training.pause", "text": "&Pause / Resume Training", "shortcut": "F6",
             "callback": panel.toggle_pause,
             "enabled": lambda: panel.state in ("running", "paused"),
             "tooltip": "Pause the running training after the current batch, or resume it"},
            {"id": "training.stop", "text": "&Stop Training", "shortcut": "Shift+F5",
             "callback": panel.stop, "enabled": lambda: panel.state in ("running", "paused"),
             "tooltip": "Stop the running training after the current batch"},
            {"id": "training.export", "text": "&Export Run to ONNX…", "shortcut": "Ctrl+E",
             "callback": self.export_run, "toolbar": False,
             "enabled": lambda: self.runs.exportable_run() is not None,
             "tooltip": "Export the selected run (or the newest) as a verified ONNX bundle"},
        ]

    def export_run(self, run_dir: str | None = None) -> Any:
        """Open the export dialog for ``run_dir`` (default: the selected or newest run)."""
        from ui.panels.export_panel import open_export_dialog

        if run_dir is None:
            run = self.runs.exportable_run()
            if run is None:
                QtWidgets.QMessageBox.information(
                    self.window, "Nothing to export",
                    "Export needs a run with saved weights: train the network first, or "
                    "select a finished run in the Runs panel.")
                return None
            run_dir = str(run.path)
        self.export_dialog = open_export_dialog(run_dir, self.window)
        return self.export_dialog

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self.training.shutdown(timeout_ms)

    # wiring ----------------------------------------------------------------------------------
    def _connect(self) -> None:
        self.training.jobStarted.connect(self._on_job)
        self.training.runFinished.connect(self._on_finished)
        self.training.runFailed.connect(self.dashboard.fail_run)
        self.runs.overlayRequested.connect(self.dashboard.set_overlays)
        self.runs.exportRequested.connect(self.export_run)
        self.health.evidenceSelected.connect(self.dashboard.highlight)

    def _on_job(self, job: Any) -> None:
        self.health.clear()
        job.started.connect(self.dashboard.start_run)
        job.batches.connect(self.dashboard.add_batches)
        job.epoch.connect(self.dashboard.add_epoch)
        job.histograms.connect(self.dashboard.set_histograms)
        job.diagnostic.connect(self.health.add_diagnostic)
        job.finished.connect(self.dashboard.finish_run)
        self.docks["dashboard"].raise_()
        self._make_room_for_dashboard()

    def _make_room_for_dashboard(self) -> None:
        """A run starting in a squeezed dashboard gets about half the window's height."""
        dock = self.docks["dashboard"]
        wanted = int(self.window.height() * 0.5)
        if not dock.isFloating() and dock.isVisible() and dock.height() < wanted * 0.8:
            self.window.resizeDocks([dock], [wanted], QtCore.Qt.Vertical)

    def _on_finished(self, summary: dict[str, Any]) -> None:
        for finding in summary.get("findings") or []:
            self.health.add_finding(finding)
        project_dir = self._project_dir()
        if project_dir is not None and self.runs.project_dir != project_dir:
            self.runs.set_project_dir(project_dir)
        else:
            self.runs.refresh()


def install_training(main_window: QtWidgets.QMainWindow, provider: Provider | None = None
                     ) -> TrainingDocks:
    """Create the training docks on ``main_window`` and wire them together."""
    training = TrainingPanel(provider)
    dashboard = Dashboard()
    runs = RunsPanel()
    health = HealthPanel()
    docks: dict[str, QtWidgets.QDockWidget] = {}
    placement = [("training", "Training", training, QtCore.Qt.RightDockWidgetArea),
                 ("dashboard", "Dashboard", dashboard, QtCore.Qt.BottomDockWidgetArea),
                 ("runs", "Runs", runs, QtCore.Qt.BottomDockWidgetArea),
                 ("health", "Health", health, QtCore.Qt.RightDockWidgetArea)]
    for key, title, widget, area in placement:
        dock = QtWidgets.QDockWidget(title, main_window)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        main_window.addDockWidget(area, dock)
        docks[key] = dock
    main_window.tabifyDockWidget(docks["dashboard"], docks["runs"])
    docks["dashboard"].raise_()
    result = TrainingDocks(main_window, training, dashboard, runs, health, docks)
    result._connect()
    if provider is not None:
        result.project_changed()
    return result
