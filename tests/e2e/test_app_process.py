"""The real app as a process: it starts, opens a project, lives a few seconds (the device probe
imports torch on a background thread meanwhile) and quits with exit code 0, no crash at exit."""

from __future__ import annotations

import os
import subprocess
import sys

from workbench.paths import find_example


def run_app(tmp_path, *args: str, quit_after_ms: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "WORKBENCH_SETTINGS": str(tmp_path / "settings.ini"),
           "WORKBENCH_DATA_DIR": str(tmp_path / "data"),
           "WORKBENCH_QUIT_AFTER_MS": str(quit_after_ms)}
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)


def test_app_opens_a_project_and_quits_cleanly(tmp_path):
    done = run_app(tmp_path, str(find_example("resnet_small")), quit_after_ms=3000)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "QThread" not in done.stderr
    assert not (tmp_path / "workbench-project").exists()  # opening writes nothing


def test_bad_project_file_keeps_the_app_up(tmp_path):
    bad = tmp_path / "broken.wbproj.json"
    bad.write_text("{not json")
    done = run_app(tmp_path, str(bad), quit_after_ms=1500)
    assert done.returncode == 0, done.stderr[-2000:]
    assert bad.read_text() == "{not json"


DRIVE = """
import json, os, signal, sys
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication(sys.argv[:1])

def window():
    from ui.main_window import MainWindow
    return next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

def edit_then_die():
    w = window()
    w.set_param("fc1", "out_features", 77)
    def wait():
        if w.autosaver.file.exists():
            os.kill(os.getpid(), signal.SIGKILL)  # no clean-up of any kind
        QtCore.QTimer.singleShot(50, wait)
    wait()

def report_then_quit():
    w = window()
    print(json.dumps({"out_features": w.document.spec.node("fc1").params.get("out_features"),
                      "dirty": w.document.dirty, "title": w.windowTitle()}), flush=True)
    w.ask_save_changes = lambda: "discard"
    w.close()

def raise_in_a_slot_then_quit():
    w = window()
    def boom():
        raise ZeroDivisionError("a slot failed")
    QtCore.QTimer.singleShot(0, boom)
    def report():
        print(json.dumps({"last_error": w.last_error}), flush=True)
        w.close()
    QtCore.QTimer.singleShot(300, report)

QtCore.QTimer.singleShot(300, {"die": edit_then_die, "report": report_then_quit,
                               "raise": raise_in_a_slot_then_quit}[sys.argv[1]])
from ui.app import run_app
sys.exit(run_app([sys.argv[0]] + sys.argv[2:]))
"""


def test_killed_session_is_recovered_at_the_next_start(tmp_path):
    import json

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "WORKBENCH_SETTINGS": str(tmp_path / "settings.ini"),
           "WORKBENCH_DATA_DIR": str(tmp_path / "data"), "WORKBENCH_AUTOSAVE_MS": "200"}
    example = str(find_example("mlp_digits"))
    killed = subprocess.run([sys.executable, "-c", DRIVE, "die", example], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert killed.returncode == -9, killed.stderr[-2000:]
    env["WORKBENCH_RECOVERY"] = "recover"
    again = subprocess.run([sys.executable, "-c", DRIVE, "report"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr[-2000:]
    state = json.loads(again.stdout.strip().splitlines()[-1])
    assert state["out_features"] == 77 and state["dirty"], state
    assert "ended unexpectedly" in again.stderr and "workbench.log" in again.stderr
    assert not list((tmp_path / "data" / "autosave").glob("*.json"))  # recovered, then closed


def test_an_error_in_a_slot_is_shown_logged_and_survived(tmp_path):
    import json

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "WORKBENCH_SETTINGS": str(tmp_path / "settings.ini"),
           "WORKBENCH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", DRIVE, "raise"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    log = tmp_path / "data" / "logs" / "workbench.log"
    message = json.loads(done.stdout.strip().splitlines()[-1])["last_error"]
    assert "ZeroDivisionError: a slot failed" in message and str(log) in message
    text = log.read_text()
    assert "uncaught exception" in text and "in boom" in text and "clean exit" in text
