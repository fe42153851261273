"""Export a trained run as a deployment bundle, checked before it appears on disk.

The bundle is built in a temporary folder beside ``out_dir`` and moved into place only when the
ONNX checker and the onnxruntime parity checks pass: it appears whole or not at all.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.export.onnx_export import DEFAULT_OPSET, ExportError

PREDICT_TEMPLATE = Path(__file__).with_name("predict.py")
README = """Deployment bundle exported by the Workbench.

  model.onnx   the network (input "{input}", shape {shape}, dtype {dtype}; output "logits")
  model.json   input description, preprocessing, class labels, checks and latency at export
  predict.py   classify without the Workbench: needs numpy and onnxruntime (Pillow for images)

Examples:
  python predict.py samples.csv          # one prediction per CSV row (original columns)
  python predict.py picture.png          # an image
  python predict.py --npy inputs.npy     # already-preprocessed model inputs
  python predict.py samples.csv --json   # machine-readable
"""


def export_run(run_dir: str | Path, out_dir: str | Path, opset: int = DEFAULT_OPSET,
               force: bool = False, measure_latency: bool = True) -> dict[str, Any]:
    """Export, verify and write the bundle; returns the report. Raises ExportError."""
    from workbench.data import DataError, load_dataset
    from workbench.export.latency import latency_table
    from workbench.export.onnx_export import export_onnx_bytes
    from workbench.export.verify import check_onnx, parity
    from workbench.run_model import load_run_module
    from workbench.runs.run_store import RunStore

    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())) and not force:
        raise ExportError(f"{out_dir} already exists and is not empty; choose another folder "
                          f"or use --force to replace it")
    try:
        run = RunStore.open(run_dir)
        module, weights = load_run_module(run)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise ExportError(str(exc)) from exc
    input_shape, input_dtype = tuple(module.input_shape), module.input_dtype
    try:
        dataset = load_dataset(run.config["dataset"])
    except DataError as exc:
        raise ExportError(f"the run's dataset cannot be loaded for verification: {exc}") from exc
    model_bytes = export_onnx_bytes(module, input_shape, input_dtype, opset)
    checker = check_onnx(model_bytes)
    if not checker["passed"]:
        raise ExportError(f"onnx.checker rejected the model: {checker['error']}")
    x_val, y_val = dataset.x_val, dataset.y_val
    checks = parity(module, model_bytes, x_val, y_val)
    if not checks["passed"]:
        raise ExportError(
            f"onnxruntime disagrees with PyTorch: max abs diff {checks['max_abs_diff']:.3g}, "
            f"max rel diff {checks['max_rel_diff']:.3g} (allowed rtol {checks['rtol']}, atol "
            f"{checks['atol']}); accuracy {checks.get('onnx_accuracy')} vs "
            f"{checks.get('torch_accuracy')}")
    latency = latency_table(module, model_bytes, x_val) if measure_latency else []
    from workbench import __version__

    description = {
        "format_version": 1,
        "input": {"name": "input", "shape": ["batch", *input_shape], "dtype": input_dtype},
        "output": {"name": "logits", "shape": ["batch", dataset.num_classes]},
        "class_labels": list(dataset.class_names),
        "preprocessing": dataset.preprocessing,
        "checks": {"onnx_checker": checker, "parity": checks},
        "latency": latency, "opset": opset, "weights": weights,
        "source_run": str(run.path.resolve()), "workbench_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    _write_bundle(out_dir, model_bytes, description, force)
    report = {"out_dir": str(out_dir), "run_dir": str(run.path), **description}
    run.record_event({"kind": "export", "out_dir": str(out_dir.resolve()), "opset": opset,
                      "parity_passed": checks["passed"], "time": description["created"]})
    return report


def _write_bundle(out_dir: Path, model_bytes: bytes, description: dict[str, Any],
                  force: bool) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (staging / "model.onnx").write_bytes(model_bytes)
        (staging / "model.json").write_text(json.dumps(description, indent=2) + "\n")
        shutil.copyfile(PREDICT_TEMPLATE, staging / "predict.py")
        shape = ", ".join(str(d) for d in description["input"]["shape"])
        (staging / "README.txt").write_text(README.format(
            input=description["input"]["name"], shape=f"({shape})",
            dtype=description["input"]["dtype"]))
        if out_dir.exists():
            if not force:
                raise ExportError(f"{out_dir} appeared while exporting; nothing was replaced")
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
