"""Screenshot of the Classes and Training Share dialog on digits_images (classes 5-9, 10% of
the training split, as the transfer_finetune_digits59 example). Run:
``python tools/dataset_options_screenshot.py [OUT_DIR]`` (default docs/screenshots). Offscreen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = Path(tempfile.mkdtemp())
os.environ.setdefault("WORKBENCH_SETTINGS", str(_TMP / "settings.ini"))
os.environ.setdefault("WORKBENCH_DATA_DIR", str(_TMP / "data"))


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtWidgets

    from ui.dialogs.dataset_options_dialog import DatasetOptionsDialog

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dialog = DatasetOptionsDialog({"name": "digits_images", "options": {
        "classes": [5, 6, 7, 8, 9], "train_fraction": 0.1}})
    dialog.show()
    for _ in range(3):
        app.processEvents()
    dialog.grab().save(str(out / "dataset_options.png"))
    dialog.close()
    print(f"wrote {out / 'dataset_options.png'}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
