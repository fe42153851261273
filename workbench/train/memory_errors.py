"""The one out-of-memory message: the trainer's summary, the CLI and the app's panel say the same.

Torch reports a device out of memory as ``torch.OutOfMemoryError`` (CUDA, MPS, XPU) or as a
RuntimeError whose text says "out of memory"; the host running out is a ``MemoryError``.
"""

from __future__ import annotations

DEVICE_ADVICE = "Use a smaller batch size or a smaller network, or train on the CPU."
HOST_ADVICE = "Use a smaller batch size, a smaller network or less data in memory."


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says the device or the computer ran out of memory."""
    return (isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError"
            or "out of memory" in str(exc).lower())


def out_of_memory_message(exc: BaseException) -> str | None:
    """One line for people when ``exc`` is running out of memory (what and what to do), else
    None. The device's own text is kept in brackets; the host's MemoryError has none."""
    if not is_out_of_memory(exc):
        return None
    text = " ".join(str(exc).split())
    if isinstance(exc, MemoryError):
        return f"the computer ran out of memory{f' ({text})' if text else ''}. {HOST_ADVICE}"
    return f"the device ran out of memory ({text or type(exc).__name__}). {DEVICE_ADVICE}"
