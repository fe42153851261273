"""Latency table: one row per batch size with both medians and their ratio."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.export.latency import format_latency_table, latency_table
from workbench.export.onnx_export import export_onnx_bytes


def test_rows_and_printed_table(capsys):
    module = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model = export_onnx_bytes(module, (6,), "float32")
    x = np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32)
    rows = latency_table(module, model, x, batches=(1, 16), repeats=3, verbose=True)
    assert [r["batch"] for r in rows] == [1, 16]
    for row in rows:
        assert row["torch_eager_ms"] > 0 and row["onnxruntime_ms"] > 0
        # the ms are rounded to 4 decimals in the table, the ratio is taken before rounding
        assert row["speedup"] == pytest.approx(row["torch_eager_ms"] / row["onnxruntime_ms"],
                                               rel=0.05)
    printed = capsys.readouterr().out
    assert printed.strip() == format_latency_table(rows).strip()
    assert "batch 16" in printed and "x" in printed.splitlines()[-1]
