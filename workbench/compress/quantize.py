"""Quantize a trained run to int8 with ONNX Runtime, measured, as a run variant.

:func:`quantize_run` rebuilds the run (``workbench.run_model.rebuild_run``: its weights and its
SAVED preprocessing), exports the float model to ONNX, runs ORT's quantization pre-processing,
calibrates on N training samples, quantizes, and measures float32 and int8 side by side with
onnxruntime: accuracy on the validation split (regression: MAE), file size, latency at batch 1
and 64 with the thread count pinned. When the accuracy drop exceeds ``max_accuracy_drop``
(accuracy points; regression: % MAE increase), the most sensitive nodes are kept in float
(:mod:`workbench.compress.sensitivity`) and the report names them. ``fmt="auto"`` measures
every format (:mod:`workbench.compress.formats`; with and without the first layer in float)
and picks the fastest that keeps accuracy. Every int8 model is compacted
(:mod:`workbench.compress.compact`) before it is measured and written.
The result is a new run folder with lineage ``quantized-from`` (:mod:`.variant`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.compress.errors import CompressError
from workbench.compress.formats import FLOAT, candidate_settings, recommend
from workbench.compress.onnx_quantize import FORMATS, QuantSettings

DEFAULT_SAMPLES = 256


def quantize_run(run_dir: str | Path, mode: str = "static", fmt: str = "qdq",
                 types: str = "U8S8", per_channel: bool = True, calibration: str = "minmax",
                 samples: int = DEFAULT_SAMPLES, max_accuracy_drop: float = 0.5,
                 threads: int = 1, repeats: int = 30, write: bool = True,
                 allow_changed_data: bool = False, first_float: bool = False,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Quantize the run at ``run_dir``; returns the report (JSON-able).

    ``fmt``: "qdq", "qoperator" or "auto" (every static format x type and dynamic, measured;
    ``mode`` and ``types`` are then ignored; variants keeping the first layer in float are
    measured too when the model has two or more quantizable layers). ``first_float``: keep the
    first layer in float (static). ``write``: create the variant run folder.
    Raises CompressError (bad settings, a run that cannot be loaded, an empty calibration set,
    a model ORT cannot quantize) with nothing written; FileNotFoundError when there is no run.
    """
    from workbench.compress.calibration import calibration_samples
    from workbench.compress.measure import accuracy_drop, latencies, predict, score
    from workbench.compress.onnx_quantize import first_layer_nodes, preprocess, quantize_bytes
    from workbench.compress.sensitivity import keep_sensitive_in_float

    def stage(text: str) -> None:
        if progress is not None:
            progress(text)

    if fmt not in (*FORMATS, "auto"):
        raise CompressError(f"format must be one of {', '.join(FORMATS)}, auto; found {fmt!r}")
    if threads < 1:
        raise CompressError(f"threads must be at least 1, found {threads}")
    if max_accuracy_drop < 0:
        raise CompressError(f"the accuracy drop threshold must be >= 0, found "
                            f"{max_accuracy_drop}")
    if samples < 1 and (fmt == "auto" or mode == "static"):
        raise CompressError(f"calibration needs at least 1 sample, found --samples {samples}")
    candidates = (candidate_settings(per_channel, calibration) if fmt == "auto" else
                  [QuantSettings(mode, fmt, types, per_channel, calibration, first_float)])
    stage("loading the run")
    parent, module, dataset = _rebuild(run_dir, allow_changed_data)
    if dataset.x_val is None or not len(dataset.x_val):
        raise CompressError("the run's validation split is empty: quantization is measured on "
                            "it (found 0 samples)")
    scaling = (dataset.preprocessing.get("target_scaling")
               if dataset.task == "regression" else None)
    x_val, y_val = dataset.x_val, dataset.y_val
    calib_x = (calibration_samples(dataset.x_train, samples)
               if any(c.mode == "static" for c in candidates) else None)
    stage("exporting the float model to ONNX")
    float_bytes = _export(module)
    reference = score(predict(float_bytes, x_val, threads), y_val, scaling)
    stage("ORT quantization pre-processing")
    pre_bytes = preprocess(float_bytes)
    if fmt == "auto" and not first_layer_nodes(pre_bytes):  # one layer: first-float = float
        candidates = [c for c in candidates if not c.first_float]
    rows: list[dict[str, Any]] = []
    models: dict[str, bytes] = {FLOAT: float_bytes}
    sensitivity: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="wb-calib-") as cache_dir:
        for settings in candidates:
            stage(f"quantizing: {settings.label}")
            model = quantize_bytes(pre_bytes, settings, calib_x, (), cache_dir)
            result = score(predict(model, x_val, threads), y_val, scaling)
            rows.append({"label": settings.label, "settings": settings.to_dict(),
                         "score": result, "drop": accuracy_drop(reference, result),
                         "excluded": []})
            models[settings.label] = model
        stage(f"measuring latency side by side (batch 1 and 64, {threads} thread(s))")
        times = latencies(models, x_val, threads, repeats=repeats)
        fastest = min(range(len(rows)), key=lambda i: times[rows[i]["label"]]["64"])
        if rows[fastest]["drop"] > max_accuracy_drop:  # worth keeping its worst nodes in float
            row = rows[fastest]
            stage(f"{row['label']}: accuracy drop {row['drop']} > {max_accuracy_drop}: "
                  f"per-node sensitivity")
            sensitivity = keep_sensitive_in_float(
                pre_bytes, candidates[fastest], calib_x, x_val, y_val, scaling, reference,
                max_accuracy_drop, cache_dir, threads, progress)
            row.update(score=sensitivity["score"], drop=sensitivity["drop"],
                       excluded=sensitivity["excluded"])
            row["settings"] = {**row["settings"], "nodes_in_float": sensitivity["excluded"]}
            models[row["label"]] = sensitivity["model"]
            stage("measuring latency again, side by side")
            times = latencies(models, x_val, threads, repeats=repeats)
    table = [_row(FLOAT, None, reference, None, [], float_bytes, times[FLOAT], times[FLOAT])]
    table += [_row(r["label"], r["settings"], r["score"], r["drop"], r["excluded"],
                   models[r["label"]], times[r["label"]], times[FLOAT]) for r in rows]
    choice = recommend(table, max_accuracy_drop)
    chosen = next((r for r in table[1:] if r["label"] == choice["choice"]), None)
    if chosen is None:  # nothing keeps accuracy: the closest one is still reported and written
        chosen = min(table[1:], key=lambda r: r["drop"])
    report = _report(parent, module, dataset, table, chosen, choice, sensitivity, threads,
                     len(calib_x) if calib_x is not None else 0, max_accuracy_drop)
    if write:
        from workbench.compress.variant import write_variant

        stage("writing the variant run")
        variant = write_variant(parent, models[chosen["label"]], chosen["settings"], report,
                                _summary(report))
        report["run_dir"] = str(variant.path)
    return report


def _rebuild(run_dir: str | Path, allow_changed_data: bool) -> tuple[Any, Any, Any]:
    from workbench.data import DataError
    from workbench.run_model import rebuild_run
    from workbench.runs.run_store import RunStore

    RunStore.open(run_dir)  # FileNotFoundError naming the folder when it is not a run
    try:
        rebuilt = rebuild_run(run_dir, allow_changed_data=allow_changed_data,
                              purpose="quantize")
    except DataError:
        raise
    except (FileNotFoundError, ValueError, KeyError, RuntimeError) as exc:
        raise CompressError(f"cannot load the run {run_dir}: {exc}") from exc
    return rebuilt.run, rebuilt.module, rebuilt.dataset


def _export(module: Any) -> bytes:
    from workbench.export.onnx_export import ExportError, export_onnx_bytes

    try:
        return export_onnx_bytes(module, tuple(module.input_shape), module.input_dtype)
    except ExportError as exc:
        raise CompressError(str(exc)) from exc


def _row(label: str, settings: dict[str, Any] | None, result: dict[str, float],
         drop: float | None, excluded: list[str], model: bytes, times: dict[str, float],
         float_times: dict[str, float]) -> dict[str, Any]:
    return {"label": label, "settings": settings, **{f"val_{k}": v for k, v in result.items()},
            "drop": drop, "nodes_in_float": list(excluded), "file_bytes": len(model),
            "latency_ms": times,
            "speedup": {b: round(float_times[b] / t, 3) if t > 0 else None
                        for b, t in times.items()}}


def _report(parent: Any, module: Any, dataset: Any, table: list[dict[str, Any]],
            chosen: dict[str, Any], choice: dict[str, Any], sensitivity: dict[str, Any] | None,
            threads: int, samples: int, max_drop: float) -> dict[str, Any]:
    from workbench.graph.shape_inference import analyze
    from workbench.graph.spec import GraphSpec

    analysis = analyze(GraphSpec.from_dict(parent.config["graph"]))
    regression = dataset.task == "regression"
    score_key = "val_mae" if regression else "val_accuracy"
    reference = table[0]
    return {
        "run_dir": None, "parent": str(parent.path), "relation": "quantized-from",
        "task": dataset.task, "chosen": chosen["label"], "settings": chosen["settings"],
        score_key: chosen[score_key], f"float_{score_key}": reference[score_key],
        **({"val_accuracy": None} if regression else {}),  # the compare table's key
        "accuracy_drop": chosen["drop"], "max_accuracy_drop": max_drop,
        "drop_unit": "% of the float MAE" if regression else "accuracy points",
        "within_threshold": chosen["drop"] <= max_drop,
        "nodes_in_float": chosen["nodes_in_float"],
        "params": int(analysis.total_params), "macs": int(analysis.total_macs),
        "file_bytes": chosen["file_bytes"], "float_file_bytes": reference["file_bytes"],
        "latency_ms": chosen["latency_ms"], "float_latency_ms": reference["latency_ms"],
        "speedup": chosen["speedup"], "threads": threads, "calibration_samples": samples,
        "validation_samples": int(len(dataset.x_val)),
        "recommend": choice["recommend"], "reason": choice["reason"], "formats": table,
        "sensitivity": sensitivity["sensitivity"] if sensitivity else None,
    }


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("task", "val_accuracy", "val_mae", "params", "macs", "file_bytes", "latency_ms",
            "accuracy_drop", "threads")
    return {**{k: report[k] for k in keys if k in report}, "relation": "quantized-from",
            "parent": report["parent"], "weights": "artifacts/model.int8.onnx",
            "stopped_reason": "quantized", "epochs_run": 0}
