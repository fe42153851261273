"""Prune dialog: before / predicted after, the core's refusal of a ratio that removes a whole
layer, a real pruned run written in the background (lineage pruned-from), cancel, and the
window's wiring (Runs context menu -> dialog -> the new run selected in the Runs tree)."""

from __future__ import annotations

import threading

import pytest

from tests.ui.compress_fixtures import train_tiny_run
from ui.dialogs.prune_dialog import PruneDialog
from workbench.runs.lineage import Lineage
from workbench.runs.run_store import RunStore, list_runs


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    project_dir = tmp_path_factory.mktemp("project")
    return project_dir, train_tiny_run(project_dir, hidden=(2, 8))


def make(qtbot, run_dir):
    dialog = PruneDialog(str(run_dir))
    dialog.repeats = 1
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.previewed, timeout=30_000):
        pass  # the weights are loaded off the GUI thread, then the preview is shown
    return dialog


def test_preview_and_the_core_refusing_a_ratio_that_removes_a_layer(qtbot, tiny):
    _, run_dir = tiny
    dialog = make(qtbot, run_dir)
    assert "before: 48 parameters" in dialog.header.text()  # 6 + 24 + 18
    assert dialog.after.text().startswith("after: ") and "(−" in dialog.after.text()
    assert dialog.start_button.isEnabled()
    dialog.ratio.setValue(0.99)
    dialog.update_preview()
    assert "would remove every one of the 2 channels" in dialog.message.text()
    assert dialog.message.isVisible() and not dialog.start_button.isEnabled()
    assert not dialog.start()  # refused with the same message, nothing started
    assert dialog.job is None
    dialog.ratio.setValue(0.5)
    dialog.update_preview()
    assert not dialog.message.isVisible() and dialog.start_button.isEnabled()


def test_prune_runs_in_the_background_and_writes_a_pruned_run(qtbot, tiny, monkeypatch):
    project_dir, run_dir = tiny
    import workbench.compress.prune_run as core

    threads, real = [], core.prune_run
    monkeypatch.setattr(core, "prune_run", lambda *a, **k: (
        threads.append(threading.current_thread()), real(*a, **k))[1])
    dialog = make(qtbot, run_dir)
    dialog.ratio.setValue(0.5)
    dialog.method.setCurrentIndex(dialog.method.findData("l2"))
    stages = []
    with qtbot.waitSignal(dialog.variantCreated, timeout=60_000) as done:
        assert dialog.start()
        dialog.job.progress.connect(stages.append)
        assert dialog.cancel_button.isVisible() and not dialog.ratio.isEnabled()
    dialog.wait()
    assert threads and threads[0] is not threading.main_thread()
    report = done.args[0]
    assert report["settings"]["method"] == "l2" and report["settings"]["ratio"] == 0.5
    pruned = RunStore.open(report["run_dir"])
    lineage = Lineage.from_dict(pruned.config["lineage"])
    assert lineage.relation == "pruned-from" and pruned.path.parent.parent == project_dir
    assert any("pruning" in s for s in stages)
    assert dialog.result.isVisible() and dialog.table.rowCount() == 2
    assert dialog.table.item(1, 2).text() == f"{report['params']:,}"
    assert "pruned-from: " in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled())
    assert not dialog.cancel_button.isVisible()


def test_cancel_stops_at_the_next_stage_with_nothing_written(qtbot, tiny):
    project_dir, run_dir = tiny
    before = {r.path for r in list_runs(project_dir)}
    dialog = make(qtbot, run_dir)
    with qtbot.waitSignal(dialog.jobEnded, timeout=60_000):
        dialog.start()
        assert not dialog.close()  # closing while it runs = cancel, closed once it ended
        assert dialog.isVisible()
    assert dialog.stage.text().startswith("cancelled before: ")  # the next stage reported
    assert not dialog.isVisible()
    assert {r.path for r in list_runs(project_dir)} == before
    assert dialog.report is None and not dialog.result.isVisible()


def test_a_core_error_is_shown_in_the_dialog(qtbot, tiny, monkeypatch):
    _, run_dir = tiny
    import workbench.compress.prune_run as core
    from workbench.compress.errors import CompressError

    def refuse(*_a, **_k):
        raise CompressError("the run's validation split is empty: pruning is measured on it")

    monkeypatch.setattr(core, "prune_run", refuse)
    dialog = make(qtbot, run_dir)
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        dialog.start()
    dialog.wait()
    assert failed.args[0].startswith("the run's validation split is empty")
    assert dialog.message.text() == failed.args[0] and dialog.message.isVisible()


def test_no_run_and_int8_runs_are_refused(qtbot, tmp_path):
    dialog = PruneDialog(str(tmp_path / "nothing"))
    qtbot.addWidget(dialog)
    assert "expected a run folder" in dialog.message.text()
    assert not dialog.start_button.isEnabled() and not dialog.start()


def test_window_context_menu_opens_the_dialog_and_shows_the_pruned_run(make_window, qtbot,
                                                                        tiny):
    project_dir, run_dir = tiny
    window = make_window()
    runs = window.training.runs
    runs.set_project_dir(project_dir)
    root = next(r for r in runs.runs if r.path == run_dir)
    menu = runs.context_menu(root)
    (prune,) = [a for a in menu.actions() if a.text() == "Prune…"]
    assert prune.isEnabled()
    prune.trigger()
    dialog = window.compression.actions.dialogs["prune"]
    assert dialog.isVisible() and dialog.run_dir == str(run_dir)
    dialog.repeats = 1
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=30_000)
    with qtbot.waitSignal(window.compression.actions.variantShown, timeout=60_000) as shown:
        dialog.start_button.click()
    dialog.wait()
    new_dir = shown.args[0]
    selected = runs.selected_runs()
    assert [str(r.path) for r in selected] == [new_dir]
    assert runs.column_texts("relation")[
        [str(runs._run_of(i).path) for i in runs.table.row_items()].index(new_dir)] == \
        "pruned-from"
    item = next(i for i in runs.table.row_items() if str(runs._run_of(i).path) == new_dir)
    assert item.parent() is not None and runs._run_of(item.parent()).path == run_dir
    panel = window.compression
    qtbot.waitUntil(lambda: panel.selected_run_dir() == new_dir, timeout=60_000)
    panel.wait()
