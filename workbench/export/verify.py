"""Check an exported model: the ONNX checker, then onnxruntime against PyTorch on real samples."""

from __future__ import annotations

from typing import Any

import numpy as np

RTOL, ATOL = 1e-3, 1e-5


def ort_session(model_bytes: bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def check_onnx(model_bytes: bytes) -> dict[str, Any]:
    import onnx

    try:
        model = onnx.load_from_string(model_bytes)
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # noqa: BLE001 - ValidationError, InferenceError, DecodeError
        text = str(exc).strip()
        return {"passed": False,
                "error": f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"}
    return {"passed": True, "opset": int(model.opset_import[0].version),
            "ir_version": int(model.ir_version)}


def parity(module: Any, model_bytes: bytes, x: np.ndarray, y: np.ndarray | None,
           batch: int = 64, target_scaling: dict[str, Any] | None = None) -> dict[str, Any]:
    """Max abs/rel difference of the outputs at batch 1 and ``batch``, then the task's score.

    Classification: argmax agreement and accuracy (must be equal). Regression (``target_scaling``
    given): MAE in the target's original units of both (must agree to rtol, atol x std).
    """
    import torch

    session = ort_session(model_bytes)
    module.eval()
    with torch.no_grad():
        torch_out = np.concatenate([module(torch.as_tensor(x[i:i + batch])).numpy()
                                    for i in range(0, len(x), batch)])
    ort_out = np.concatenate([session.run(["logits"], {"input": x[i:i + batch]})[0]
                              for i in range(0, len(x), batch)])
    single = np.concatenate([session.run(["logits"], {"input": x[i:i + 1]})[0]
                             for i in range(min(len(x), 16))])
    diff = np.abs(ort_out - torch_out)
    rel = diff / np.maximum(np.abs(torch_out), 1e-12)
    ok = bool(np.allclose(ort_out, torch_out, rtol=RTOL, atol=ATOL)) and bool(
        np.allclose(single, torch_out[:len(single)], rtol=RTOL, atol=ATOL))
    result: dict[str, Any] = {
        "samples": int(len(x)), "batch_sizes": [1, batch],
        "max_abs_diff": float(diff.max()) if diff.size else 0.0,
        "max_rel_diff": float(rel.max()) if rel.size else 0.0,
        "rtol": RTOL, "atol": ATOL, "outputs_close": ok,
    }
    if target_scaling is not None:
        result["passed"] = ok and _mae_parity(result, torch_out, ort_out, y, target_scaling)
        return result
    result["argmax_agreement"] = float((ort_out.argmax(1) == torch_out.argmax(1)).mean())
    if y is not None and len(y):
        result["torch_accuracy"] = float((torch_out.argmax(1) == y).mean())
        result["onnx_accuracy"] = float((ort_out.argmax(1) == y).mean())
        ok = ok and result["torch_accuracy"] == result["onnx_accuracy"]
    result["passed"] = ok
    return result


def _mae_parity(result: dict[str, Any], torch_out: np.ndarray, ort_out: np.ndarray,
                y: np.ndarray | None, scaling: dict[str, Any]) -> bool:
    """Adds torch_mae / onnx_mae (original units) to ``result``; True when they agree."""
    if y is None or not len(y):
        return True
    mean, std = float(scaling["mean"]), float(scaling["std"])
    truth = np.asarray(y, dtype=np.float64).reshape(len(y), -1) * std + mean
    torch_mae = float(np.abs(torch_out.astype(np.float64) * std + mean - truth).mean())
    onnx_mae = float(np.abs(ort_out.astype(np.float64) * std + mean - truth).mean())
    result["torch_mae"], result["onnx_mae"] = torch_mae, onnx_mae
    return abs(torch_mae - onnx_mae) <= RTOL * abs(torch_mae) + ATOL * std
