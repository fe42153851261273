"""Knowledge distillation in the main window: "Distill from Run…" (Train menu and the Runs
panel). The dialog's smaller copy of the teacher replaces the canvas network (one undoable
edit); OK stores the distillation objective in the training settings (one undoable edit) and
trains through the Training panel, the run's lineage saying distilled-from the teacher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore

from ui.run_choice import chosen_run_dir, refused_while_training


class DistillActions:
    """Mixed into MainWindow; relies on ``self.document``, ``self.training`` and
    ``statusBar``."""

    def distill_from_run(self, run_dir: str | None = None) -> Any:
        """Open the distill dialog for ``run_dir`` (default: the selected run, else the
        newest) with the canvas network as the student."""
        from ui.dialogs.distill_dialog import DistillDialog

        if refused_while_training(self, "distill from a run"):
            return None
        run_dir = chosen_run_dir(self.training.runs, run_dir)
        project = self.document.project
        dataset = str((project.resolved_dataset() or {}).get("name", ""))
        dialog = DistillDialog(run_dir, self.document.spec.copy(), dataset,
                               dict(project.training), self)
        dialog.setAttribute(QtCore.Qt.WA_DeleteOnClose)
        dialog.smallerCopyRequested.connect(self.use_student_graph)
        dialog.accepted.connect(lambda: self.start_distill(dialog.objective()))
        self.distill_dialog = dialog
        dialog.open()
        return dialog

    def use_student_graph(self, graph: Any) -> None:
        """Put ``graph`` (the teacher's smaller copy) on the canvas as one undoable edit."""
        self.document.edit("Use a smaller copy of the teacher",
                           lambda p: setattr(p, "graph", graph.copy()))
        self.statusBar().showMessage("The teacher's smaller copy is on the canvas (Undo brings "
                                     "your network back)", 8000)

    def start_distill(self, objective: dict[str, Any]) -> bool:
        """Store ``objective`` in the training settings (undoable) and train, as F5 does; the
        started run's lineage is distilled-from the teacher."""
        training = {**self.document.project.training, "objective": objective}
        self.document.edit("Distill from run", lambda p: setattr(p, "training", training))
        teacher = str(Path(objective["options"]["teacher_run"]).resolve())
        return self.training.training.start(
            lineage={"parent": teacher, "relation": "distilled-from"})


def install_distill(window: Any, docks: Any) -> None:
    """Add "Distill from Run…" to ``window``'s Train menu and connect the Runs panel's
    ``distill_requested`` (kept here so the main window stays small)."""
    from ui.commands import Command

    window.registry.add(Command(
        "training.distill", "&Distill from Run…", lambda: window.distill_from_run(), None,
        "&Train", lambda: docks.training.state == "idle" and bool(docks.runs.runs),
        "Train the current network (the student) to follow a run's predictions (the "
        "teacher) with the distillation objective"))
    requested = getattr(docks.runs, "distill_requested", None)
    if requested is not None:  # Runs panel: "Distill from run…" on a run
        requested.connect(window.distill_from_run)
