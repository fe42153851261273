"""Persistent settings (last folder, window layout, recent files).

``WORKBENCH_SETTINGS=/path/file.ini`` keeps them in that file instead of the user's profile
(the tests use it so they never touch real settings).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6 import QtCore

MAX_RECENT = 8


def app_settings() -> QtCore.QSettings:
    path = os.environ.get("WORKBENCH_SETTINGS")
    if path:
        return QtCore.QSettings(path, QtCore.QSettings.IniFormat)
    return QtCore.QSettings("Workbench", "Workbench")


def recent_files(settings: QtCore.QSettings) -> list[str]:
    value = settings.value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [v for v in (value or []) if isinstance(v, str)]


def add_recent(settings: QtCore.QSettings, path: Path) -> list[str]:
    entry = str(Path(path).resolve())
    files = [entry] + [f for f in recent_files(settings) if f != entry]
    settings.setValue("recent_files", files[:MAX_RECENT])
    settings.setValue("last_folder", str(Path(entry).parent))
    return files[:MAX_RECENT]
