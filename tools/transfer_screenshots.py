"""Screenshots of transfer learning in the app: the Fine-tune from Run dialog (a layer loaded,
one skipped with the reason, freeze up to, lr scale, gradual unfreezing) and the canvas with a
frozen layer (lock badge) and the inspector's Freeze checkbox. Run:
``python tools/transfer_screenshots.py [OUT_DIR]`` (default docs/screenshots). Offscreen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = Path(tempfile.mkdtemp())
os.environ.setdefault("WORKBENCH_SETTINGS", str(_TMP / "settings.ini"))
os.environ.setdefault("WORKBENCH_DATA_DIR", str(_TMP / "data"))


def parent_run(project_dir: Path) -> Path:
    """A pretrained run folder (zeros as weights: the dialog reads only shapes)."""
    import numpy as np
    from safetensors.numpy import save_file

    from workbench.graph.templates import mlp
    from workbench.runs.run_store import RunStore

    run = RunStore.create(project_dir, "pretrain")
    run.save_config({"graph": mlp(input_size=2, hidden=(16,), num_classes=2).to_dict(),
                     "dataset": {"name": "moons", "options": {}}, "training": {}})
    run.write_summary({"val_accuracy": 0.875, "stopped_reason": "completed"})
    save_file({"fc1.weight": np.zeros((16, 2), np.float32), "fc1.bias": np.zeros(16, np.float32),
               "fc2.weight": np.zeros((2, 16), np.float32), "fc2.bias": np.zeros(2, np.float32)},
              str(run.path / "best.safetensors"))
    return run.path


def main(out_dir: str = "docs/screenshots") -> None:
    from PySide6 import QtWidgets

    from ui.dialogs.fine_tune_dialog import FineTuneDialog
    from ui.main_window import MainWindow
    from workbench.graph.templates import mlp
    from workbench.project import Project

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dialog = FineTuneDialog(str(parent_run(_TMP)), mlp(input_size=2, hidden=(16,),
                                                        num_classes=3), {})
    dialog.freeze_until.setCurrentText("fc1")
    dialog.lr_scale.setValue(0.1)
    dialog.unfreeze_every.setValue(3)
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "fine_tune.png"))
    dialog.close()
    window = MainWindow(Project(name="frozen", graph=mlp(input_size=2, hidden=(16,),
                                                         num_classes=2),
                                dataset={"name": "moons", "options": {}}, training={}))
    window.ask_save_changes = lambda: "discard"
    window.resize(1500, 760)
    window.show()
    app.processEvents()
    window.document.analyze_now()
    window.set_frozen("fc1", True)
    window.scene.select_nodes(["fc1"])
    window.docks["inspector"].raise_()
    window.view.zoom_to_fit(readable=False)
    window.view.zoom_by(1.12)
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(out / "frozen_layer.png"))
    window.training.shutdown()
    window.close()
    print(f"wrote {out / 'fine_tune.png'} and {out / 'frozen_layer.png'}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
