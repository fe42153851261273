"""What went wrong, written down: Python faults and uncaught exceptions go to a log file in the
user's data folder, and the next start says where when the last session did not end cleanly.

``install()`` (called by ``ui.app.run_app``) opens ``<data>/logs/workbench.log`` for appending,
points ``faulthandler`` at it (segmentation faults, aborts: the Python stack of every thread),
chains ``sys.excepthook`` and ``threading.excepthook`` to append the traceback, and leaves a
marker (``<data>/session.json``, this process's id) that ``end_session()`` removes on a clean
exit. A marker left by a process that is gone means that session crashed or was killed;
``install()`` returns what to tell the person about it.

The data folder is ``$WORKBENCH_DATA_DIR`` when set (the tests use it), else Qt's per-user
application data folder.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from workbench.processes import process_alive

LOG_NAME = "workbench.log"
MARKER_NAME = "session.json"
_log: IO[str] | None = None


def data_dir() -> Path:
    """The user's data folder for Workbench (created on demand by the callers)."""
    configured = os.environ.get("WORKBENCH_DATA_DIR")
    if configured:
        return Path(configured)
    from PySide6 import QtCore

    location = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.AppDataLocation)
    return Path(location or Path.home() / ".workbench")


def log_path() -> Path:
    return data_dir() / "logs" / LOG_NAME


def write_entry(title: str, text: str) -> None:
    """Append one dated entry to the open log (nothing when no log is open)."""
    if _log is None:
        return
    try:
        _log.write(f"\n[{time.strftime('%Y-%m-%d %H:%M:%S')}] pid {os.getpid()} {title}\n"
                   f"{text.rstrip()}\n")
        _log.flush()
    except (OSError, ValueError):
        pass


def install() -> str:
    """Start logging faults and uncaught exceptions for this process. Returns a sentence about
    the previous session when it ended without closing cleanly, else ''."""
    global _log
    folder = data_dir()
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _log = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - open for life
    except OSError as exc:
        print(f"workbench: cannot write the fault log {path}: {exc}", file=sys.stderr)
        return ""
    previous = _previous_session(folder / MARKER_NAME)
    write_entry("session started", f"Workbench, Python {sys.version.split()[0]}")
    faulthandler.enable(file=_log, all_threads=True)
    _chain_hooks()
    _write_marker(folder / MARKER_NAME)
    if not previous:
        return ""
    write_entry("previous session", previous)
    return (f"{previous} What was known about it (faults, uncaught errors) is in {path}.")


def end_session() -> None:
    """A clean exit: remove the marker, stop writing faults to the log."""
    global _log
    marker = data_dir() / MARKER_NAME
    try:
        if json.loads(marker.read_text()).get("pid") == os.getpid():
            marker.unlink()
    except (OSError, ValueError, AttributeError):
        pass
    if _log is not None:
        write_entry("session ended", "clean exit")
        if faulthandler.is_enabled():
            faulthandler.disable()
        _log.close()
        _log = None


def _previous_session(marker: Path) -> str:
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return ""
    pid = info.get("pid") if isinstance(info, dict) else None
    if not isinstance(pid, int) or process_alive(pid):
        return ""  # another Workbench is still running, or nothing to say
    started = info.get("started", "an unknown time")
    return f"The last Workbench session (started {started}) ended unexpectedly."


def _write_marker(marker: Path) -> None:
    from workbench.runs.atomic import atomic_write_text

    try:
        atomic_write_text(marker, json.dumps({"pid": os.getpid(),
                                              "started": time.strftime("%Y-%m-%d %H:%M:%S")}))
    except OSError:
        pass


def _chain_hooks() -> None:
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook

    def excepthook(kind: Any, value: Any, tb: Any) -> None:
        write_entry("uncaught exception",
                    "".join(traceback.format_exception(kind, value, tb)))
        previous_hook(kind, value, tb)

    def thread_excepthook(args: Any) -> None:
        name = args.thread.name if args.thread is not None else "?"
        write_entry(f"uncaught exception in thread {name}", "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)))
        previous_thread_hook(args)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
