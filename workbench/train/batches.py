"""Where the training loop's batches come from: tensors on the device, or a uint8 image cache.

* :class:`TensorBatches`: data that fits in memory is put on the training device once, and a
  batch is an index into it (no loader overhead).
* :class:`CachedImageBatches`: an :class:`~workbench.data.image_array.ImageArray` split (an
  image folder, a big generated set) stays on disk as uint8; each batch's rows are read from
  the memory-mapped cache by a background thread one batch ahead, moved to the device as uint8
  (4x less to copy than float32) and turned into float model inputs there:
  ``x * (scale / std) - mean / std``, the saved preprocessing.

Both give the same batches for the same index tensor, so the order (and a resumed run) does not
depend on where the data lives.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from workbench.data.image_array import ImageArray, is_image_array


def batches_for(x: Any, y: Any, device: str, channels_last: bool) -> Any:
    """The batch source for one split: CachedImageBatches for an ImageArray, else tensors."""
    if is_image_array(x):
        return CachedImageBatches(x, y, device, channels_last)
    return TensorBatches(x, y, device, channels_last)


class TensorBatches:
    """A split held on the device; ``take(idx)`` indexes it."""

    def __init__(self, x: Any, y: Any, device: str, channels_last: bool) -> None:
        import torch

        self.x = torch.as_tensor(x).to(device)
        self.y = torch.as_tensor(y).to(device)
        if channels_last and self.x.dim() == 4:
            self.x = self.x.contiguous(memory_format=torch.channels_last)

    def __len__(self) -> int:
        return len(self.x)

    def plan(self, order: Any, batch_size: int) -> None:
        """Nothing to read ahead: the data is already on the device."""

    def take(self, idx: Any) -> tuple[Any, Any]:
        return self.x[idx], self.y[idx]

    def eval_inputs(self) -> Any:
        """The inputs for a validation pass (indexable in slices)."""
        return self.x

    def close(self) -> None:
        pass


class CachedImageBatches:
    """An ImageArray split read per batch (see the module docstring)."""

    def __init__(self, images: ImageArray, y: Any, device: str, channels_last: bool) -> None:
        import torch

        if images.preprocessing is None:
            raise ValueError("CachedImageBatches needs an ImageArray with its preprocessing")
        self.images, self.device, self.channels_last = images, device, channels_last
        self.y = torch.as_tensor(np.asarray(y)).to(device)
        std = np.asarray(images.std, dtype=np.float64).reshape(1, -1, 1, 1)
        mean = np.asarray(images.mean, dtype=np.float64).reshape(1, -1, 1, 1)
        self._mul = torch.as_tensor((images.scale / std).astype(np.float32), device=device)
        self._sub = torch.as_tensor((mean / std).astype(np.float32), device=device)
        self._pin = device == "cuda"
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="workbench-batches")
        self._ahead: dict[int, Future] = {}
        self._order: np.ndarray | None = None
        self._batch_size = 0
        self._next = 0

    def __len__(self) -> int:
        return len(self.images)

    def plan(self, order: Any, batch_size: int) -> None:
        """This epoch's sample order: batches are read one ahead in the background."""
        self._ahead.clear()
        self._order = np.asarray(order.cpu() if hasattr(order, "cpu") else order,
                                 dtype=np.int64)
        self._batch_size = batch_size
        self._next = 0
        self._read_ahead(0)

    def take(self, idx: Any) -> tuple[Any, Any]:
        """The batch at ``idx`` (positions in this split): float inputs on the device."""
        positions = np.asarray(idx.cpu() if hasattr(idx, "cpu") else idx, dtype=np.int64)
        raw = self._planned(positions)
        if raw is None:
            raw = self._read(positions)
        return self._to_inputs(raw), self.y[idx]

    def eval_inputs(self) -> ImageArray:
        return self.images

    def close(self) -> None:
        self._ahead.clear()
        self._reader.shutdown(wait=True)

    def _planned(self, positions: np.ndarray) -> Any:
        """The prefetched rows when ``positions`` is the next planned batch, else None."""
        if self._order is None:
            return None
        b = self._next
        start = b * self._batch_size
        planned = self._order[start:start + self._batch_size]
        if len(planned) != len(positions) or not np.array_equal(planned, positions):
            return None
        future = self._ahead.pop(b, None)
        self._next = b + 1
        self._read_ahead(b + 1)
        return future.result() if future is not None else None

    def _read_ahead(self, b: int) -> None:
        if self._order is None or b * self._batch_size >= len(self._order):
            return
        rows = self._order[b * self._batch_size:(b + 1) * self._batch_size]
        self._ahead[b] = self._reader.submit(self._read, rows)

    def _read(self, positions: np.ndarray) -> Any:
        import torch

        tensor = torch.from_numpy(self.images.raw(positions))
        return tensor.pin_memory() if self._pin else tensor

    def _to_inputs(self, raw: Any) -> Any:
        import torch

        x = raw.to(self.device, non_blocking=self._pin)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x.float().mul_(self._mul).sub_(self._sub)
