"""torchvision, importable beside the CPU-only torch build this project installs.

PyPI's torchvision wheels carry kernels built against a CUDA torch; beside a CPU torch their C
extension does not load, and torchvision's own ``_meta_registrations`` then fails at import with
``operator torchvision::nms does not exist``. Nothing we use needs those kernels (transforms v2
and the model definitions are pure PyTorch), so the two operator schemas it registers fake
kernels for are defined first and the import retried. With a matching torchvision (a CUDA
machine, or a CPU wheel from download.pytorch.org) the first import simply succeeds.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

_LIBRARIES: list[Any] = []  # the schema definitions live as long as the process


def import_torchvision() -> Any:
    """The ``torchvision`` module (see the module docstring for the CPU-torch workaround)."""
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as exc:
        if "torchvision::" not in str(exc):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    import torch

    library = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        library.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _LIBRARIES.append(library)
    return importlib.import_module("torchvision")
