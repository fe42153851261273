"""Autosave and recovery: unsaved work is written to a side file after idle seconds, removed
when saved or closed cleanly, and offered back (saying what it is) after a crash or a kill."""

from __future__ import annotations

import json
import subprocess
import sys

from ui.autosave import Autosaver, offer_recovery, pending_recoveries
from workbench.paths import find_example


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def orphan(side_file) -> None:
    """Make a side file look left behind by a process that is gone."""
    data = json.loads(side_file.read_text())
    data["pid"] = dead_pid()
    side_file.write_text(json.dumps(data))


def test_idle_autosave_then_removed_when_saved(window, qtbot, tmp_path):
    window.autosaver.timer.setInterval(50)
    window.open_example(find_example("mlp_digits"))
    side = window.autosaver.file
    assert not side.exists()
    window.set_param("fc1", "out_features", 77)
    qtbot.waitUntil(side.exists, timeout=5000)
    saved = json.loads(side.read_text())
    assert saved["project"]["graph"]["nodes"][1]["params"]["out_features"] == 77
    assert saved["original_path"] is None
    window.ask_save_path = lambda: str(tmp_path / "kept.wbproj.json")
    window.registry.trigger("file.save")
    assert not side.exists()


def test_a_clean_close_leaves_nothing_to_recover(make_window):
    window = make_window()
    window.add_layer("ReLU")
    assert window.autosaver.save_now() and window.autosaver.file.exists()
    window.close()
    assert not window.autosaver.file.exists()


def test_work_left_by_a_dead_session_is_offered_and_recovered(make_window):
    first = make_window()
    first.open_example(find_example("mlp_digits"))
    first.set_param("fc1", "out_features", 77)
    first.autosaver.save_now()
    side = first.autosaver.file
    assert pending_recoveries() == []  # our own (live) session's file is not offered
    orphan(side)
    (found,) = pending_recoveries()
    assert "'mlp_digits' (never saved): 8 layers, dataset digits" in found.describe()
    second = make_window()
    asked = []
    second.ask_recover = lambda text: asked.append(text) or "recover"
    assert offer_recovery(second)
    assert asked == [found.describe()]
    assert second.document.spec.node("fc1").params["out_features"] == 77
    assert second.document.dirty and not side.exists()


def test_discard_removes_and_later_keeps(make_window, monkeypatch):
    window = make_window()
    window.add_layer("ReLU")
    window.autosaver.save_now()
    side = window.autosaver.file
    orphan(side)
    window.autosaver.file = side.with_name("elsewhere.json")  # keep the orphan as it is
    other = make_window()
    other.ask_recover = lambda _text: "later"
    assert not offer_recovery(other) and side.exists()
    monkeypatch.setenv("WORKBENCH_RECOVERY", "discard")
    assert not offer_recovery(other) and not side.exists()


def test_autosaver_keeps_quiet_without_changes(window):
    autosaver = Autosaver(window, idle_ms=10)
    autosaver.watch(window.document)
    assert not autosaver.save_now() and not autosaver.file.exists()
