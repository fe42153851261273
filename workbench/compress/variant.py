"""A quantized model as a run variant: a new run folder in the parent's project with lineage
``quantized-from``, the int8 model and the report as artifacts, and a summary.

Layout of the variant::

    runs/<stamp>-<parent name>-int8/
        config.json                 the parent's graph, dataset, preprocessing + lineage +
                                    "quantization" (the settings used)
        artifacts/model.int8.onnx   the int8 model
        artifacts/quantize_report.json
        summary.json                val_accuracy (or val_mae), params, macs, file_bytes,
                                    latency_ms {"1", "64"}

Everything is measured before the folder is created; if writing fails the folder is removed,
so there is never a half-written variant.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from workbench.runs.run_store import RunStore

MODEL_ARTIFACT = "model.int8.onnx"
REPORT_ARTIFACT = "quantize_report.json"
_KEEP = ("graph", "dataset", "preprocessing", "class_names", "data_report", "data_fingerprint")


def variant_name(parent: RunStore) -> str:
    """The parent's name without its time stamp, plus ``-int8``."""
    name = parent.path.name
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        name = parts[2]
    return f"{name}-int8"


def write_variant(parent: RunStore, model_bytes: bytes, settings: dict[str, Any],
                  report: dict[str, Any], summary: dict[str, Any]) -> RunStore:
    """Create the variant run folder next to ``parent`` and write it whole."""
    from workbench.runs.lineage import Lineage

    project_dir = parent.path.parent.parent
    run = RunStore.create(project_dir, variant_name(parent))
    try:
        lineage = Lineage(parent=str(parent.path.resolve()), relation="quantized-from")
        config = {key: parent.config[key] for key in _KEEP if key in parent.config}
        config.update(lineage=lineage.stored_for(run.path).to_dict(), quantization=settings,
                      model={"format": "onnx-int8", "artifact": f"artifacts/{MODEL_ARTIFACT}"})
        _write_artifact(run, MODEL_ARTIFACT, model_bytes)
        _write_artifact(run, REPORT_ARTIFACT, {**report, "run_dir": str(run.path)})
        run.write_summary({"run_dir": str(run.path), **summary})
        run.save_config(config)  # last: the folder is a run only once it is whole
    except BaseException:
        shutil.rmtree(run.path, ignore_errors=True)
        raise
    return run


def _write_artifact(run: RunStore, name: str, data: bytes | dict[str, Any]) -> Path:
    return run.write_artifact(name, data)
