"""The one writer for every file the Workbench produces: all or nothing.

Each write goes to a temporary file in the target's folder, is flushed and fsynced, and then
replaces the target with ``os.replace`` (atomic on POSIX and Windows). The folder is fsynced too
where the platform allows, so a crash leaves either the old file or the new one, never a torn one.

Permissions: ``tempfile`` creates its files 0600 (and folders 0700). The written file instead gets
the mode an ordinary ``open()`` would give it (0666 less the process's umask), or keeps the mode
of the file it replaces, so run files and bundles are as readable as the user's other files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the platform allows."""
    try:
        status = Path("/proc/self/status").read_text()
        match = re.search(r"^Umask:\s*([0-7]+)", status, re.MULTILINE)
        if match:
            return int(match.group(1), 8)
    except OSError:
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore at once (the only portable way to read it)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def default_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def default_dir_mode() -> int:
    """The mode ``mkdir`` gives a new folder: 0777 less the umask."""
    return 0o777 & ~current_umask()


def give_default_dir_mode(folder: str | Path) -> None:
    """Make a folder made by ``tempfile.mkdtemp`` (0700) look like one ``mkdir`` made."""
    os.chmod(folder, default_dir_mode())


def fsync_dir(folder: Path) -> None:
    """fsync a folder (its entries: a rename into it survives a power cut); errors ignored."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating the parent folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777  # replacing a file keeps its permissions
    except OSError:
        mode = default_file_mode()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:  # Windows: only the read-only bit exists
            os.chmod(tmp_name, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON atomically (NaN and Infinity are refused)."""
    atomic_write_text(path, json.dumps(obj, indent=2, allow_nan=False, default=_json_default)
                      + "\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
