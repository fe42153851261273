"""The app under a real X server (Xvfb, xcb platform), driven by real mouse and keyboard events
(xdotool): a whole session from an empty canvas to export and quit ends with exit code 0 and
no warning of an ambiguous shortcut. See tests/e2e/xcb_session.py for the story it tells.

Skipped (with the reason) only where Xvfb or xdotool is not installed; .ci/run installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SESSION = Path(__file__).with_name("xcb_session.py")
ROOT = Path(__file__).resolve().parents[2]
MISSING = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]


@pytest.fixture
def x_display():
    """A private Xvfb display (its number chosen by Xvfb itself); stopped afterwards."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                               "1600x1000x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.timeout(600)
@pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (the real-"
                    f"display session needs Xvfb and xdotool; .ci/run installs them)")
def test_a_whole_session_under_xcb_with_real_input(x_display, tmp_path):
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "WORKBENCH_SETTINGS": str(tmp_path / "settings.ini"),
           "WORKBENCH_DATA_DIR": str(tmp_path / "data"),
           "XCB_SESSION_TIMEOUT_S": "500", "PYTHONPATH": str(ROOT)}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, str(SESSION), str(tmp_path)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=560)
    steps = json.loads((tmp_path / "steps.json").read_text()) \
        if (tmp_path / "steps.json").exists() else []
    log = tmp_path / "data" / "logs" / "workbench.log"  # where a fault's stacks go
    story = "\n".join(steps) + "\n--- stderr ---\n" + done.stderr[-4000:] + \
        ("\n--- fault log ---\n" + log.read_text()[-4000:] if log.exists() else "")
    assert done.returncode == 0, f"exit code {done.returncode} after:\n{story}"
    assert steps[-1] == "quit with Ctrl+Q", story
    assert "Ambiguous shortcut" not in done.stderr, story
    assert "Traceback" not in done.stderr, story
