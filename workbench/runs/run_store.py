"""One run folder: config snapshot, metric log, events, safetensors checkpoints, summary.

Layout::

    runs/<YYYYmmdd-HHMMSS>-<name>/
        config.json             graph, dataset, training settings, preprocessing
        metrics.jsonl           append-only, one record per epoch (``kind: "epoch"``)
        events.jsonl            evaluations on the test split and other notable events
        checkpoints/epoch_NNNN.safetensors        model weights
        checkpoints/epoch_NNNN.state.safetensors  optimizer tensors + RNG states
        checkpoints/epoch_NNNN.json               epoch, best metric, scheduler, structure
        best.safetensors        best weights by the monitored validation metric
        summary.json            written when the run ends
        artifacts/<name>        anything else a run produces (reports, exports, plots)
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.runs.atomic import atomic_write_bytes, atomic_write_json
from workbench.runs.file_checks import (
    RunFileError,
    check_checkpoint_meta,
    check_run_config,
    read_json_object,
    require_inside,
)
from workbench.runs.metric_log import MetricLog

RUNS_FOLDER = "runs"
CONFIG_FILE = "config.json"
SUMMARY_FILE = "summary.json"
BEST_WEIGHTS = "best.safetensors"
ARTIFACTS_FOLDER = "artifacts"
_CHECKPOINT = re.compile(r"^epoch_(\d{4,})\.json$")
_ARTIFACT_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return slug[:60] or "run"


class RunStore:
    """Reads and writes one run folder; every write is atomic."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.metrics = MetricLog(self.path / "metrics.jsonl")
        self.events = MetricLog(self.path / "events.jsonl")
        self._config: dict[str, Any] | None = None

    @classmethod
    def create(cls, project_dir: str | Path, name: str = "run") -> RunStore:
        """A new, uniquely named run folder under ``project_dir/runs``."""
        runs = Path(project_dir) / RUNS_FOLDER
        runs.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{_slug(name)}"
        for i in range(1000):
            candidate = runs / (stem if i == 0 else f"{stem}-{i + 1}")
            try:
                candidate.mkdir()
            except FileExistsError:
                continue
            return cls(candidate)
        raise OSError(f"could not create a unique run folder under {runs}")

    @classmethod
    def open(cls, run_dir: str | Path) -> RunStore:
        """An existing run folder; raises FileNotFoundError naming what is missing."""
        path = Path(run_dir)
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: no such run folder")
        if not (path / CONFIG_FILE).is_file():
            raise FileNotFoundError(f"{path}: not a run folder (no {CONFIG_FILE})")
        return cls(path)

    # config -----------------------------------------------------------------------------
    def save_config(self, config: dict[str, Any]) -> None:
        """Write config.json; ``created`` (UTC, ISO 8601) is added on the first save and kept
        by every later one, so the run's age never depends on its folder name."""
        created = config.get("created") or self._saved_created() or \
            datetime.now(timezone.utc).isoformat(timespec="microseconds")
        config = {**config, "created": created}
        atomic_write_json(self.path / CONFIG_FILE, config)
        self._config = json.loads(json.dumps(config, default=str))

    def _saved_created(self) -> str | None:
        try:
            return self.config.get("created")
        except (FileNotFoundError, ValueError):
            return None

    @property
    def created(self) -> datetime:
        """When the run was created: config.json's ``created``; for runs written before it was
        recorded, the time in the folder name, else config.json's modification time."""
        try:
            recorded = self.config.get("created")
        except (FileNotFoundError, ValueError):
            recorded = None
        if isinstance(recorded, str):
            try:
                return _aware(datetime.fromisoformat(recorded))
            except ValueError:
                pass
        try:
            return _aware(datetime.strptime(self.path.name[:15], "%Y%m%d-%H%M%S"))
        except ValueError:
            pass
        try:
            return datetime.fromtimestamp((self.path / CONFIG_FILE).stat().st_mtime,
                                          timezone.utc)
        except OSError:
            return datetime.fromtimestamp(0, timezone.utc)

    @property
    def config(self) -> dict[str, Any]:
        """config.json, checked (a link out of the folder, bad JSON, wrong types: RunFileError)."""
        if self._config is None:
            source = self.path / CONFIG_FILE
            self._config = check_run_config(read_json_object(source, self.path), str(source))
        return self._config

    # checkpoints ------------------------------------------------------------------------
    @property
    def checkpoint_dir(self) -> Path:
        return self.path / "checkpoints"

    def save_checkpoint(self, epoch: int, model_state: dict[str, Any],
                        optimizer_state: dict[str, Any] | None = None,
                        extra_tensors: dict[str, Any] | None = None,
                        meta: dict[str, Any] | None = None) -> Path:
        """Write weights, optimizer/RNG tensors and JSON metadata for ``epoch``.

        The JSON file is written last, so a checkpoint counts only once it is whole.
        Refuses weights that are not finite.
        """
        from safetensors.torch import save

        from workbench.runs.tensor_state import flatten_optimizer_state

        _require_finite(model_state)
        stem = self.checkpoint_dir / f"epoch_{epoch:04d}"
        atomic_write_bytes(stem.with_suffix(".safetensors"), save(_cpu(model_state)))
        opt_tensors, structure = flatten_optimizer_state(optimizer_state or {})
        tensors = {**opt_tensors, **{f"extra.{k}": v for k, v in (extra_tensors or {}).items()}}
        atomic_write_bytes(stem.parent / f"{stem.name}.state.safetensors", save(_cpu(tensors)))
        atomic_write_json(stem.with_suffix(".json"),
                          {"epoch": epoch, "optimizer": structure, **(meta or {})})
        return stem.with_suffix(".safetensors")

    def checkpoints(self) -> list[int]:
        """Epochs with a complete checkpoint, ascending."""
        if not self.checkpoint_dir.is_dir():
            return []
        epochs = []
        for item in self.checkpoint_dir.iterdir():
            match = _CHECKPOINT.match(item.name)
            if match and item.with_suffix(".safetensors").is_file():
                epochs.append(int(match.group(1)))
        return sorted(epochs)

    def latest_checkpoint(self) -> tuple[Path, dict[str, Any]] | None:
        epochs = self.checkpoints()
        if not epochs:
            return None
        stem = self.checkpoint_dir / f"epoch_{epochs[-1]:04d}"
        meta_path = stem.with_suffix(".json")
        return stem.with_suffix(".safetensors"), check_checkpoint_meta(
            read_json_object(meta_path, self.path), str(meta_path))

    def load_checkpoint(self, epoch: int) -> tuple[dict, dict, dict, dict]:
        """(model_state, optimizer_state, extra_tensors, meta) for ``epoch``."""
        from workbench.runs.tensor_state import unflatten_optimizer_state
        from workbench.runs.weights_file import load_weights_file

        stem = self.checkpoint_dir / f"epoch_{epoch:04d}"
        meta = check_checkpoint_meta(read_json_object(stem.with_suffix(".json"), self.path),
                                     str(stem.with_suffix(".json")))
        model_state = load_weights_file(stem.with_suffix(".safetensors"), self.path)
        tensors = load_weights_file(stem.parent / f"{stem.name}.state.safetensors", self.path)
        extra = {k[len("extra."):]: v for k, v in tensors.items() if k.startswith("extra.")}
        optimizer = unflatten_optimizer_state(tensors, meta.get("optimizer", {}),
                                              str(stem.with_suffix(".json")))
        return model_state, optimizer, extra, meta

    def save_best(self, model_state: dict[str, Any]) -> Path:
        from safetensors.torch import save

        _require_finite(model_state)
        atomic_write_bytes(self.path / BEST_WEIGHTS, save(_cpu(model_state)))
        return self.path / BEST_WEIGHTS

    def discard_best(self) -> None:
        """Remove best.safetensors (a run that starts over has no best weights yet)."""
        (self.path / BEST_WEIGHTS).unlink(missing_ok=True)

    def has_weights(self) -> bool:
        """True when :meth:`load_weights` has something to load."""
        return (self.path / BEST_WEIGHTS).is_file() or bool(self.checkpoints())

    def load_weights(self) -> tuple[dict[str, Any], str]:
        """Best weights if saved, else the latest checkpoint's: (state, which).

        The file is checked first (:mod:`workbench.runs.weights_file`): a corrupt, truncated
        or foreign file, or a link out of the run folder, is a WeightsFileError naming it.
        """
        from workbench.runs.weights_file import load_weights_file

        best = self.path / BEST_WEIGHTS
        if best.is_file() or best.is_symlink():
            return load_weights_file(best, self.path), BEST_WEIGHTS
        latest = self.latest_checkpoint()
        if latest is None:
            raise FileNotFoundError(f"{self.path}: the run has no saved weights yet")
        return load_weights_file(latest[0], self.path), f"checkpoints/{latest[0].name}"

    # summary and events -----------------------------------------------------------------
    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write_json(self.path / SUMMARY_FILE, summary)

    def read_summary(self) -> dict[str, Any] | None:
        try:
            return read_json_object(self.path / SUMMARY_FILE, self.path)
        except (FileNotFoundError, RunFileError):
            return None

    def record_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def read_events(self) -> list[dict[str, Any]]:
        return self.events.read()

    # artifacts --------------------------------------------------------------------------
    @property
    def artifact_dir(self) -> Path:
        return self.path / ARTIFACTS_FOLDER

    def write_artifact(self, name: str, data: bytes | str | dict[str, Any]) -> Path:
        """Write ``data`` atomically to ``artifacts/<name>`` (bytes as they are, text as UTF-8,
        a dict as JSON). ``name`` is a relative path of plain parts ("report.json",
        "plots/loss.png"); anything else is a ValueError."""
        path = self._artifact_path(name)
        existing = next(f for f in path.parents if f.exists() or f == self.path)
        require_inside(existing, self.path)  # no writing through a linked folder
        if isinstance(data, dict):
            atomic_write_json(path, data)
        elif isinstance(data, str):
            atomic_write_bytes(path, data.encode("utf-8"))
        elif isinstance(data, (bytes, bytearray, memoryview)):
            atomic_write_bytes(path, bytes(data))
        else:
            raise TypeError(f"artifact {name!r}: expected bytes, text or a dict, found "
                            f"{type(data).__name__}")
        return path

    def artifacts(self) -> list[str]:
        """Names of the run's artifacts (relative to artifacts/, with "/"), sorted."""
        if not self.artifact_dir.is_dir():
            return []
        return sorted(p.relative_to(self.artifact_dir).as_posix()
                      for p in self.artifact_dir.rglob("*")
                      if p.is_file() and not p.name.startswith("."))

    def read_artifact(self, name: str) -> bytes:
        """The bytes of ``artifacts/<name>``; FileNotFoundError when there is none,
        RunFileError for a link out of the run folder or something that is not a file."""
        path = self._artifact_path(name)
        require_inside(path, self.path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such artifact (the run has: "
                                    f"{', '.join(self.artifacts()) or 'none'})")
        if not path.is_file():
            raise RunFileError(f"{path} is not a regular file")
        return path.read_bytes()

    def _artifact_path(self, name: str) -> Path:
        if not isinstance(name, str):
            raise ValueError(f"artifact name must be a text, found {type(name).__name__}")
        parts = name.split("/")
        if not name or len(name) > 255 or len(parts) > 8 or \
                not all(_ARTIFACT_PART.match(part) for part in parts):
            raise ValueError(f"artifact name must be a relative path of parts made of letters, "
                             f"digits and _ . + - (not starting with '.' or '-'), e.g. "
                             f"'report.json' or 'plots/loss.png'; found {name!r}")
        return self.artifact_dir.joinpath(*parts)

    def test_looks(self) -> int:
        """How many times anything was measured on the test split (every eval or export that
        used it records an event with ``"split": "test"``)."""
        return sum(1 for event in self.read_events() if event.get("split") == "test")


def list_runs(project_dir: str | Path) -> list[RunStore]:
    """Run folders of a project, oldest first by creation time (config.json's ``created``, not
    the folder name, which a user may rename); folders that are not runs are skipped."""
    runs = Path(project_dir) / RUNS_FOLDER
    if not runs.is_dir():
        return []
    found = [RunStore(p) for p in runs.iterdir() if p.is_dir() and (p / CONFIG_FILE).is_file()]
    return sorted(found, key=lambda r: (r.created, r.path.name))


def _aware(moment: datetime) -> datetime:
    """A timezone-aware datetime (a naive one is taken as local time)."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def _cpu(tensors: dict[str, Any]) -> dict[str, Any]:
    return {k: v.detach().cpu().contiguous() for k, v in tensors.items()}


def _require_finite(state: dict[str, Any]) -> None:
    import torch

    for name, tensor in state.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise ValueError(f"refusing to save weights with NaN/Inf values (in '{name}')")
