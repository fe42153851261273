"""What "Fine-tune from run" would do, worked out without Qt.

:func:`read_parent` reads a run folder (its config.json, summary and the weights file's header,
never the tensors) and says why it cannot be used (no such folder, no saved weights), with the
trainer's own check (``workbench.train.transfer.check_init``). :func:`layer_rows` lists every
layer of the current network that has parameters: loaded from the run (same node id, same type,
the same tensor names and shapes) or skipped with the reason, naming what was
expected and what was found: the trainer's own rule (``workbench.train.layer_matching``), with
the layer's own shapes from the network built on torch's meta device (no weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.graph.shape_inference import Analysis, analyze
from workbench.graph.spec import GraphSpec


@dataclass
class ParentRun:
    """The run to start from: what the dialog shows of it, and why it cannot be used."""

    path: str
    name: str = ""
    dataset: str = ""
    accuracy: str = "-"
    graph: GraphSpec | None = None
    tensors: dict[str, tuple[int, ...]] = field(default_factory=dict)  # key -> shape
    weights: str = ""  # the file the weights come from, relative to the run folder
    problems: list[str] = field(default_factory=list)


@dataclass
class LayerRow:
    node_id: str
    type_name: str
    shapes: str      # the run's tensors for this node, e.g. "weight 64x784, bias 64"
    loaded: bool
    reason: str      # why it is skipped ("" when loaded)
    frozen: bool = False


def read_parent(run_dir: str, spec: GraphSpec) -> ParentRun:
    """The run folder ``run_dir`` as a source of weights for ``spec`` (problems listed, never
    raised)."""
    from workbench.runs.file_checks import RunFileError
    from workbench.runs.run_store import BEST_WEIGHTS, RunStore
    from workbench.runs.weights_file import read_header

    parent = ParentRun(path=str(run_dir), name=Path(run_dir).name if run_dir else "")
    if not run_dir:
        parent.problems.append("No run chosen: train the network first, or select a run in "
                               "the Runs panel.")
        return parent
    parent.problems += _init_problems(spec, run_dir)
    try:
        run = RunStore.open(run_dir)
        config = run.config
    except (FileNotFoundError, RunFileError, ValueError) as exc:
        if not parent.problems:
            parent.problems.append(str(exc))
        return parent
    dataset = config.get("dataset") or {}
    parent.dataset = str(dataset.get("name", "")) if isinstance(dataset, dict) else ""
    summary = run.read_summary() or {}
    accuracy = summary.get("val_accuracy")
    if isinstance(accuracy, (int, float)):
        parent.accuracy = f"{accuracy:.1%} (validation)"
    elif isinstance(summary.get("val_mae"), (int, float)):
        parent.accuracy = f"MAE {summary['val_mae']:.4g} (validation)"
    try:
        parent.graph = GraphSpec.from_dict(config["graph"])
    except (KeyError, TypeError, ValueError) as exc:
        parent.problems.append(f"{run_dir}: its config.json has no readable network ({exc})")
        return parent
    best = run.path / BEST_WEIGHTS
    latest = run.latest_checkpoint() if not best.is_file() else None
    source = best if best.is_file() else (latest[0] if latest else None)
    if source is None:
        if not parent.problems:
            parent.problems.append(f"{run_dir}: the run has no saved weights yet (no "
                                   f"{BEST_WEIGHTS} and no checkpoint)")
        return parent
    try:
        header = read_header(source, run.path)
    except (OSError, RunFileError) as exc:
        parent.problems.append(str(exc))
        return parent
    parent.weights = str(source.relative_to(run.path))
    parent.tensors = {name: entry.shape for name, entry in header.items()}
    return parent


def _init_problems(spec: GraphSpec, run_dir: str) -> list[str]:
    """The trainer's own refusal of this source run (no torch)."""
    from workbench.train.transfer import check_init

    return check_init(spec, {"from_run": run_dir})


def head_id(spec: GraphSpec) -> str | None:
    """The layer feeding the Output (what "reset head" leaves untrained from the run)."""
    from workbench.train.transfer import head_node

    return head_node(spec)


def layer_rows(parent: ParentRun, spec: GraphSpec, analysis: Analysis | None = None,
               reset_head: bool = False, frozen: list[str] | None = None) -> list[LayerRow]:
    """Each layer with parameters of ``spec``, loaded from ``parent`` or skipped and why, by
    the trainer's own rule (:func:`workbench.train.layer_matching.match_layers`)."""
    from ui.editor.freeze_settings import trainable_ids
    from workbench.graph.validation import GraphError
    from workbench.train.layer_matching import match_layers, node_tensor_shapes, source_tensors

    analysis = analysis or analyze(spec)
    frozen_set = set(frozen or [])
    head = head_id(spec) if reset_head else None
    source = source_tensors(parent.graph, parent.tensors) if parent.graph is not None else {}
    try:
        own = node_tensor_shapes(spec)
    except GraphError:
        own = {}
    reasons = {m.node_id: m.reason for m in match_layers(
        own, source, own_spec=spec, source_spec=parent.graph, head=head)}
    rows = []
    for node_id in trainable_ids(analysis):
        node = spec.node(node_id)
        tensors = source.get(node_id, {})
        names = sorted(tensors, key=lambda k: (k != "weight", k != "bias", k))[:3]
        shapes = ", ".join(f"{k} {'x'.join(map(str, tensors[k])) or 'scalar'}"
                           for k in names) + (" …" if len(tensors) > 3 else "")
        reason = reasons.get(node_id, "not in the source run") or ""
        if reason.startswith("shape differs") and parent.graph is not None:
            reason += _settings_hint(spec, parent.graph, node_id)
        rows.append(LayerRow(node_id, node.type, shapes or "-", not reason, reason,
                             node_id in frozen_set))
    return rows


def _settings_hint(spec: GraphSpec, graph: GraphSpec, node_id: str) -> str:
    """The layer's size settings changed since the run, e.g. " (changed since the run:
    out_features 3, was 2)" ("" when none did: its input differs)."""
    from workbench.graph.catalogue import get_layer

    own, theirs = spec.node(node_id), graph.node(node_id)
    layer = get_layer(own.type)
    mine, found = layer.resolve_params(own.params), layer.resolve_params(theirs.params)
    differs = [f"{n} {_text(mine[n])}, was {_text(found.get(n))}" for n in mine
               if mine[n] != found.get(n) and isinstance(mine[n], (int, list))
               and not isinstance(mine[n], bool)]
    return f" (changed since the run: {'; '.join(differs)})" if differs else ""


def _text(value: Any) -> str:
    return "x".join(map(str, value)) if isinstance(value, list) else str(value)


def init_settings(run_dir: str, reset_head: bool, freeze_until: str, lr_scale: float,
                  unfreeze_every: int, freeze: list[str] | None = None) -> dict[str, Any]:
    """The training settings' ``init`` section for these choices (``freeze_until`` replaces
    the layers frozen one by one; without it those stay frozen)."""
    return {"from_run": str(run_dir), "layers": [],
            "freeze": [] if freeze_until else list(freeze or []),
            "freeze_until": freeze_until, "reset_head": bool(reset_head),
            "lr_scale": float(lr_scale), "unfreeze_every": int(unfreeze_every)}
