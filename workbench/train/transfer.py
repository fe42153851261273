"""Transfer learning: start a network from another run's weights, matched by node id.

:class:`TransferPlan` is what the trainer uses. ``prepare`` reads the source run (its
config.json ``graph`` and its best weights, else its latest checkpoint, checked by
:mod:`workbench.runs.weights_file`), loads every layer whose node id, layer type and tensor
shapes match (:mod:`workbench.train.layer_matching`, the rule the app's preview uses too),
says which layers were skipped and why, and freezes the layers the settings name:

* ``layers``: only these node ids are loaded ("not in --layers" for the others);
* ``reset_head``: the layer feeding the Output keeps its fresh weights ("reset_head");
* ``freeze`` / ``freeze_until``: parameters not trained; a frozen layer is also put back in
  eval mode after ``module.train()`` (:meth:`TransferPlan.train_mode`), so a frozen BatchNorm
  keeps its running statistics;
* ``lr_scale``: learning-rate multiplier for the loaded layers (discriminative rates);
* ``unfreeze_every`` N: gradual unfreezing, one frozen layer every N epochs from the output
  side (epoch k*N unfreezes the k-th), a pure function of the epoch so a resumed run has the
  same state as an uninterrupted one.

``init`` may be the TrainConfig's ``InitConfig`` or a plain dict with the same keys.
:func:`check_init` validates settings against a graph spec without torch, for the CLI to call
before a run folder exists. torch is imported only inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.graph.spec import GraphSpec

INIT_KEYS = ("from_run", "layers", "freeze", "freeze_until", "reset_head", "lr_scale",
             "unfreeze_every")
_DEFAULTS: dict[str, Any] = {"from_run": "", "layers": [], "freeze": [], "freeze_until": "",
                             "reset_head": False, "lr_scale": 1.0, "unfreeze_every": 0}


def init_value(init: Any, name: str) -> Any:
    """A setting of ``init`` (an InitConfig, a dict or None), or its default."""
    if init is None:
        return _DEFAULTS[name]
    value = init.get(name) if isinstance(init, dict) else getattr(init, name, None)
    return _DEFAULTS[name] if value is None else value


def _live_order(spec: GraphSpec) -> list[str]:
    """Node ids in topological order, only those in the model (reach the Output)."""
    from workbench.graph.shape_inference import analyze

    live = analyze(spec).live
    return live or [n.id for n in spec.nodes]


def head_node(spec: GraphSpec) -> str | None:
    """The layer feeding the Output: its source, walking back over parameter-free one-input
    nodes (activations, Dropout, Flatten) to the nearest layer with weights."""
    from workbench.graph.shape_inference import analyze

    nodes = analyze(spec).nodes
    incoming: dict[str, list[str]] = {}
    for edge in spec.edges:
        incoming.setdefault(edge.dst, []).append(edge.src)
    output = next((n.id for n in spec.nodes if n.type == "Output"), None)
    sources = incoming.get(output or "", [])
    seen: set[str] = set()
    while len(sources) == 1 and sources[0] not in seen:
        node_id = sources[0]
        seen.add(node_id)
        if node_id in nodes and nodes[node_id].params > 0:
            return node_id
        sources = incoming.get(node_id, [])
    return None


def _node_list(value: Any, setting: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"init.{setting} must be a list of node ids, found {value!r}")
    return list(value)


def node_problems(known: list[str], init: Any) -> list[str]:
    """Node ids in layers / freeze / freeze_until that are not in the network, and settings
    that contradict each other."""
    problems: list[str] = []
    listing = ", ".join(known)
    for setting in ("layers", "freeze"):
        try:
            ids = _node_list(init_value(init, setting), setting)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        for node_id in ids:
            if node_id not in known:
                problems.append(f"init.{setting}: no node '{node_id}' in the network "
                                f"(nodes: {listing})")
    until = init_value(init, "freeze_until")
    if not isinstance(until, str):
        problems.append(f"init.freeze_until must be a node id, found {until!r}")
    elif until and until not in known:
        problems.append(f"init.freeze_until: no node '{until}' in the network (nodes: {listing})")
    if until and init_value(init, "freeze"):
        problems.append("init.freeze and init.freeze_until are exclusive; give one of them")
    scale = init_value(init, "lr_scale")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale >= 0:
        problems.append(f"init.lr_scale must be a number >= 0, found {scale!r}")
    every = init_value(init, "unfreeze_every")
    if isinstance(every, bool) or not isinstance(every, int) or every < 0:
        problems.append(f"init.unfreeze_every must be an integer >= 0, found {every!r}")
    return problems


def source_problems(from_run: Any) -> list[str]:
    """Why ``from_run`` cannot be used as a source of weights ([] when it can)."""
    from workbench.runs.file_checks import RunFileError
    from workbench.runs.run_store import RunStore

    if not isinstance(from_run, str):
        return [f"init.from_run must be a run folder path, found {from_run!r}"]
    if not from_run:
        return []
    try:
        run = RunStore.open(from_run)
        graph = run.config.get("graph")
    except (FileNotFoundError, RunFileError, ValueError) as exc:
        return [f"--init-from {from_run}: {exc}"]
    if not isinstance(graph, dict):
        return [f"--init-from {from_run}: its config.json has no network ('graph')"]
    if not run.has_weights():
        return [f"--init-from {from_run}: the run has no saved weights yet (no "
                f"best.safetensors and no checkpoint)"]
    return []


def check_init(spec: GraphSpec, init: Any) -> list[str]:
    """Every problem with the init settings for a network ``spec``, as messages ([] = fine).
    No torch; reads only the source run's config.json and file names."""
    known = _live_order(spec)
    return source_problems(init_value(init, "from_run")) + node_problems(known, init)


@dataclass
class TransferPlan:
    """Which layers were loaded, skipped and frozen, and how they train (see module doc)."""

    source: str = ""
    weights: str = ""
    matched: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    frozen: list[str] = field(default_factory=list)  # frozen at the start, topological order
    lr_scale: float = 1.0
    unfreeze_every: int = 0
    loaded: bool = False
    _attrs: dict[str, str] = field(default_factory=dict, repr=False)
    _frozen_now: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def prepare(cls, module: Any, init: Any, load_weights: bool = True) -> TransferPlan:
        """Match, load (``load_weights``; False on resume, where the checkpoint holds the
        weights) and freeze. Raises ValueError for unknown node ids or a source run that
        cannot be used, naming it."""
        known = list(module.node_names)
        problems = node_problems(known, init)
        from_run = init_value(init, "from_run")
        if from_run and load_weights:
            problems = source_problems(from_run) + problems
        if problems:
            raise ValueError("; ".join(problems))
        plan = cls(source=str(from_run), lr_scale=float(init_value(init, "lr_scale")),
                   unfreeze_every=int(init_value(init, "unfreeze_every")))
        plan._attrs = {n: a for n, a in module.node_names.items() if _has_state(module, a)}
        if from_run:
            plan._match(module, init, load_weights)
        plan.frozen = plan._frozen_nodes(module, init)
        plan.start_epoch(module, 0)
        return plan

    # matching and loading ---------------------------------------------------------------
    def _match(self, module: Any, init: Any, load_weights: bool) -> None:
        """Load the layers :func:`layer_matching.match_layers` allows (the rule the app's
        fine-tune preview uses too)."""
        from workbench.graph.naming import attribute_names
        from workbench.runs.run_store import RunStore
        from workbench.train.layer_matching import match_layers, source_tensors, tensors_by_node

        wanted = _node_list(init_value(init, "layers"), "layers")
        head = head_node(module.spec) if init_value(init, "reset_head") else None
        try:
            run = RunStore.open(self.source)
            source_spec = GraphSpec.from_dict(run.config["graph"])
            shapes, tensors = self._source_tensors(run, load_weights)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if load_weights:
                raise ValueError(f"--init-from {self.source}: {exc}") from exc
            # resuming: the checkpoint holds the weights; a source run gone since only
            # costs the report its detail (every layer the settings allow counts as loaded,
            # as it was at the start, so the optimizer's groups come out the same)
            self.matched = [n for n in self._attrs if n != head and (not wanted or n in wanted)]
            self.skipped = [{"node": n, "reason": "not in --layers" if n != head
                             else "reset_head"} for n in self._attrs if n not in self.matched]
            self.weights = f"unreadable now ({exc})"
            return
        source_attrs = attribute_names(_live_order(source_spec))
        own = module.state_dict()
        own_tensors = tensors_by_node(self._attrs, {k: v.shape for k, v in own.items()})
        state: dict[str, Any] = {}
        for match in match_layers(own_tensors, source_tensors(source_spec, shapes),
                                  own_spec=module.spec, source_spec=source_spec,
                                  layers=wanted, head=head):
            if match.reason is not None:
                self.skipped.append({"node": match.node_id, "reason": match.reason})
                continue
            self.matched.append(match.node_id)
            if tensors is not None:
                attr, prefix = self._attrs[match.node_id], source_attrs[match.node_id]
                state.update({f"{attr}.{name}": tensors[f"{prefix}.{name}"]
                              for name in own_tensors[match.node_id]})
        if state:
            import torch

            with torch.no_grad():
                for key, value in state.items():
                    own[key].copy_(value)
            self.loaded = True

    def _source_tensors(self, run: Any, load_weights: bool
                        ) -> tuple[dict[str, tuple[int, ...]], dict[str, Any] | None]:
        """(name -> shape, tensors or None): on resume only the header is read, and a
        source run that is gone since leaves the report empty rather than failing."""
        from workbench.runs.run_store import BEST_WEIGHTS
        from workbench.runs.weights_file import read_header

        if load_weights:
            tensors, which = run.load_weights()
            self.weights = which
            return {k: tuple(v.shape) for k, v in tensors.items()}, tensors
        best = run.path / BEST_WEIGHTS
        latest = run.latest_checkpoint()
        path = best if best.is_file() else (latest[0] if latest else None)
        if path is None:
            return {}, None
        self.weights = path.relative_to(run.path).as_posix()
        return {k: e.shape for k, e in read_header(path, run.path).items()}, None

    # freezing ---------------------------------------------------------------------------
    def _frozen_nodes(self, module: Any, init: Any) -> list[str]:
        order = list(module.node_names)
        until = init_value(init, "freeze_until")
        named = set(_node_list(init_value(init, "freeze"), "freeze"))
        if until:
            named = set(order[:order.index(until) + 1])
        return [n for n in order if n in named and n in self._attrs]

    def frozen_at(self, epoch: int) -> list[str]:
        """Nodes frozen during ``epoch`` (0-based): gradual unfreezing releases the k-th
        nearest the output at epoch k * unfreeze_every."""
        if self.unfreeze_every <= 0:
            return list(self.frozen)
        released = min(len(self.frozen), max(0, epoch) // self.unfreeze_every)
        return self.frozen[:len(self.frozen) - released]

    def start_epoch(self, module: Any, epoch: int) -> list[str]:
        """Set ``requires_grad`` for ``epoch``; the node ids unfrozen at this very epoch
        (a function of the epoch only, so a resumed run agrees with an uninterrupted one)."""
        before = set(self.frozen_at(epoch - 1) if epoch > 0 else self.frozen)
        now = self.frozen_at(epoch)
        for node_id in self.frozen:
            trainable = node_id not in now
            for param in getattr(module, self._attrs[node_id]).parameters():
                param.requires_grad_(trainable)
        self._frozen_now = now
        return [n for n in self.frozen if n in before and n not in now]

    def train_mode(self, module: Any) -> None:
        """Call after ``module.train()``: frozen layers back to eval mode (a frozen BatchNorm
        keeps its running statistics, a frozen layer's own dropout is off)."""
        for node_id in self._frozen_now:
            getattr(module, self._attrs[node_id]).eval()

    # optimizer --------------------------------------------------------------------------
    def parameter_groups(self, module: Any) -> list[dict[str, Any]]:
        """Optimizer groups: "new" (lr x 1) and "loaded" (lr x lr_scale); every parameter
        exactly once, frozen ones included (they get no gradient until unfrozen). Empty groups
        are left out."""
        loaded_attrs = {self._attrs[n] for n in self.matched}
        new, loaded = [], []
        for name, param in module.named_parameters():
            (loaded if name.split(".", 1)[0] in loaded_attrs else new).append(param)
        groups = [{"name": "new", "params": new, "lr_scale": 1.0},
                  {"name": "loaded", "params": loaded, "lr_scale": self.lr_scale}]
        return [g for g in groups if g["params"]]

    @property
    def report(self) -> dict[str, Any]:
        """JSON-able account of what was loaded, skipped and frozen."""
        return {"source": self.source, "weights": self.weights, "matched": list(self.matched),
                "skipped": [dict(s) for s in self.skipped], "frozen": list(self.frozen),
                "lr_scale": self.lr_scale, "unfreeze_every": self.unfreeze_every,
                "loaded": self.loaded}


def _has_state(module: Any, attr: str) -> bool:
    sub = getattr(module, attr, None)
    return sub is not None and bool(sub.state_dict())

