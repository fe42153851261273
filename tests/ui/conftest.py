"""GUI test set-up: offscreen Qt, settings in a temporary file, a main window fixture."""

from __future__ import annotations

import gc
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))  # autosaves, fault log


@pytest.fixture
def make_window(qtbot):
    """Factory for main windows that are closed (without prompts) after the test."""
    from ui.main_window import MainWindow

    windows = []

    def make(*args, **kwargs):
        window = MainWindow(*args, **kwargs)
        # pytest-qt closes added widgets before fixture teardown: never block on a prompt.
        window.ask_save_changes = lambda: "discard"
        window.ask_stop_training = lambda: True
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.ask_save_changes = lambda: "discard"
        window.training.shutdown()
        window.close()


@pytest.fixture(autouse=True)
def no_leftover_threads_or_widgets(qapp):
    """After each GUI test: background jobs have ended and closed widgets are deleted, so
    nothing from one test runs (or is destroyed) in the next one or at interpreter exit."""
    yield
    from PySide6 import QtCore

    from ui import workers

    assert workers.shutdown_all(30_000), "a background job did not end within 30 s"
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.DeferredDelete)
        qapp.processEvents()
    gc.collect()


@pytest.fixture
def window(make_window):
    return make_window()
