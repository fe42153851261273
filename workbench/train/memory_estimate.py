"""Will this network train on this machine? An estimate made before anything is allocated.

Parameter counts and activation shapes come from ``workbench.graph.shape_inference.analyze``
(analytic, never allocates). Training holds, per float32 parameter, the weight, its gradient and
the optimizer's buffers (Adam: two moments and a step temporary), plus every layer's output
for one batch (kept by the forward pass for the backward pass) and, on a GPU, the dataset
itself. Available memory is /proc/meminfo's MemAvailable (os.sysconf elsewhere), or the free
CUDA memory when training on CUDA. A network that needs more is refused with the figures:
"fc1 has 1,000,000,000 units: 256 GB of weights; ... this machine has 23 GB available".

Measured against torch's peak allocation for two training steps on an H100 (MLPs of 13-336 M
parameters, CNNs at 64x64 and 128x128 with batch 128-4096, Adam and SGD), the estimate was
0.88-1.25 of the peak: close enough to refuse what is far too large (a 10^9-unit layer), not a
promise at the margin. The CUDA context and the allocator's cache come on top.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec

FLOAT_BYTES = 4
# parameter-sized optimizer buffers: momentum, running averages; Adam/AdamW keep two moments
# and torch's multi-tensor step holds one more transient copy (measured: peak minus weights,
# gradients and moments was 0.9-1.6 parameter sizes on an H100)
_OPTIMIZER_STATE = {"sgd": 0, "adagrad": 1, "rmsprop": 1, "adam": 3, "adamw": 3}
# how a layer's size is said: (param holding it, word)
_SIZE_WORDS = {"Linear": ("out_features", "units"), "Conv1d": ("out_channels", "filters"),
               "Conv2d": ("out_channels", "filters"), "Embedding": ("num_embeddings", "entries"),
               "LSTM": ("hidden_size", "hidden units"), "GRU": ("hidden_size", "hidden units")}


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes training would need, by kind, and what the device has (None: unknown)."""

    parameters: int
    weight_bytes: int
    gradient_bytes: int
    optimizer_bytes: int
    optimizer: str
    activation_bytes: int
    batch_size: int
    data_bytes: int
    device: str
    available_bytes: int | None
    largest_layer: str  # "fc1 has 1,000,000,000 units: 256 GB of weights" ("" if none)

    @property
    def total_bytes(self) -> int:
        return (self.weight_bytes + self.gradient_bytes + self.optimizer_bytes
                + self.activation_bytes + self.data_bytes)

    @property
    def fits(self) -> bool:
        return self.available_bytes is None or self.total_bytes <= self.available_bytes

    def message(self) -> str:
        """One line for people: what is too big, the breakdown and what the machine has."""
        where = "this machine" if self.device in ("cpu", "mps") else f"the {self.device} device"
        parts = [f"{size_text(self.weight_bytes)} of weights",
                 f"{size_text(self.gradient_bytes)} of gradients"]
        if self.optimizer_bytes:
            parts.append(f"{size_text(self.optimizer_bytes)} of {self.optimizer} state")
        parts.append(f"{size_text(self.activation_bytes)} of activations at batch size "
                     f"{self.batch_size}")
        if self.data_bytes:
            parts.append(f"{size_text(self.data_bytes)} of data on the device")
        lead = f"{self.largest_layer}; " if self.largest_layer else ""
        available = (size_text(self.available_bytes) if self.available_bytes is not None
                     else "an unknown amount")
        return (f"the network is too large for {where}: {lead}training needs about "
                f"{size_text(self.total_bytes)} ({self.parameters:,} parameters: "
                f"{', '.join(parts)}) and {where} has {available} available. Make the largest "
                f"layers smaller{' or the batch size smaller' if self._batch_matters() else ''}"
                f".")

    def _batch_matters(self) -> bool:
        return self.activation_bytes * 2 > self.total_bytes - (self.available_bytes or 0)


def size_text(n: int | None) -> str:
    """Bytes in decimal units, 2-3 significant figures: '256 GB', '1.5 MB', '812 bytes'."""
    if n is None:
        return "?"
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n} bytes"


def available_memory(device: str) -> int | None:
    """Bytes free for training on ``device`` ('cpu', 'cuda', 'cuda:1', 'mps'); None if unknown."""
    if device.startswith("cuda"):
        import torch

        index = int(device.split(":", 1)[1]) if ":" in device else None
        free, _total = torch.cuda.mem_get_info(index)
        return int(free)
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def estimate_training_memory(spec: GraphSpec, batch_size: int, optimizer: str = "adam",
                             momentum: float = 0.0, device: str = "cpu", dataset: Any = None,
                             analysis: Analysis | None = None,
                             available: int | None = -1) -> MemoryEstimate:
    """What training ``spec`` at ``batch_size`` needs; ``available`` -1 = ask the device.

    ``dataset`` (optional) adds its arrays when the device is not the CPU (the trainer copies
    them there); on the CPU they are already in memory, so already out of MemAvailable.
    """
    analysis = analysis if analysis is not None else analyze(spec)
    live = [n for n in analysis.live if n in analysis.nodes]
    parameters = sum(analysis.nodes[n].params for n in live)
    passes_through = {n.id for n in spec.nodes if n.type == "Output"}  # no tensor of its own
    elements = sum(_elements(analysis.nodes[n].output_shape) for n in live
                   if n not in passes_through)
    states = _OPTIMIZER_STATE.get(optimizer, 2) + (
        1 if optimizer in ("sgd", "rmsprop") and momentum > 0 else 0)
    data_bytes = 0
    if dataset is not None and device != "cpu":
        from workbench.data.image_array import is_image_array

        # an image cache stays on disk; its batches, not the split, reach the device
        data_bytes = sum(int(getattr(dataset, name).nbytes) for name in
                         ("x_train", "y_train", "x_val", "y_val")
                         if not is_image_array(getattr(dataset, name)))
    return MemoryEstimate(
        parameters=parameters, weight_bytes=parameters * FLOAT_BYTES,
        gradient_bytes=parameters * FLOAT_BYTES,
        optimizer_bytes=states * parameters * FLOAT_BYTES, optimizer=optimizer,
        activation_bytes=elements * batch_size * FLOAT_BYTES, batch_size=batch_size,
        data_bytes=data_bytes, device=device,
        available_bytes=available_memory(device) if available == -1 else available,
        largest_layer=_largest_layer(spec, analysis, live))


def training_memory_problem(spec: GraphSpec, config: Any, device: str, dataset: Any = None,
                            analysis: Analysis | None = None) -> str | None:
    """The refusal message when training ``spec`` with ``config`` cannot fit; else None."""
    estimate = estimate_training_memory(
        spec, int(config.batch_size), str(config.optimizer), float(config.momentum or 0.0),
        device, dataset, analysis)
    return None if estimate.fits else estimate.message()


def _elements(shape: tuple[int, ...] | None) -> int:
    count = 1
    for dim in shape or ():
        count *= int(dim)
    return count if shape is not None else 0


def _largest_layer(spec: GraphSpec, analysis: Analysis, live: list[str]) -> str:
    if not live:
        return ""
    node_id = max(live, key=lambda n: analysis.nodes[n].params)
    params = analysis.nodes[node_id].params
    if params == 0:
        return ""
    node = next((n for n in spec.nodes if n.id == node_id), None)
    size = ""
    if node is not None and node.type in _SIZE_WORDS:
        key, word = _SIZE_WORDS[node.type]
        value = node.params.get(key)
        if isinstance(value, int):
            size = f"{value:,} {word}"
    what = size or f"{params:,} parameters"
    return f"{node_id} has {what}: {size_text(params * FLOAT_BYTES)} of weights"
