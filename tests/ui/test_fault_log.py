"""The fault log: a segmentation fault and uncaught exceptions (main thread and other threads)
are written to a log in the user's data folder, and the next start says where."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_crash_is_logged_and_the_next_start_says_where(tmp_path):
    crashed = run("from ui import fault_log\n"
                  "assert fault_log.install() == ''\n"
                  "import ctypes; ctypes.string_at(0)\n", tmp_path)
    assert crashed.returncode != 0
    log = tmp_path / "logs" / "workbench.log"
    text = log.read_text()
    assert "Segmentation fault" in text and "string_at" in text
    after = run("from ui import fault_log\n"
                "print(fault_log.install())\n"
                "fault_log.end_session()\n", tmp_path)
    assert after.returncode == 0, after.stderr
    assert "ended unexpectedly" in after.stdout and str(log) in after.stdout
    again = run("from ui import fault_log\nprint(repr(fault_log.install()))\n", tmp_path)
    assert again.stdout.strip() == "''"  # the clean exit before left nothing to report


def test_uncaught_exceptions_are_logged(tmp_path):
    done = run("import threading\n"
               "from ui import fault_log\n"
               "fault_log.install()\n"
               "def boom(): raise ValueError('in a worker thread')\n"
               "t = threading.Thread(target=boom, name='worker'); t.start(); t.join()\n"
               "raise RuntimeError('in the main thread')\n", tmp_path)
    assert done.returncode == 1
    text = (tmp_path / "logs" / "workbench.log").read_text()
    assert "uncaught exception in thread worker" in text and "ValueError: in a worker" in text
    assert "RuntimeError: in the main thread" in text
