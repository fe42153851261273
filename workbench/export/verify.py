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


MIN_AGREEMENT = 0.98  # share of samples where the int8 model predicts the float model's class


def int8_vs_float(module: Any, int8_bytes: bytes, x: np.ndarray, y: np.ndarray | None,
                  max_drop: float, target_scaling: dict[str, Any] | None = None,
                  batch: int = 64, min_agreement: float = MIN_AGREEMENT) -> dict[str, Any]:
    """The int8 model (onnxruntime) against its float parent (PyTorch) on real samples, with a
    tolerance that suits int8 instead of float parity.

    Classification: predicted-class agreement >= ``min_agreement`` and an accuracy drop of at
    most ``max_drop`` points. Regression (``target_scaling`` given): the MAE increase, in % of
    the float MAE, at most ``max_drop``. Both batch 1 and ``batch`` are run.
    """
    import torch

    from workbench.compress.measure import accuracy_drop, score

    session = ort_session(int8_bytes)
    module.eval()
    with torch.no_grad():
        float_out = np.concatenate([module(torch.as_tensor(x[i:i + batch])).numpy()
                                    for i in range(0, len(x), batch)])
    int8_out = np.concatenate([session.run(["logits"], {"input": x[i:i + batch]})[0]
                               for i in range(0, len(x), batch)])
    for i in range(min(len(x), 16)):  # batch 1 runs too
        session.run(["logits"], {"input": x[i:i + 1]})
    diff = np.abs(int8_out - float_out)
    result: dict[str, Any] = {
        "kind": "int8 vs float", "samples": int(len(x)), "batch_sizes": [1, batch],
        "max_abs_diff": float(diff.max()) if diff.size else 0.0,
        "max_accuracy_drop": float(max_drop),
    }
    if y is None or not len(y):
        raise ValueError("int8 verification needs labelled samples, found none")
    float_score, int8_score = score(float_out, y, target_scaling), score(int8_out, y,
                                                                         target_scaling)
    drop = accuracy_drop(float_score, int8_score)
    result.update({f"float_{k}": v for k, v in float_score.items()})
    result.update({f"int8_{k}": v for k, v in int8_score.items()})
    result["accuracy_drop"] = drop
    result["drop_unit"] = "% of the float MAE" if target_scaling else "accuracy points"
    passed = drop <= max_drop
    if target_scaling is None:
        agreement = float((int8_out.argmax(1) == float_out.argmax(1)).mean())
        result.update(argmax_agreement=agreement, min_agreement=min_agreement)
        passed = passed and agreement >= min_agreement
    result["passed"] = bool(passed)
    return result
