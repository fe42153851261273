"""File size and onnxruntime latency of the runs in a compare table, cached in each run folder.

A weight run is measured through its float ONNX export (``export_onnx_bytes`` of the rebuilt
module; no data needed); an int8 variant through its int8 artifact. Latency comes from
:func:`workbench.compress.measure.latencies`: threads pinned, every model side by side in
interleaved rounds, the median per call. Each run keeps its figures in the artifact
``compare_measure.json``, ``{"<threads>": {"key", "file_bytes", "latency_ms", "input"}}``;
the key names the weights file (size and modification time), so new weights are measured again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.compress.errors import CompressError

CACHE_ARTIFACT = "compare_measure.json"
INT8_FORMAT = "onnx-int8"


def model_format(run: Any) -> str:
    """"onnx-int8" for a quantized variant, else "weights" (a run with safetensors weights)."""
    model = run.config.get("model")
    if isinstance(model, dict) and model.get("format") == INT8_FORMAT:
        return INT8_FORMAT
    return "weights"


def int8_artifact(run: Any) -> Path:
    """The int8 ONNX file of a quantized variant; CompressError when it is missing."""
    model = run.config.get("model") or {}
    path = run.path / str(model.get("artifact", "artifacts/model.int8.onnx"))
    if not path.is_file():
        raise CompressError(f"{run.path}: the int8 variant's model {path.name} is missing "
                            f"(expected {path})")
    return path


def cache_key(run: Any) -> str:
    """What the figures depend on: the model file's name, size and modification time."""
    if model_format(run) == INT8_FORMAT:
        path = int8_artifact(run)
    else:
        path = run.path / "best.safetensors"
        if not path.is_file():
            latest = run.latest_checkpoint()
            if latest is None:
                raise CompressError(f"{run.path}: the run has no weights (expected "
                                    f"best.safetensors or a checkpoint), found none")
            path = latest[0]
    stat = path.stat()
    return f"{path.relative_to(run.path)}:{stat.st_size}:{stat.st_mtime_ns}"


def cached(run: Any, threads: int) -> dict[str, Any] | None:
    """The run's cached figures for ``threads``, when they still match its model file."""
    import json

    if CACHE_ARTIFACT not in run.artifacts():
        return None
    try:
        entry = json.loads(run.read_artifact(CACHE_ARTIFACT)).get(str(threads))
        if entry and entry.get("key") == cache_key(run):
            return entry
    except (ValueError, OSError, AttributeError):
        return None
    return None


def model_bytes(run: Any) -> bytes:
    """The ONNX model a row is measured with: the int8 artifact, or the float export."""
    if model_format(run) == INT8_FORMAT:
        return int8_artifact(run).read_bytes()
    from workbench.export.onnx_export import ExportError, export_onnx_bytes
    from workbench.run_model import rebuild_run

    try:
        module = rebuild_run(run, data=False).module
        return export_onnx_bytes(module, tuple(module.input_shape), module.input_dtype)
    except (ExportError, FileNotFoundError, ValueError, KeyError, RuntimeError) as exc:
        raise CompressError(f"cannot export {run.path} to ONNX for measuring: {exc}") from exc


def sample_input(model: bytes) -> np.ndarray:
    """One seeded random sample shaped as the ONNX model's input (batch dimension 1)."""
    import onnx
    from onnx.helper import tensor_dtype_to_np_dtype

    graph = onnx.load_from_string(model).graph
    tensor = graph.input[0].type.tensor_type
    shape = [d.dim_value if d.dim_value > 0 else 1 for d in tensor.shape.dim]
    dtype = tensor_dtype_to_np_dtype(tensor.elem_type)
    x = np.random.default_rng(0).standard_normal((1, *shape[1:]))
    return x.astype(dtype) if np.issubdtype(dtype, np.floating) else np.zeros_like(x, dtype)


def measure_runs(runs: list[Any], threads: int = 1, repeats: int = 30,
                 remeasure: bool = False) -> dict[Path, dict[str, Any]]:
    """``{run.path: {"file_bytes", "latency_ms": {"1", "64"}, "cached": bool}}``.

    Runs with cached figures for ``threads`` are not measured again (unless ``remeasure``);
    the others are measured side by side, and their figures are cached. A run that has no
    model to measure (no weights yet, an export that fails) gets None figures and
    ``"missing"``: the reason.
    """
    from workbench.compress.measure import latencies

    out: dict[Path, dict[str, Any]] = {}
    todo: dict[str, tuple[Any, bytes]] = {}
    for run in runs:
        try:
            entry = None if remeasure else cached(run, threads)
            if entry is None:
                cache_key(run)  # a clear message when there are no weights to measure
                todo[str(run.path)] = (run, model_bytes(run))
                continue
        except CompressError as exc:
            out[run.path] = {"file_bytes": None, "latency_ms": {"1": None, "64": None},
                             "cached": False, "missing": str(exc)}
            continue
        out[run.path] = {"file_bytes": entry["file_bytes"],
                         "latency_ms": entry["latency_ms"], "cached": True}
    if not todo:
        return out
    shapes = {sample_input(m).shape for _, m in todo.values()}
    if len(shapes) > 1:
        raise CompressError(f"the runs take different inputs ({', '.join(map(str, shapes))}); "
                            f"expected one family of variants of the same model")
    x = sample_input(next(iter(todo.values()))[1])
    times = latencies({name: m for name, (_, m) in todo.items()}, x, threads, repeats=repeats)
    for name, (run, model) in todo.items():
        figures = {"file_bytes": len(model), "latency_ms": times[name]}
        _store(run, threads, figures)
        out[run.path] = {**figures, "cached": False}
    return out


def _store(run: Any, threads: int, figures: dict[str, Any]) -> None:
    import json

    entries: dict[str, Any] = {}
    if CACHE_ARTIFACT in run.artifacts():
        try:
            entries = dict(json.loads(run.read_artifact(CACHE_ARTIFACT)))
        except (ValueError, OSError, TypeError):
            entries = {}
    entries[str(threads)] = {"key": cache_key(run), "threads": threads, **figures}
    try:
        run.write_artifact(CACHE_ARTIFACT, entries)
    except OSError:  # a read-only run folder: the figures are still shown, only not cached
        pass
