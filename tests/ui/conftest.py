"""GUI test set-up: offscreen Qt, settings in a temporary file, a main window fixture."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def make_window(qtbot):
    """Factory for main windows that are closed (without prompts) after the test."""
    from ui.main_window import MainWindow

    windows = []

    def make(*args, **kwargs):
        window = MainWindow(*args, **kwargs)
        # pytest-qt closes added widgets before fixture teardown: never block on a prompt.
        window.ask_save_changes = lambda: "discard"
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.ask_save_changes = lambda: "discard"
        window.close()


@pytest.fixture
def window(make_window):
    return make_window()
