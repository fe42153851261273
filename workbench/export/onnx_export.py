"""Export a compiled network to ONNX (bytes in memory; nothing is written here).

Exporter: torch's TorchScript-based exporter (``torch.onnx.export(..., dynamo=False)``). In
torch 2.13 the default is the torch.export-based ("dynamo") exporter; we do not use it because,
measured here, it takes ~1.5 s for a small Embedding+LSTM net (vs ~0.2 s), only implements
opset >= 18 (a requested 17 is silently converted) and prints many warnings, while the
TorchScript path exports every catalogue layer (Linear, Conv1d/2d, pooling, BatchNorm,
LayerNorm, Embedding, LSTM/GRU, activations, Add/Concat, Flatten/Reshape) at opsets 11..20 with
a dynamic batch dimension directly (``dynamic_axes``). It is deprecated in torch 2.13 (a
DeprecationWarning, silenced here); when it disappears, switch ``dynamo=True`` with
``dynamic_shapes`` and opset >= 18. The LSTM "batch size other than 1" warning is covered by
verify.parity, which runs the model at batch 1 and at batch N.

The input is named ``input`` and the output ``logits``. A failure raises ExportError naming the
first layer whose own export fails (each node is exported alone to find it).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

DEFAULT_OPSET = 17
MIN_OPSET, MAX_OPSET = 11, 20


class ExportError(RuntimeError):
    """Export failed; the message names the layer when it can be found.

    ``report`` holds what was measured before the failure (e.g. the parity figures of a check
    that did not pass), so ``--json`` and the GUI can show them; empty when nothing was.
    """

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report: dict[str, Any] = dict(report or {})


class ExportInputError(ExportError):
    """The run, its files or the destination cannot be used (exit code 2), as opposed to a
    check that failed on a loaded model (exit code 1). Nothing was written."""


class ExportCancelled(ExportError):
    """The export was cancelled between stages; nothing was written."""


def example_input(input_shape: tuple[int, ...], input_dtype: str, batch: int = 2) -> Any:
    import torch

    if input_dtype == "int64":
        return torch.zeros((batch, *input_shape), dtype=torch.int64)
    return torch.randn((batch, *input_shape), generator=torch.Generator().manual_seed(0))


def export_onnx_bytes(module: Any, input_shape: tuple[int, ...], input_dtype: str,
                      opset: int = DEFAULT_OPSET) -> bytes:
    """The ONNX model as bytes (nothing written to disk)."""
    import torch

    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ExportError(f"opset must be between {MIN_OPSET} and {MAX_OPSET}, found {opset}")
    module.eval()
    x = example_input(input_shape, input_dtype)
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (x,), buffer, input_names=["input"],
                              output_names=["logits"], opset_version=opset,
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                              dynamo=False)
    except Exception as exc:  # noqa: BLE001 - any exporter failure becomes a named message
        raise ExportError(_explain_failure(module, x, opset, exc)) from exc
    return buffer.getvalue()


def _explain_failure(module: Any, x: Any, opset: int, exc: Exception) -> str:
    """Find the first node whose own export fails, to name it in the message."""
    import torch

    culprit = None
    steps = getattr(module, "_steps", None)
    try:
        with torch.no_grad():
            values = module.forward_all(x) if steps is not None else {}
    except Exception:  # noqa: BLE001 - the network itself fails: report the export error
        steps = None
    if steps is not None:
        for step in steps:
            sub = module._modules.get(step.attr) if step.has_module else None
            if sub is None:
                continue
            inputs = [values[s] for s in step.sources] if step.sources else [x]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(sub, tuple(inputs), io.BytesIO(), opset_version=opset,
                                      dynamo=False)
            except Exception:  # noqa: BLE001
                culprit = step.node_id
                break
    where = f"layer '{culprit}' ({type(module._modules[module.node_names[culprit]]).__name__})" \
        if culprit else "the network"
    return (f"ONNX export of {where} failed at opset {opset}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}. Try another opset (--opset) or "
            f"replace that layer.")
