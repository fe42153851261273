"""Explain panel: why the selected run's model decides what it does (issue 14), in five tabs:
Attributions, Importance, Mistakes, Calibration and Groups.

Every computation is a ``workbench.explain`` call on the panel's job queue (``ui.explain_jobs``:
one background thread at a time, never the GUI or a training thread), with progress and
Cancel where the core reports them; problems (``ExplainError``) are a message in the tab. The
core caches slow results in the run folder, and the panel remembers what it showed per run,
so re-selecting a run shows its results at once. Cheap views (mistakes, calibration, the
methods and group columns that fit) load when their tab is shown; slow ones (attributions,
permutation importance) when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtGui, QtWidgets

from ui.explain_jobs import ExplainQueue
from ui.panels.explain_attributions import AttributionsTab
from ui.panels.explain_calibration import CalibrationTab
from ui.panels.explain_groups import GroupsTab
from ui.panels.explain_importance import ImportanceTab
from ui.panels.explain_mistakes import MistakesTab


class ExplainPanel(QtWidgets.QWidget):
    """The selected run's explanations; ``set_run`` follows the Runs panel."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.queue = ExplainQueue(self)
        self.memo: dict[tuple[str, str], Any] = {}
        self.title = QtWidgets.QLabel("Select one trained run in the Runs panel to explain "
                                      "its model (validation split only).")
        self.title.setWordWrap(True)
        self.attributions = AttributionsTab(self.queue, self.memo)
        self.importance = ImportanceTab(self.queue, self.memo)
        self.mistakes = MistakesTab(self.queue, self.memo)
        self.calibration = CalibrationTab(self.queue, self.memo)
        self.groups = GroupsTab(self.queue, self.memo)
        self.tabs = QtWidgets.QTabWidget()
        for tab, name, tip in (
                (self.attributions, "Attributions", "Which parts of each input the decision "
                 "rests on: heat maps over images, bars per CSV column, coloured tokens"),
                (self.importance, "Importance", "Permutation importance: how much the "
                 "validation score drops when one feature is shuffled"),
                (self.mistakes, "Mistakes", "Misclassified validation samples, most "
                 "confident first (regression: largest residuals)"),
                (self.calibration, "Calibration", "Reliability diagram, expected calibration "
                 "error and temperature scaling"),
                (self.groups, "Groups", "Metrics per group of a CSV column and the fairness "
                 "differences")):
            self.tabs.addTab(tab, name)
            self.tabs.setTabToolTip(self.tabs.count() - 1, tip)
        self.tabs.currentChanged.connect(lambda _i: self.load_current())
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)

    def all_tabs(self) -> list[Any]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def set_run(self, run_dir: str | Path | None) -> None:
        """Explain ``run_dir``: every tab starts over (showing what is remembered for it);
        jobs for the previous run are cancelled."""
        new = Path(run_dir) if run_dir else None
        if new == self.run_dir:
            return
        self.queue.cancel_all()
        self.run_dir = new
        self.title.setText(f"Explaining {new.name} on its validation split." if new else
                           "Select one trained run in the Runs panel.")
        for tab in self.all_tabs():
            tab.set_run(new)
        if self.isVisible():
            self.load_current()

    def load_current(self) -> None:
        """Load the shown tab's cheap content (or what is remembered)."""
        tab = self.tabs.currentWidget()
        if self.run_dir is not None and hasattr(tab, "load"):
            tab.load()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.load_current()

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Block (processing events) until every queued job has ended (tests)."""
        return self.queue.wait(timeout_ms)


def install_explain_panel(window: Any) -> ExplainPanel:
    """Add the Explain dock (tabbed with Compression) and View > Explain to ``window``; the
    panel follows the Runs panel's selection."""
    from ui.commands import Command
    from ui.panels.run_dock import add_run_dock

    panel = ExplainPanel()
    show = add_run_dock(window, "explain", "Explain", panel, tab_with="compression")
    window.registry.add(Command(
        "view.explain", "&Explain (attributions, mistakes, fairness)", show, None, "&View",
        tooltip="Why the selected run's model decides what it does: attributions, "
                "permutation importance, mistakes, calibration and per-group metrics"))
    return panel
