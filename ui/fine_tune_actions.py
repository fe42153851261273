"""Transfer learning in the main window: "Fine-tune from Run…" (Train menu and the Runs
panel) and keeping the training form in step with settings edited elsewhere (a layer frozen in
the inspector, undo, a fine-tune)."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore

from ui.run_choice import chosen_run_dir, refused_while_training


class FineTuneActions:
    """Mixed into MainWindow; relies on ``self.document``, ``self.training`` and
    ``statusBar``."""

    def fine_tune_from_run(self, run_dir: str | None = None) -> Any:
        """Open the fine-tune dialog for ``run_dir`` (default: the selected run, else the
        newest); OK stores its settings as the training settings' ``init`` and trains."""
        from ui.dialogs.fine_tune_dialog import FineTuneDialog

        if refused_while_training(self, "fine-tune from a run"):
            return None
        run_dir = chosen_run_dir(self.training.runs, run_dir)
        dialog = FineTuneDialog(run_dir, self.document.spec.copy(),
                                dict(self.document.project.training), self)
        dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.start_fine_tune(dialog.init_settings()))
        self.fine_tune_dialog = dialog
        dialog.open()
        return dialog

    def start_fine_tune(self, init: dict[str, Any]) -> bool:
        """Store ``init`` in the training settings (undoable) and train, as F5 does."""
        training = {**self.document.project.training, "init": init}
        self.document.edit("Fine-tune from run",
                           lambda p: setattr(p, "training", training))
        return self.training.training.start()

    def sync_training_form(self) -> None:
        """The training form shows the project's settings again after an edit that was not
        made in it (a frozen layer, undo, fine-tune), so its next edit does not undo them."""
        form = self.training.training.form
        if form.values() != form.normalized(self.document.project.training):
            form.set_values(self.document.project.training)
