"""Prune and Quantize in the main window: "Prune Run…" and "Quantize Run…" (Train menu, the
Runs panel's context menu, the Compression dock's buttons for its selected row).

Each opens its dialog (``ui.dialogs.prune_dialog``, ``ui.dialogs.quantize_dialog``) for the run
asked for (default: the Runs panel's selected run, else the newest). The dialog runs the core
call on a worker thread (``ui.compress_jobs``) and stays open with the result; when the variant
is written the Runs tree is read again with the new run selected under its parent, and the
Compression dock shows the family with the new row selected. Errors go to the dialog and the
status bar; the app stays up. Installed by ``install_compression_panel`` (the window stays
small).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore

from ui.run_choice import chosen_run_dir


class CompressActions(QtCore.QObject):
    """Opens the Prune / Quantize dialogs of ``window`` and shows their variants."""

    variantShown = QtCore.Signal(str)  # run folder of a new variant, selected in the Runs tree

    def __init__(self, window: Any, panel: Any) -> None:
        super().__init__(window)
        self.window, self.panel = window, panel
        self.dialogs: dict[str, Any] = {}

    def prune_run(self, run_dir: str | None = None) -> Any:
        """Open the Prune dialog for ``run_dir`` (default: the selected run, else the newest)."""
        from ui.dialogs.prune_dialog import PruneDialog

        return self._open("prune", PruneDialog, run_dir)

    def quantize_run(self, run_dir: str | None = None) -> Any:
        """Open the Quantize dialog for ``run_dir`` (default: the selected run, else the
        newest)."""
        from ui.dialogs.quantize_dialog import QuantizeDialog

        return self._open("quantize", QuantizeDialog, run_dir)

    def _open(self, kind: str, dialog_class: Any, run_dir: str | None) -> Any:
        current = self.dialogs.get(kind)
        if current is not None and current.is_running():  # one job of a kind at a time
            self.window.statusBar().showMessage(f"A {kind} job is running: its dialog is in "
                                                f"front", 8000)
            current.show()
            current.raise_()
            return current
        if current is not None:
            current.close()
            current.deleteLater()
        dialog = dialog_class(chosen_run_dir(self.window.training.runs, run_dir), self.window)
        dialog.variantCreated.connect(self.show_variant)
        dialog.failed.connect(lambda message: self.window.statusBar().showMessage(
            f"{dialog_class.title}: {message}", 15000))
        self.dialogs[kind] = dialog
        dialog.show()  # not modal: the app stays usable while the job runs
        return dialog

    def cancel_all(self) -> None:
        """Ask every running job to stop at its next stage (the app is quitting)."""
        for dialog in self.dialogs.values():
            dialog.cancel()

    def show_variant(self, report: dict[str, Any]) -> None:
        """The new run in the Runs tree (selected) and its row in the Compression dock."""
        run_dir = report["run_dir"]
        runs = self.window.training.runs
        runs.refresh()
        runs.select_runs([run_dir])
        self.panel.select_after_measure(run_dir)
        dock = self.window.docks.get("compression")
        if dock is not None:
            dock.show()
            dock.raise_()
        self.panel.set_run(run_dir)
        self.window.statusBar().showMessage(f"Written: {Path(run_dir).name} (under "
                                            f"{Path(report['parent']).name} in the Runs panel)",
                                            10000)
        self.variantShown.emit(run_dir)


def install_compress_actions(window: Any, panel: Any) -> CompressActions:
    """Add "Prune Run…" / "Quantize Run…" to the Train menu and connect the Runs panel's
    ``prune_requested`` / ``quantize_requested`` and the Compression dock's buttons."""
    from ui.commands import Command

    actions = CompressActions(window, panel)
    app = QtCore.QCoreApplication.instance()
    if app is not None:  # before ui.workers waits for the threads at quit: stop them sooner
        app.aboutToQuit.connect(actions.cancel_all)
    runs = window.training.runs
    has_runs = lambda: bool(runs.runs)  # noqa: E731
    window.registry.add(Command(
        "training.prune", "&Prune Run…", lambda: actions.prune_run(), None, "&Train", has_runs,
        "Remove the least important channels of a run's network (structured pruning) into a "
        "smaller run, optionally fine-tuned; parameters, MACs and latency before and after"))
    window.registry.add(Command(
        "training.quantize", "&Quantize Run (int8)…", lambda: actions.quantize_run(), None,
        "&Train", has_runs,
        "Make an int8 variant of a run with ONNX Runtime, measured on this machine: "
        "accuracy, size and latency of each format, the recommended one"))
    for signal, slot in ((getattr(runs, "prune_requested", None), actions.prune_run),
                         (getattr(runs, "quantize_requested", None), actions.quantize_run),
                         (panel.pruneRequested, actions.prune_run),
                         (panel.quantizeRequested, actions.quantize_run)):
        if signal is not None:
            signal.connect(slot)
    return actions
