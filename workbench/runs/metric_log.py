"""Append-only metric log: one JSON object per line, a torn last line after a crash tolerated."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


def _finite(value: Any) -> Any:
    """Non-finite floats become strings ("nan", "inf") so every line stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class MetricLog:
    """A JSON-lines file that only ever grows; each append is flushed and fsynced."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, record: dict[str, Any]) -> None:
        """Add one record; a log that is a link (say, to a file outside the run) is refused."""
        self.extend([record])

    def extend(self, records: list[dict[str, Any]]) -> None:
        """Add records in order with one write and one fsync."""
        from workbench.runs.file_checks import RunFileError

        if not records:
            return
        if self.path.is_symlink():
            raise RunFileError(f"{self.path} is a link to {os.readlink(self.path)}; refusing "
                               f"to append to it")
        line = "".join(json.dumps(_finite(r), allow_nan=False, default=float) + "\n"
                       for r in records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        needs_newline = False
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as handle:
                handle.seek(-1, os.SEEK_END)
                needs_newline = handle.read(1) != b"\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            if needs_newline:  # a torn line from a crash: close it so it stays skippable
                handle.write("\n")
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> list[dict[str, Any]]:
        """All complete records; a torn or garbled line is skipped, never fatal."""
        if not self.path.exists():
            return []
        records = []
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError):  # torn, garbled, absurdly nested
                    continue
                if isinstance(record, dict):
                    records.append(record)
        return records

    def truncate_after(self, keep: int) -> None:
        """Keep only the first ``keep`` records (used when resuming from an older checkpoint)."""
        from workbench.runs.atomic import atomic_write_text

        records = self.read()[:keep]
        atomic_write_text(self.path, "".join(json.dumps(r) + "\n" for r in records))
