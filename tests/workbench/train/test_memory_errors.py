from __future__ import annotations

import torch

from workbench.train.memory_errors import DEVICE_ADVICE, HOST_ADVICE, out_of_memory_message


def test_device_out_of_memory_in_every_form_torch_reports_it():
    cuda = torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    assert out_of_memory_message(cuda) == (
        f"the device ran out of memory (CUDA out of memory. Tried to allocate 2.00 GiB). "
        f"{DEVICE_ADVICE}")
    mps = RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)")
    assert out_of_memory_message(mps).startswith("the device ran out of memory (MPS backend")


def test_the_computer_running_out_and_other_errors():
    assert out_of_memory_message(MemoryError()) == f"the computer ran out of memory. {HOST_ADVICE}"
    assert out_of_memory_message(RuntimeError("shape mismatch")) is None
    assert out_of_memory_message(ValueError("bad value")) is None
