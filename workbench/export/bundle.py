"""Export a trained run as a deployment bundle, checked before it appears on disk.

The bundle is built in a temporary folder beside ``out_dir`` and moved into place only when the
ONNX checker and the onnxruntime parity checks pass: it appears whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.export.bundle_files import (
    calibration_for,
    readme_text,
    rebuild_for_export,
    refuse_taken,
    verification_samples,
    write_verified_bundle,
)
from workbench.export.onnx_export import DEFAULT_OPSET, ExportError

__all__ = ["export_run", "readme_text", "rebuild_for_export", "write_verified_bundle"]

def export_run(run_dir: str | Path, out_dir: str | Path, opset: int = DEFAULT_OPSET,
               force: bool = False, measure_latency: bool = True,
               progress: Callable[[str], None] | None = None,
               allow_changed_data: bool = False) -> dict[str, Any]:
    """Export, verify and write the bundle; returns the report (JSON-able dict).

    An int8 variant (``workbench quantize``) is exported from its int8 artifact and verified
    against its float parent (:mod:`workbench.export.int8_bundle`). The run is rebuilt with ``workbench.run_model.rebuild_run`` (saved preprocessing, never
    re-fitted); data changed since training are refused unless ``allow_changed_data``.

    Raises ExportError (its ``report`` holds the checks measured so far) when the run cannot be
    loaded, the exporter or a check fails, or ``out_dir`` is taken and ``force`` is False.
    ``progress(stage)`` is called before each stage, on the calling thread; it may raise
    ExportCancelled to stop between stages (nothing is written then).
    """
    from workbench.export.latency import latency_table
    from workbench.export.onnx_export import export_onnx_bytes
    from workbench.export.verify import check_onnx, parity

    def stage(text: str) -> None:
        if progress is not None:
            progress(text)

    out_dir = Path(out_dir)
    refuse_taken(out_dir, force)
    from workbench.export.int8_bundle import export_int8_run, is_int8_variant

    if is_int8_variant(run_dir):  # an int8 artifact, verified against its float parent
        return export_int8_run(run_dir, out_dir, force, measure_latency, stage,
                               allow_changed_data)
    stage("loading the run")
    # the one core rebuild: weights, and the dataset with the run's saved preprocessing
    rebuilt = rebuild_for_export(run_dir, "best", allow_changed_data)
    run, module, weights, dataset = rebuilt.run, rebuilt.module, rebuilt.weights, rebuilt.dataset
    input_shape, input_dtype = tuple(module.input_shape), module.input_dtype
    split, x_val, y_val = verification_samples(dataset)
    stage(f"exporting to ONNX (opset {opset})")
    model_bytes = export_onnx_bytes(module, input_shape, input_dtype, opset)
    stage("onnx.checker (full check)")
    checker = check_onnx(model_bytes)
    checks: dict[str, Any] = {"onnx_checker": checker}
    if not checker["passed"]:
        raise ExportError(f"onnx.checker rejected the model: {checker['error']}",
                          {"checks": checks, "opset": opset})
    stage(f"onnxruntime vs PyTorch on {len(x_val)} {split} samples")
    try:
        scaling = (dataset.preprocessing.get("target_scaling")
                   if dataset.task == "regression" else None)
        result = parity(module, model_bytes, x_val, y_val, target_scaling=scaling)
    except Exception as exc:  # noqa: BLE001 - onnxruntime refusing the model is a check failure
        raise ExportError(f"onnxruntime cannot run the exported model: {type(exc).__name__}: "
                          f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
                          {"checks": checks, "opset": opset}) from exc
    checks["parity"] = {**result, "split": split}
    if not result["passed"]:
        score = (f"MAE {result.get('onnx_mae')} vs {result.get('torch_mae')}"
                 if scaling is not None else
                 f"accuracy {result.get('onnx_accuracy')} vs {result.get('torch_accuracy')}")
        raise ExportError(
            f"onnxruntime disagrees with PyTorch: max abs diff {result['max_abs_diff']:.3g}, "
            f"max rel diff {result['max_rel_diff']:.3g} (allowed rtol {result['rtol']}, atol "
            f"{result['atol']}); {score}", {"checks": checks, "opset": opset})
    latency: list[dict[str, Any]] = []
    if measure_latency:
        stage("measuring latency (PyTorch eager vs onnxruntime)")
        latency = latency_table(module, model_bytes, x_val)
    stage("writing the bundle")
    extra: dict[str, Any] = {"opset": opset, "weights": weights}
    calibration = calibration_for(run, dataset)
    if calibration is not None:
        extra["calibration"] = calibration
    return write_verified_bundle(run, out_dir, model_bytes, dataset, (input_shape, input_dtype),
                                 checks, latency, extra, force,
                                 {"split": split, "passed": result["passed"],
                                  "data_changed": rebuilt.data_changed})
