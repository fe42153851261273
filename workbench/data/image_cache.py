"""Decode images once, in parallel worker processes, into a uint8 cache on disk.

Why a cache and not streaming from the files: decoding a JPEG costs far more than training a
small network on it, and every epoch would decode every file again; a uint8 copy at the
network's input size is 4x smaller than float32 and, memory-mapped, costs no anonymous memory
(the OS pages it in and out). Measured figures are in benchmarks/data_pipeline.py.

Layout under :func:`cache_root` (``$WORKBENCH_CACHE_DIR``, else ``~/.cache/workbench``)::

    images/<digest>/images.u8     N x C x H x W uint8, row-major (a raw numpy memmap)
    images/<digest>/meta.json     the key, shape, bad rows with their reasons, when and from what

``digest`` hashes the key (what was decoded and how: a folder's content fingerprint and the
size, or a generator's name and options). A cache is built in ``<digest>.partial-<pid>-<n>``
and renamed into place only when complete (images flushed and fsynced, meta.json written
last), so a cancelled, failed or killed decode leaves nothing a later run trusts; leftovers of
dead processes are removed by the next build and by ``workbench cache clear``.

Rows are produced by a *producer*, a top-level function named ``"module:function"`` with the
signature ``producer(params, start, stop, out) -> [(row, reason), ...]``: it fills ``out`` (the
writable rows ``start..stop``) and returns the rows it could not produce. It runs in spawned
worker processes (``spawn``: safe from a multi-threaded GUI process), so its module must be
cheap to import (numpy, Pillow; no torch, no Qt).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.errors import DataError
from workbench.processes import process_alive
from workbench.runs.atomic import fsync_dir

FORMAT_VERSION = 1
IMAGES_FILE = "images.u8"
META_FILE = "meta.json"


@dataclass(frozen=True)
class Progress:
    """How far a decode is: rows done of total, rate, estimated seconds left."""

    done: int
    total: int
    per_second: float
    seconds_left: float | None
    stage: str


ProgressFn = Callable[[Progress], None]
CancelFn = Callable[[], bool]


@dataclass
class ImageCache:
    """A complete cache: ``images`` (read-only memmap), ``bad`` rows and ``meta``."""

    path: Path
    meta: dict[str, Any]
    images: np.ndarray
    built: bool  # True when this call decoded it, False when an earlier one had

    @property
    def bad(self) -> dict[int, str]:
        return {int(row): str(reason) for row, reason in self.meta.get("bad", [])}

    @property
    def ok_rows(self) -> np.ndarray:
        mask = np.ones(len(self.images), dtype=bool)
        for row in self.bad:
            mask[row] = False
        return np.flatnonzero(mask)


def cache_root() -> Path:
    """Where caches live: ``$WORKBENCH_CACHE_DIR`` or ``~/.cache/workbench``."""
    configured = os.environ.get("WORKBENCH_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "workbench"


def images_dir() -> Path:
    return cache_root() / "images"


def key_digest(key: dict[str, Any]) -> str:
    text = json.dumps({**key, "format": FORMAT_VERSION}, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def build_or_open(key: dict[str, Any], count: int, shape: tuple[int, int, int], producer: str,
                  params: dict[str, Any], *, workers: int | None = None,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                  stage: str = "decoding images", source: str = "",
                  stop_on_bad: bool = False) -> ImageCache:
    """The cache for ``key``, opened if a complete one exists, else built now.

    ``stop_on_bad``: give up at the first chunk with a bad row (nothing is kept); the caller
    reports the row. Raises DataError when cancelled (nothing is kept either).
    """
    final = images_dir() / key_digest(key)
    opened = open_cache(final)
    if opened is not None:
        return opened
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials()
    partial = final.parent / f"{final.name}.partial-{os.getpid()}-{time.monotonic_ns()}"
    partial.mkdir()
    try:
        bad = _produce(partial / IMAGES_FILE, count, shape, producer, params, workers,
                       progress, cancel, stage, stop_on_bad)
        meta = {"format": FORMAT_VERSION, "key": key, "count": count, "shape": list(shape),
                "bad": sorted([int(r), str(m)] for r, m in bad.items()), "source": source,
                "stage": stage, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "bytes": count * int(np.prod(shape))}
        if stop_on_bad and bad:  # the caller names the bad row; the partial cache goes
            return ImageCache(final, meta, np.empty((0, *shape), np.uint8), built=True)
        _write_json(partial / META_FILE, meta)
        fsync_dir(partial)
        try:
            os.replace(partial, final)
        except OSError:  # another process finished the same cache first: use theirs
            shutil.rmtree(partial, ignore_errors=True)
        fsync_dir(final.parent)
    finally:
        if partial.exists():  # cancelled, failed, or stopped at a bad row: nothing is kept
            shutil.rmtree(partial, ignore_errors=True)
    cache = open_cache(final)
    if cache is None:
        raise DataError(f"{final}: the image cache could not be opened after it was written")
    return ImageCache(cache.path, cache.meta, cache.images, built=True)


def open_cache(path: Path) -> ImageCache | None:
    """A complete cache at ``path``, or None (missing, partial, or damaged: then removed)."""
    meta_path = path / META_FILE
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        shape = (int(meta["count"]), *(int(d) for d in meta["shape"]))
        images = np.memmap(path / IMAGES_FILE, dtype=np.uint8, mode="r", shape=shape)
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(path, ignore_errors=True)  # damaged: decode again rather than trust it
        return None
    return ImageCache(path, meta, images, built=False)


def list_caches() -> list[ImageCache]:
    """Every complete cache, newest first."""
    root = images_dir()
    if not root.is_dir():
        return []
    found = [c for p in root.iterdir() if p.is_dir() and ".partial-" not in p.name
             for c in [open_cache(p)] if c is not None]
    return sorted(found, key=lambda c: c.meta.get("created", ""), reverse=True)


def clear_caches() -> tuple[int, int]:
    """Remove every cache and leftover partial one: (folders removed, bytes freed)."""
    root = images_dir()
    if not root.is_dir():
        return 0, 0
    removed, freed = 0, 0
    for path in root.iterdir():
        if path.is_dir():
            freed += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed, freed


def remove_stale_partials() -> None:
    """Delete ``*.partial-<pid>-*`` folders whose process is gone (a killed decode)."""
    root = images_dir()
    if not root.is_dir():
        return
    for path in root.glob("*.partial-*"):
        try:
            pid = int(path.name.rsplit(".partial-", 1)[1].split("-")[0])
        except (IndexError, ValueError):
            pid = -1
        if pid != os.getpid() and not process_alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def default_workers(count: int) -> int:
    """Worker processes for ``count`` rows: one per core, none for a few hundred rows."""
    if count < 512:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


# producing rows -----------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(producer: str, params: dict[str, Any], path: str, count: int,
                 shape: tuple[int, ...]) -> None:
    module, name = producer.split(":")
    _WORKER["fn"] = getattr(importlib.import_module(module), name)
    _WORKER["params"] = params
    _WORKER["images"] = np.memmap(path, dtype=np.uint8, mode="r+", shape=(count, *shape))


def _run_chunk(start: int, stop: int) -> tuple[int, int, list[tuple[int, str]]]:
    images = _WORKER["images"]
    bad = _WORKER["fn"](_WORKER["params"], start, stop, images[start:stop])
    images.flush()
    return start, stop, [(int(r), str(m)) for r, m in bad]


def _produce(path: Path, count: int, shape: tuple[int, int, int], producer: str,
             params: dict[str, Any], workers: int | None, progress: ProgressFn | None,
             cancel: CancelFn | None, stage: str, stop_on_bad: bool) -> dict[int, str]:
    with open(path, "wb") as handle:
        handle.truncate(count * int(np.prod(shape)))
    workers = workers or default_workers(count)
    chunk = max(32, min(512, count // (workers * 8) or 1))
    spans = [(s, min(s + chunk, count)) for s in range(0, count, chunk)]
    bad: dict[int, str] = {}
    started = time.perf_counter()
    done = 0

    def report(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            elapsed = max(time.perf_counter() - started, 1e-9)
            rate = done / elapsed
            progress(Progress(done, count, rate, (count - done) / rate if rate > 0 else None,
                              stage))

    def cancelled() -> bool:
        return cancel is not None and bool(cancel())

    if progress is not None:
        progress(Progress(0, count, 0.0, None, stage))
    if workers == 1:
        _init_worker(producer, params, str(path), count, shape)
        try:
            for start, stop in spans:
                if cancelled():
                    raise DataError(f"{stage} cancelled after {done:,} of {count:,}; nothing "
                                    f"was kept")
                _, _, rows = _run_chunk(start, stop)
                bad.update(rows)
                report(stop - start)
                if stop_on_bad and bad:
                    break
        finally:
            _WORKER.clear()
    else:
        _produce_in_processes(path, count, shape, producer, params, workers, spans, bad,
                              report, cancelled, stage, stop_on_bad, lambda: done)
    _fsync_file(path)
    return bad


def _produce_in_processes(path: Path, count: int, shape: tuple[int, int, int], producer: str,
                          params: dict[str, Any], workers: int,
                          spans: list[tuple[int, int]], bad: dict[int, str],
                          report: Callable[[int], None], cancelled: Callable[[], bool],
                          stage: str, stop_on_bad: bool, done: Callable[[], int]) -> None:
    """Rows produced by ``workers`` worker processes (:mod:`workbench.data.cache_worker`),
    one chunk at a time each, so a cancel stops within one chunk."""
    import selectors
    import subprocess
    import sys

    params_file = path.parent / "params.json"
    params_file.write_text(json.dumps(params), encoding="utf-8")
    setup = json.dumps({"producer": producer, "params_file": str(params_file),
                        "path": str(path), "count": count, "shape": list(shape)})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    log = open(path.parent / "workers.log", "wb")
    procs = [subprocess.Popen([sys.executable, "-m", "workbench.data.cache_worker"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                              text=True, bufsize=1, env=env)
             for _ in range(min(workers, len(spans)))]
    selector = selectors.DefaultSelector()
    queue = list(spans)
    busy = 0
    try:
        for proc in procs:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(setup + "\n")
            selector.register(proc.stdout, selectors.EVENT_READ, proc)
            if queue:
                _send(proc, queue.pop(0))
                busy += 1
        while busy:
            for key, _ in selector.select(timeout=0.2):
                proc = key.data
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    raise DataError(f"{stage}: a worker process stopped unexpectedly: "
                                    f"{_tail(path.parent / 'workers.log')}")
                result = json.loads(line)
                bad.update({int(r): str(m) for r, m in result["bad"]})
                report(int(result["stop"]) - int(result["start"]))
                busy -= 1
                if queue and not (stop_on_bad and bad):
                    _send(proc, queue.pop(0))
                    busy += 1
            if cancelled():
                raise DataError(f"{stage} cancelled after {done():,} of {count:,}; nothing "
                                f"was kept")
    finally:
        selector.close()
        for proc in procs:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
            except OSError:
                pass
        for proc in procs:
            try:
                proc.wait(timeout=0 if busy else 5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        log.close()


def _send(proc: Any, span: tuple[int, int]) -> None:
    proc.stdin.write(json.dumps({"start": span[0], "stop": span[1]}) + "\n")
    proc.stdin.flush()


def _tail(path: Path, chars: int = 400) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "no output"
    return text[-chars:] or "no output"


# files --------------------------------------------------------------------------------------
def _write_json(path: Path, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
