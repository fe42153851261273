"""Rebuild a run for use: THE one place that turns a run folder back into something usable.

``rebuild_run`` gives the module (the run's saved graph compiled, its best or latest weights
loaded) and the dataset as the run saw it: the same splits, the run's SAVED preprocessing
applied (never re-fitted), and a check that the data are still the data the run was trained on
(``workbench.data.fingerprint``). eval, export, the app's export dialog and run analysis all
call it; nothing else re-derives a run (architecture principle 12).

Changed data are refused with a message naming the file and both hashes, unless the caller
allows them; an allowed change is recorded in the run's events.jsonl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from workbench.runs.run_store import RunStore

FINGERPRINT_KEY = "data_fingerprint"
OBJECTIVE_PREFIX = "objective."  # an objective's own tensors among a checkpoint's extras


class DataChangedError(ValueError):
    """The run's data differ from the data it was trained on."""

    def __init__(self, message: str, recorded: dict[str, Any], found: dict[str, Any]) -> None:
        super().__init__(message)
        self.recorded, self.found = recorded, found


WEIGHT_CHOICES = "'best', 'last', 'epoch:N', a weights file inside the run folder, or None"


@dataclass
class RunForUse:
    """A run rebuilt: ``module`` (eval mode, on ``device``; its initial weights when none were
    asked for), ``weights`` (which file, relative to the run folder; None when none were
    loaded), ``dataset`` (saved preprocessing applied; None when not asked for),
    ``data_changed`` (True only when a change was allowed). ``config`` (the run's TrainConfig),
    ``task`` and ``class_names`` are read once, on first use."""

    run: RunStore
    module: Any
    weights: str | None
    dataset: Any
    data_changed: bool = False
    device: str = "cpu"

    @cached_property
    def config(self) -> Any:
        """The run's training settings as a TrainConfig (validated once)."""
        from workbench.train.config import TrainConfig

        return TrainConfig.from_dict(self.run.config.get("training") or {})

    @property
    def task(self) -> str:
        """"classification" or "regression": the dataset's, else read from the run's config."""
        if self.dataset is not None:
            return str(self.dataset.task)
        recorded = self.run.config.get("task")
        if isinstance(recorded, str) and recorded:
            return recorded
        saved = self.run.config.get("preprocessing")  # a regression target is standardized
        regression = isinstance(saved, dict) and "target_scaling" in saved
        return "regression" if regression else "classification"

    @property
    def class_names(self) -> list[str]:
        """The labels the run was trained with (its config), else the dataset's."""
        saved = self.run.config.get("class_names")
        if isinstance(saved, list) and saved:
            return [str(name) for name in saved]
        return [] if self.dataset is None else list(self.dataset.class_names)

    def load_weights(self, which: str | Path) -> str:
        """Load other weights of the same run into ``module`` (same choices as
        :func:`rebuild_run`); returns which file, and remembers it in ``weights``."""
        state, self.weights = read_run_weights(self.run, which)
        _load(self.module, state, self.run.path / self.weights)
        self.module.to(self.device)
        return self.weights

    def objective(self) -> Any:
        """The run's training objective (``workbench.train.objectives.make_objective``) for
        this module and dataset, its own parameters restored from the loaded checkpoint when
        it saved any (:meth:`objective_state`); needs ``data=True``."""
        from workbench.train.objectives import make_objective

        if self.dataset is None:
            raise ValueError("the run's objective needs its dataset: rebuild it with data=True")
        objective = make_objective(self.config, self.dataset, self.module, self.device)
        state = self.objective_state()
        if state:
            objective.load_state_tensors(state)
        return objective

    def objective_state(self) -> dict[str, Any]:
        """The objective's own tensors (keys ``objective.…``) saved with the loaded checkpoint;
        empty for best.safetensors (the model only) or an objective without parameters."""
        from workbench.runs.weights_file import load_weights_file

        if not self.weights or not self.weights.startswith("checkpoints/"):
            return {}
        checkpoint = self.run.path / self.weights
        state_file = checkpoint.with_name(f"{checkpoint.stem}.state.safetensors")
        if not state_file.is_file():
            return {}
        saved = f"extra.{OBJECTIVE_PREFIX}"  # RunStore.save_checkpoint's extra tensors
        return {k[len("extra."):]: v for k, v in load_weights_file(state_file, self.run.path
                                                                  ).items()
                if k.startswith(saved)}


def rebuild_run(run: str | Path | RunStore, *, weights: str | Path | bool | None = "best",
                data: bool = True, allow_changed_data: bool = False, purpose: str = "use",
                device: str = "cpu") -> RunForUse:
    """The run's module and dataset, as trained.

    ``weights``: "best" (best.safetensors, else the latest checkpoint; also ``True``), "last"
    (the latest checkpoint), "epoch:N" (that epoch's checkpoint), a weights file inside the run
    folder, or None/False (the module keeps its initial weights). ``purpose`` (e.g. "eval",
    "export") goes into the event recorded when changed data are allowed.

    Raises FileNotFoundError (no run, no such weights, data file gone), DataChangedError,
    DataError, ValueError (a damaged run file, an unknown ``weights`` choice).
    """
    store = run if isinstance(run, RunStore) else RunStore.open(run)
    which = _weights_choice(weights)
    changed = check_run_data(store, allow_changed_data, purpose, record=False) if data else None
    rebuilt = RunForUse(store, _compile(store), None, None, device=device)
    if which is not None:
        rebuilt.load_weights(which)
    rebuilt.module.to(device).eval()
    rebuilt.dataset = load_run_dataset(store) if data else None
    if changed is not None:  # recorded only once the run was really put to use
        store.record_event(changed)
    rebuilt.data_changed = changed is not None
    return rebuilt


def read_run_weights(run: RunStore, which: str | Path = "best") -> tuple[dict[str, Any], str]:
    """(state, file relative to the run folder) for a ``weights`` choice of
    :func:`rebuild_run`; every file is checked by ``workbench.runs.weights_file``."""
    from workbench.runs.weights_file import load_weights_file

    if which == "best":
        return run.load_weights()
    if which == "last":
        latest = run.latest_checkpoint()
        if latest is None:
            raise FileNotFoundError(f"{run.path}: the run has no checkpoint yet")
        path = latest[0]
    elif isinstance(which, str) and which.startswith("epoch:"):
        epoch = _epoch(which)
        path = run.checkpoint_dir / f"epoch_{epoch:04d}.safetensors"
        if epoch not in run.checkpoints():
            saved = ", ".join(map(str, run.checkpoints())) or "none"
            raise FileNotFoundError(f"{run.path}: no checkpoint for epoch {epoch} (saved "
                                    f"epochs: {saved})")
    else:
        path = Path(which) if Path(which).is_absolute() else run.path / which
    return load_weights_file(path, run.path), _relative(path, run.path)


def load_run_module(run: RunStore) -> tuple[Any, str]:
    """(module in eval mode on the CPU, which weights were loaded): ``rebuild_run`` without
    the data."""
    rebuilt = rebuild_run(run, data=False)
    return rebuilt.module, str(rebuilt.weights)


def load_run_dataset(run: RunStore) -> Any:
    """The run's dataset with the run's saved preprocessing applied (runs saved before
    preprocessing was recorded get it fitted again, as they were trained)."""
    from workbench.data import load_dataset

    saved = run.config.get("preprocessing")
    return load_dataset(run.config["dataset"],
                        preprocessing=saved if isinstance(saved, dict) and saved else None)


def record_fingerprint(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (a run's, before it is saved) with the fingerprint of its dataset added.

    A ``path`` option that names no file or folder here (a plugin's URL, say) gets no
    fingerprint, so such runs are not checked later."""
    from workbench.data.fingerprint import data_fingerprint

    try:
        return {**config, FINGERPRINT_KEY: data_fingerprint(config["dataset"]).to_dict()}
    except FileNotFoundError:
        return dict(config)


def check_run_data(run: RunStore, allow_changed_data: bool = False, purpose: str = "use",
                   record: bool = True) -> dict[str, Any] | None:
    """None when the run's data are unchanged (or the run recorded no fingerprint); the event
    for events.jsonl when they changed and that was allowed (written there when ``record``);
    DataChangedError otherwise."""
    from workbench.data.fingerprint import DataFingerprint, data_fingerprint

    saved = run.config.get(FINGERPRINT_KEY)
    if not isinstance(saved, dict) or "sha256" not in saved:
        return None
    recorded = DataFingerprint.from_dict(saved)
    found = data_fingerprint(run.config["dataset"])
    if found.sha256 == recorded.sha256:
        return None
    if not allow_changed_data:
        raise DataChangedError(
            f"{found.subject} changed since run '{run.path.name}' was trained: its sha256 is "
            f"now {found.sha256}, the run recorded {recorded.sha256}. Results on it would not "
            f"be the run's results. Retrain on the new data, restore the old file, or allow "
            f"it anyway (command line: --allow-changed-data; it is recorded in the run's "
            f"events.jsonl)", recorded.to_dict(), found.to_dict())
    event = {"kind": "changed_data_allowed", "purpose": purpose, "subject": found.subject,
             "recorded_sha256": recorded.sha256, "found_sha256": found.sha256,
             "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    if record:
        run.record_event(event)
    return event


def _compile(run: RunStore) -> Any:
    """The run's network; its initial weights are drawn from a forked generator, so rebuilding
    a run never moves torch's global random state (a training in this process relies on it)."""
    import torch

    from workbench.graph.compile import compile_graph
    from workbench.graph.spec import GraphSpec

    with torch.random.fork_rng(devices=[]):
        return compile_graph(GraphSpec.from_dict(run.config["graph"]))


def _load(module: Any, state: dict[str, Any], source: Path) -> None:
    from workbench.runs.weights_file import load_into_module

    load_into_module(module, state, source)  # names the tensor that does not fit


def _weights_choice(weights: str | Path | bool | None) -> str | Path | None:
    if weights is None or weights is False:
        return None
    if weights is True:
        return "best"
    if isinstance(weights, Path) or weights in ("best", "last") or (
            isinstance(weights, str) and (weights.startswith("epoch:")
                                          or weights.endswith(".safetensors"))):
        if isinstance(weights, str) and weights.startswith("epoch:"):
            _epoch(weights)
        return weights
    raise ValueError(f"weights must be {WEIGHT_CHOICES}; found {weights!r}")


def _epoch(choice: str) -> int:
    text = choice[len("epoch:"):]
    if not text.isdigit():
        raise ValueError(f"weights 'epoch:N' needs a whole number N >= 0; found {choice!r}")
    return int(text)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)
