"""Export an int8 variant (``workbench quantize``) as a deployment bundle.

The bundle's model.onnx is the variant's int8 artifact; predict.py, README.txt and model.json
are those of any bundle, so predict.py works unchanged. Verification suits int8 rather than
float parity: the ONNX checker, then the int8 model (onnxruntime) against its float parent
(PyTorch) on the validation split: predicted-class agreement >= 0.98 and an accuracy drop of
at most the variant's ``max_accuracy_drop`` (regression: the MAE increase, in % of the float
MAE). The latency table is the float parent in PyTorch eager next to the int8 model in ORT.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.export.onnx_export import ExportError, ExportInputError

DEFAULT_MAX_DROP = 0.5


def is_int8_variant(run_dir: str | Path) -> bool:
    """True when ``run_dir`` is a run whose model is an int8 ONNX artifact."""
    from workbench.compress.compare_measure import INT8_FORMAT, model_format
    from workbench.runs.run_store import RunStore

    try:
        return model_format(RunStore.open(run_dir)) == INT8_FORMAT
    except (FileNotFoundError, NotADirectoryError, ValueError, OSError):
        return False


def max_accuracy_drop(run: Any) -> float:
    """The drop the variant was quantized to keep within (its quantize report), else 0.5."""
    import json

    try:
        report = json.loads(run.read_artifact("quantize_report.json"))
        return float(report["max_accuracy_drop"])
    except (FileNotFoundError, ValueError, KeyError, TypeError, OSError):
        return DEFAULT_MAX_DROP


def export_int8_run(run_dir: str | Path, out_dir: Path, force: bool = False,
                    measure_latency: bool = True, stage: Callable[[str], None] = lambda s: None,
                    allow_changed_data: bool = False) -> dict[str, Any]:
    """Verify and write the bundle of the int8 variant at ``run_dir``; returns the report.

    ExportInputError when the variant, its int8 file or its float parent cannot be loaded;
    ExportError (with the checks so far) when a check fails. Nothing is written then.
    """
    from workbench.compress.compare_measure import int8_artifact
    from workbench.compress.errors import CompressError
    from workbench.export.bundle_files import (
        rebuild_for_export,
        verification_samples,
        write_verified_bundle,
    )
    from workbench.export.latency import latency_table
    from workbench.export.verify import check_onnx, int8_vs_float
    from workbench.runs.lineage import parent_of

    stage("loading the int8 variant and its float parent")
    variant = rebuild_for_export(run_dir, None, allow_changed_data)
    run, dataset = variant.run, variant.dataset
    try:
        model_bytes = int8_artifact(run).read_bytes()
    except CompressError as exc:
        raise ExportInputError(str(exc)) from exc
    parent = parent_of(run)
    if parent is None:
        raise ExportInputError(f"{run.path}: the int8 variant's float parent run is missing "
                               f"(expected the run it was quantized from, found none); the "
                               f"export verifies int8 against it")
    module = rebuild_for_export(parent.path, "best", True, data=False).module
    split, x, y = verification_samples(dataset)
    stage("onnx.checker (full check)")
    checker = check_onnx(model_bytes)
    checks: dict[str, Any] = {"onnx_checker": checker}
    if not checker["passed"]:
        raise ExportError(f"onnx.checker rejected the int8 model: {checker['error']}",
                          {"checks": checks})
    scaling = dataset.preprocessing.get("target_scaling") if dataset.task == "regression" \
        else None
    limit = max_accuracy_drop(run)
    stage(f"int8 (onnxruntime) vs float parent (PyTorch) on {len(x)} {split} samples")
    try:
        result = int8_vs_float(module, model_bytes, x, y, limit, target_scaling=scaling)
    except Exception as exc:  # noqa: BLE001 - onnxruntime refusing the model is a failure
        raise ExportError(f"onnxruntime cannot run the int8 model: {type(exc).__name__}: "
                          f"{_first_line(exc)}", {"checks": checks}) from exc
    checks["int8_vs_float"] = {**result, "split": split}
    if not result["passed"]:
        raise ExportError(f"the int8 model does not keep its float parent's predictions: "
                          f"{describe_int8_check(result)}", {"checks": checks})
    latency: list[dict[str, Any]] = []
    if measure_latency:
        stage("measuring latency (float PyTorch eager vs int8 onnxruntime)")
        latency = latency_table(module, model_bytes, x)
    stage("writing the bundle")
    opset = int(checker.get("opset") or 0)
    extra = {"opset": opset, "weights": str(int8_artifact(run).relative_to(run.path)),
             "model_format": "onnx-int8", "float_parent": str(parent.path.resolve()),
             "latency_note": "torch_eager_ms: the float parent in PyTorch; onnxruntime_ms: "
                             "the int8 model"}
    return write_verified_bundle(
        run, out_dir, model_bytes, dataset,
        (tuple(module.input_shape), module.input_dtype), checks, latency, extra, force,
        {"split": split, "passed": True, "data_changed": variant.data_changed})


def describe_int8_check(result: dict[str, Any]) -> str:
    """One line: agreement (classification), scores and the drop against its limit."""
    parts = []
    if "argmax_agreement" in result:
        parts.append(f"predicted-class agreement {result['argmax_agreement']:.4f} (needs >= "
                     f"{result['min_agreement']})")
    key = "mae" if "float_mae" in result else "accuracy"
    parts.append(f"{key} float {result[f'float_{key}']:.4g}, int8 {result[f'int8_{key}']:.4g}"
                 f": drop {result['accuracy_drop']:.3g} {result['drop_unit']} (allowed "
                 f"{result['max_accuracy_drop']})")
    return "; ".join(parts)


def format_int8_report(report: dict[str, Any]) -> str:
    """An int8 export report as readable lines (``workbench export``'s text output)."""
    from workbench.export.latency import format_latency_table

    check = report["checks"]["int8_vs_float"]
    lines = [f"bundle written to {report['out_dir']} (int8 model of {report['source_run']})",
             f"  onnx.checker (full check): passed, opset {report['opset']}",
             f"  int8 (onnxruntime) vs float parent (PyTorch) on {check['samples']} "
             f"{check.get('split', 'validation')} samples, batch 1 and "
             f"{check['batch_sizes'][1]}: {describe_int8_check(check)}: passed"]
    if report.get("latency"):
        lines += ["", format_latency_table(report["latency"]),
                  "  (PyTorch eager: the float parent; onnxruntime: the int8 model)"]
    return "\n".join(lines)


def int8_check_rows(report: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(check, passed, details) for an int8 export report (for the export dialog's table)."""
    check = report.get("checks", {}).get("int8_vs_float")
    if check is None:
        return []
    return [("int8 (onnxruntime) vs float parent (PyTorch)", bool(check["passed"]),
             f"{describe_int8_check(check)}; {check['samples']} {check.get('split', '')} "
             f"samples, batch 1 and {check['batch_sizes'][1]}")]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
