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
