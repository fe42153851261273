"""Pick the device: CUDA, then Apple MPS, then CPU (or what the config asks for)."""

from __future__ import annotations


def available_devices() -> list[str]:
    import torch

    found = ["cpu"]
    if torch.cuda.is_available():
        found.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.insert(0 if "cuda" not in found else 1, "mps")
    return found


def select_device(requested: str = "auto") -> str:
    """The device name to train on; a device that is not there is a ValueError saying so."""
    found = available_devices()
    if requested == "auto":
        return found[0]
    if requested not in found:
        raise ValueError(f"device '{requested}' is not available here; available: "
                         f"{', '.join(found)}")
    return requested


def cuda_devices(cuda: bool) -> list[int]:
    """The CUDA devices whose generators ``torch.random.fork_rng`` saves (none on a CPU run)."""
    import torch

    return list(range(torch.cuda.device_count())) if cuda else []
