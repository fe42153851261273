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
from pathlib import Path
from typing import Any

from workbench.runs.run_store import RunStore

FINGERPRINT_KEY = "data_fingerprint"


class DataChangedError(ValueError):
    """The run's data differ from the data it was trained on."""

    def __init__(self, message: str, recorded: dict[str, Any], found: dict[str, Any]) -> None:
        super().__init__(message)
        self.recorded, self.found = recorded, found


@dataclass
class RunForUse:
    """A run rebuilt: ``module`` (eval mode, CPU; None when weights were not asked for),
    ``weights`` (which file), ``dataset`` (saved preprocessing applied; None when not asked
    for), ``data_changed`` (True only when a change was allowed)."""

    run: RunStore
    module: Any
    weights: str | None
    dataset: Any
    data_changed: bool = False


def rebuild_run(run: str | Path | RunStore, *, weights: bool = True, data: bool = True,
                allow_changed_data: bool = False, purpose: str = "use") -> RunForUse:
    """The run's module and dataset, as trained. ``purpose`` (e.g. "eval", "export") goes into
    the event recorded when changed data are allowed.

    Raises FileNotFoundError (no run, no weights, data file gone), DataChangedError, DataError,
    ValueError (a damaged run file).
    """
    store = run if isinstance(run, RunStore) else RunStore.open(run)
    changed = check_run_data(store, allow_changed_data, purpose, record=False) if data else None
    module, which = _module(store, weights)
    dataset = load_run_dataset(store) if data else None
    if changed is not None:  # recorded only once the run was really put to use
        store.record_event(changed)
    return RunForUse(store, module, which, dataset, data_changed=changed is not None)


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


def _module(run: RunStore, weights: bool) -> tuple[Any, str | None]:
    from workbench.graph.compile import compile_graph
    from workbench.graph.spec import GraphSpec
    from workbench.runs.weights_file import load_into_module

    module = compile_graph(GraphSpec.from_dict(run.config["graph"]))
    which = None
    if weights:
        state, which = run.load_weights()
        load_into_module(module, state, run.path / which)  # names the tensor that does not fit
    module.eval()
    return module, which
