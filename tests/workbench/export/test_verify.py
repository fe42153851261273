"""The ONNX checker and the parity check report failures instead of raising."""

from __future__ import annotations

import numpy as np
import torch

from workbench.export.onnx_export import export_onnx_bytes
from workbench.export.verify import check_onnx, parity


def small_module() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3)).eval()


def test_checker_passes_a_real_model_and_rejects_garbage():
    result = check_onnx(export_onnx_bytes(small_module(), (4,), "float32", opset=13))
    assert result == {"passed": True, "opset": 13, "ir_version": result["ir_version"]}
    bad = check_onnx(b"not an onnx model")
    assert bad["passed"] is False and bad["error"]


def test_parity_reports_accuracy_and_both_batch_sizes():
    module = small_module()
    model = export_onnx_bytes(module, (4,), "float32")
    x = np.random.default_rng(1).normal(size=(30, 4)).astype(np.float32)
    with torch.no_grad():
        y = module(torch.as_tensor(x)).argmax(1).numpy()
    y[:5] = (y[:5] + 1) % 3  # some wrong labels: accuracy 25/30 through both runtimes
    result = parity(module, model, x, y, batch=8)
    assert result["passed"] and result["batch_sizes"] == [1, 8]
    assert result["torch_accuracy"] == result["onnx_accuracy"] == 25 / 30
    assert result["max_abs_diff"] <= 1e-5 and result["argmax_agreement"] == 1.0
