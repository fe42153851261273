"""The image-folder dialog: size, grayscale and bad_images options, the core's load report
(skipped files counted and listed), checked in the background with progress and Cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtWidgets

from ui.dialogs import image_folder_dialog
from ui.dialogs.image_folder_dialog import ImageFolderDialog
from workbench.data import DataError


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))  # decoded here


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "pictures"
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (root / name).mkdir(parents=True)
        for i in range(6):
            pixels = rng.integers(0, 255, (12, 10, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    (root / "dog" / "broken.png").write_text("not a picture")
    (root / "cat" / ".DS_Store").write_bytes(b"\0\1")  # ignored by the loader
    return root


def ok_enabled(dialog: ImageFolderDialog) -> bool:
    return dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok).isEnabled()


def settled(qtbot, dialog: ImageFolderDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=60_000)


def test_options_round_trip_with_defaults_left_out(qtbot, folder):
    options = {"path": str(folder), "size": [16, 20], "grayscale": True,
               "bad_images": "skip", "workers": 1}
    dialog = ImageFolderDialog(None, options)
    qtbot.addWidget(dialog)
    assert dialog.options() == options
    dialog.set_options({"path": str(folder)})
    assert dialog.options() == {"path": str(folder)}
    assert not dialog.height_spin.isEnabled()  # no size: the first image's
    settled(qtbot, dialog)


def test_an_unreadable_file_fails_by_name_then_skip_lists_it(qtbot, folder):
    dialog = ImageFolderDialog(None, {"path": str(folder)})
    qtbot.addWidget(dialog)
    settled(qtbot, dialog)
    assert not ok_enabled(dialog)
    assert "broken.png" in dialog.error and "cannot be read" in dialog.error
    dialog.bad_combo.setCurrentIndex(dialog.bad_combo.findData("skip"))
    settled(qtbot, dialog)
    assert ok_enabled(dialog), dialog.preview_text()
    text = dialog.preview_text()
    assert "skipped 1 file" in text and "dog/broken.png" in text
    assert "images: 12 at 12x10" in text
    assert dialog.summary["shape"] == (3, 12, 10)
    assert dialog.options()["bad_images"] == "skip"


def test_size_and_grayscale_reach_the_loaded_data(qtbot, folder):
    dialog = ImageFolderDialog(None, {"path": str(folder), "bad_images": "skip"})
    qtbot.addWidget(dialog)
    dialog.resize_check.setChecked(True)
    dialog.height_spin.setValue(8)
    dialog.width_spin.setValue(6)
    dialog.grayscale_check.setChecked(True)
    settled(qtbot, dialog)
    assert ok_enabled(dialog)
    assert dialog.summary["shape"] == (1, 8, 6)
    assert dialog.options()["size"] == [8, 6] and dialog.options()["grayscale"] is True


def test_a_long_decode_shows_progress_and_cancel_stops_it(qtbot, folder, monkeypatch):
    import time

    def slow(options, report, cancelled):
        from workbench.data.image_cache import Progress

        for done in range(1, 10_000):
            report(Progress(done, 10_000, 2_000.0, 5.0, "decoding images"))
            if cancelled():
                raise DataError(f"decoding images cancelled after {done:,} of 10,000; nothing "
                                f"is kept")
            time.sleep(0.005)
        raise AssertionError("ran to the end")

    monkeypatch.setattr(image_folder_dialog, "load_folder", slow)
    dialog = ImageFolderDialog(None, {"path": str(folder)})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.progress.isVisible(), timeout=10_000)
    assert dialog.cancel_button.isVisible()
    assert "decoding images" in dialog.preview_text() and "files/s" in dialog.preview_text()
    assert dialog.progress.maximum() == 10_000
    dialog.cancel_button.click()
    settled(qtbot, dialog)
    assert "cancelled after" in dialog.error and not ok_enabled(dialog)
    assert dialog.progress.isHidden()


def test_an_empty_path_asks_for_a_folder(qtbot):
    dialog = ImageFolderDialog(None, {})
    qtbot.addWidget(dialog)
    dialog.check()
    assert "Choose an image folder" in dialog.preview_text() and not ok_enabled(dialog)


def test_the_app_asks_for_an_image_folder_through_the_dialog(qtbot, window, folder,
                                                             monkeypatch):
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(folder)))

    def accept(dialog: ImageFolderDialog) -> int:
        dialog.bad_combo.setCurrentIndex(dialog.bad_combo.findData("skip"))
        settled(qtbot, dialog)
        assert "skipped 1 file" in dialog.preview_text()
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(ImageFolderDialog, "exec", accept)
    assert window.ask_dataset_options("image_folder") == {"path": str(folder),
                                                          "bad_images": "skip"}
