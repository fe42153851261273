"""Explanations cached in the run folder, keyed by their arguments and the weights they used.

A result is stored as the artifact ``explain/<name>-<digest>.json`` (through the run store's
atomic writer) holding ``{"key": ..., "weights_sha256": ..., "result": ...}``; ``digest`` is a
hash of the arguments, so calls with other arguments keep their own file, and the weights
file's content hash is checked on reading, so a retrained ``best.safetensors`` makes every
cached explanation of the old weights stale (it is recomputed and overwritten).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from workbench.explain.errors import ExplainError
from workbench.runs.run_store import BEST_WEIGHTS, RunStore

_HASHES: dict[tuple[str, int, int, int], str] = {}  # (path, inode, size, mtime) -> sha256


def open_run(run_dir: str | Path | RunStore) -> RunStore:
    """The run's store; ExplainError when ``run_dir`` is not a run folder."""
    if isinstance(run_dir, RunStore):
        return run_dir
    try:
        return RunStore.open(run_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise ExplainError(f"expected a run folder with a config.json; found {run_dir}: "
                           f"{exc}") from exc


def weights_path(run_dir: str | Path | RunStore, weights: str | Path = "best") -> Path:
    """The weights file a ``weights`` choice of ``rebuild_run`` names ("best", "last",
    "epoch:N", a file in the run folder); ExplainError when the run has none."""
    run = open_run(run_dir)
    latest = run.latest_checkpoint
    if weights in ("best", True):
        best = run.path / BEST_WEIGHTS
        if best.is_file():
            return best
        found = latest()
        if found is None:
            raise ExplainError(f"run '{run.path.name}' has no saved weights yet (expected "
                               f"{BEST_WEIGHTS} or a checkpoint): train it first")
        return found[0]
    if weights == "last":
        found = latest()
        if found is None:
            raise ExplainError(f"run '{run.path.name}' has no checkpoint yet: train it first")
        return found[0]
    if isinstance(weights, str) and weights.startswith("epoch:"):
        text = weights[len("epoch:"):]
        epochs = run.checkpoints()
        if not text.isdigit() or int(text) not in epochs:
            raise ExplainError(f"weights {weights!r}: expected one of the saved epochs "
                               f"({', '.join(map(str, epochs)) or 'none'})")
        return run.checkpoint_dir / f"epoch_{int(text):04d}.safetensors"
    path = Path(weights) if Path(weights).is_absolute() else run.path / str(weights)
    if not path.is_file():
        raise ExplainError(f"weights {str(weights)!r}: expected 'best', 'last', 'epoch:N' or a "
                           f"weights file inside the run folder; no such file {path}")
    return path


def weights_sha256(run_dir: str | Path | RunStore, weights: str | Path = "best") -> str:
    """The content hash of the weights file ``weights`` names (remembered per file state)."""
    path = weights_path(run_dir, weights)
    stat = path.stat()
    memo = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if memo not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASHES[memo] = digest.hexdigest()
    return _HASHES[memo]


def artifact_name(name: str, key: dict[str, Any]) -> str:
    """``explain/<name>-<16 hex digits of the key>.json``."""
    text = json.dumps(key, sort_keys=True, default=str)
    return f"explain/{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"


def cached_artifact(run_dir: str | Path | RunStore, name: str, key: dict[str, Any],
                    weights: str | Path = "best") -> dict[str, Any] | None:
    """The stored result for ``key`` computed with the current content of ``weights``, or
    None (nothing stored, other arguments, other weights, an unreadable file)."""
    run = open_run(run_dir)
    sha = weights_sha256(run, weights)
    try:
        stored = json.loads(run.read_artifact(artifact_name(name, key)))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("weights_sha256") != sha or \
            stored.get("key") != json.loads(json.dumps(key, default=str)) or \
            not isinstance(stored.get("result"), dict):
        return None
    return stored["result"]


def store_artifact(run_dir: str | Path | RunStore, name: str, key: dict[str, Any],
                   weights: str | Path, result: dict[str, Any]) -> Path:
    """Store ``result`` for ``key`` and the current content of ``weights`` (atomically)."""
    run = open_run(run_dir)
    record = {"key": json.loads(json.dumps(key, default=str)),
              "weights_sha256": weights_sha256(run, weights), "result": result}
    return run.write_artifact(artifact_name(name, key), record)
