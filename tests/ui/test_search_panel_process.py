"""The Search panel drives a real ``workbench search`` process: Start fills the table, Stop
ends it (no trial left running), Resume adds trials to the same study. Also the arguments
the panel passes, and Start refused without a saved project."""

from __future__ import annotations

from pathlib import Path

from tests.ui.search_fixtures import tiny_search_project
from ui.search_process import SearchOptions, search_arguments
from workbench.project import load_project


def test_search_arguments():
    args = search_arguments("/p/x.wbproj.json", "/p", SearchOptions(
        strategy="random", pruner="hyperband", trials=3, timeout=60,
        objectives=("val_accuracy", "params")), resume=True)
    assert args[:4] == ["-m", "workbench.cli", "search", "/p/x.wbproj.json"]
    text = " ".join(args)
    assert "--project /p" in text and "--strategy random" in text and "--trials 3" in text
    assert "--pruner hyperband" in text and "--timeout 60" in text and args[-1] == "--resume"
    assert args.count("--objective") == 2


def test_start_needs_a_saved_project(make_window, tmp_path, qtbot):
    project_file = tiny_search_project(tmp_path / "proj")
    window = make_window(load_project(project_file), None)  # never saved
    window.search.ask_save = lambda: False
    panel = window.search.panel
    assert not panel.start()
    assert "saved project file" in panel.status.text()
    assert not (tmp_path / "proj" / "search").exists()


def test_start_stop_resume_a_real_search(make_window, tmp_path, qtbot, request):
    project_file = tiny_search_project(tmp_path / "proj")
    window = make_window(load_project(project_file), project_file)
    panel = window.search.panel
    panel.strategy.setCurrentText("random")
    panel.pruner.setCurrentText("none")
    panel.trials.setValue(40)
    assert panel.start()
    request.addfinalizer(lambda: _kill(panel.process.pid))  # a failed test leaves none
    assert panel.state == "running" and panel.stop_button.isEnabled()
    assert (tmp_path / "proj" / "search" / "tiny.pid").is_file()

    def one_complete():
        report = panel.report or {}
        return (report.get("states") or {}).get("complete", 0) >= 1
    qtbot.waitUntil(one_complete, timeout=240_000)
    assert panel.table.rowCount() >= 1 and panel.table.state_of(0) == "complete"
    panel.stop()
    assert panel.state == "stopping"
    qtbot.waitUntil(lambda: panel.state == "idle", timeout=60_000)
    panel._stale = True
    panel.poll()
    panel.wait_for_read()
    report = panel.report
    assert report["states"]["running"] == 0, report["states"]  # nothing left running
    assert report["n_trials"] < 40
    assert "Stopped" in panel.status.text()
    before = report["n_trials"]
    panel.trials.setValue(1)
    assert panel.resume_button.isEnabled()
    assert panel.start(resume=True)
    qtbot.waitUntil(lambda: panel.state == "idle", timeout=240_000)
    panel._stale = True
    panel.poll()
    panel.wait_for_read()
    assert panel.report["n_trials"] == before + 1, Path(panel.process.log_path).read_text()
    assert panel.report["states"]["complete"] >= 2


def _kill(pid: int | None) -> None:
    import os
    import signal

    from ui.search_process import process_alive

    if pid and process_alive(pid):
        os.kill(pid, signal.SIGKILL)


def test_first_save_moves_the_study_to_the_saved_folder(make_window, tmp_path, qtbot,
                                                        monkeypatch):
    """An unsaved project is saved before the search; the search goes to the saved folder."""
    import ui.search_process as search_process

    started = []
    monkeypatch.setattr(search_process.SearchProcess, "start",
                        lambda self, *a, **k: started.append(self.project_dir) or 4242)
    project_file = tiny_search_project(tmp_path / "first")
    window = make_window(load_project(project_file), None)
    target = tmp_path / "saved" / "tiny.wbproj.json"
    target.parent.mkdir()
    window.search.ask_save = lambda: True
    window.ask_save_path = lambda: str(target)
    assert window.search.panel.start()
    assert started == [target.parent] and target.is_file()
    assert window.search.panel.project_dir == target.parent


def test_the_workers_field_reaches_the_command_line(make_window, tmp_path, qtbot,
                                                    monkeypatch):
    import subprocess

    import ui.search_process

    project_file = tiny_search_project(tmp_path / "proj")
    window = make_window(load_project(project_file), project_file)
    panel = window.search.panel
    started = []

    class Started:
        pid = 999_999_999

        def poll(self):
            return 0

    def popen(command, **_kwargs):
        started.append(command)
        return Started()

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(ui.search_process, "available_cores", lambda: 4)
    assert panel.workers.minimum() == 1 and panel.workers.value() == 1
    panel.workers.setMaximum(4)
    panel.workers.setValue(2)
    assert panel.options().workers == 2
    assert panel.start()
    command = started[0]
    assert command[command.index("--workers") + 1] == "2"
    assert "2 workers" in panel.status.text() and "torch thread" in panel.status.text()
    one = search_arguments("/p/x.wbproj.json", "/p", SearchOptions(workers=1))
    assert "--workers" not in one  # one worker: the trials run in the search process
