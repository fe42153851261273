"""Which run a "… from Run" command works on, shared by the main window's run actions
(fine-tune, distill, prune, quantize): the run asked for, else the Runs panel's selected run,
else the newest; and the refusal while a run is training."""

from __future__ import annotations

from typing import Any


def chosen_run_dir(runs_panel: Any, run_dir: str | None = None) -> str:
    """``run_dir`` when given, else the first selected run in ``runs_panel``, else its newest
    run, else "" (no runs: the dialog says so)."""
    if run_dir is not None:
        return run_dir
    chosen = runs_panel.selected_runs() or list(runs_panel.runs)
    return str(chosen[0].path) if chosen else ""


def refused_while_training(window: Any, doing: str) -> bool:
    """True (and a status-bar message) when ``window``'s Training panel is running a job:
    ``doing`` names the action ("fine-tune from a run")."""
    if window.training.training.state == "idle":
        return False
    window.statusBar().showMessage(f"A run is training: {doing} once it has ended (or stop "
                                   f"it)", 8000)
    return True
