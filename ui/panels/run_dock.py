"""A bottom dock whose panel shows the run selected in the Runs panel (Compression, Explain)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets


def add_run_dock(window: Any, key: str, title: str, panel: Any, tab_with: str
                 ) -> Callable[[], None]:
    """Dock ``panel`` (which has ``set_run(path)``) as ``window.docks[key]``, tabified with the
    dock ``tab_with`` (else Problems); the panel follows a single selected run. Returns the
    "show" action: raise the dock and show the selected run."""
    dock = QtWidgets.QDockWidget(title, window)
    dock.setObjectName(f"dock_{key}")
    dock.setWidget(panel)
    window.addDockWidget(QtCore.Qt.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(window.docks.get(tab_with, window.docks["problems"]), dock)
    window.docks[key] = dock
    runs = window.training.runs

    def follow_selection() -> None:
        selected = runs.selected_runs()
        if len(selected) == 1:
            panel.set_run(selected[0].path)

    def show() -> None:
        dock.show()
        dock.raise_()
        follow_selection()

    runs.table.itemSelectionChanged.connect(follow_selection)
    return show
