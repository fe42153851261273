"""Training objectives: what a batch's loss is (principle 13).

An objective turns ``(model, x, y)`` into ``(loss, outputs, terms)``: the scalar to minimize, the
model outputs the train metrics read, and named extra terms (``{"hard": t, "soft": t}``, or None)
whose per-epoch averages the trainer records as ``loss_<term>``. It may own parameters (its
``module``): the optimizer trains them as their own param group ("objective"), checkpoints store
them under ``objective.`` keys and resume restores them; the model's weights files stay
model-only. ``val_loss_fn()`` is the ``(outputs, y) -> loss`` the validation pass reports as
val_loss (the plain task loss unless an objective says otherwise).

Registry: ``register_objective(name, factory, help, options)``; ``factory(config, dataset, model,
device) -> Objective`` and ``options`` maps each option to its default (its type is the schema).
This module imports torch only inside functions: config validation imports it at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ObjectiveFactory = Callable[[Any, Any, Any, str], "Objective"]
STATE_PREFIX = "objective."


@dataclass
class ObjectiveEntry:
    factory: ObjectiveFactory
    help: str = ""
    options: dict[str, Any] = field(default_factory=dict)


_OBJECTIVES: dict[str, ObjectiveEntry] = {}

# Built-in objectives defined outside train/, named here in one place and imported on first use
# of the registry (as plugins' entry points are), so train/ never imports compress/ (issue 22:
# no import cycle) and importing this module stays torch-free.
BUILTIN_OBJECTIVE_MODULES = ("workbench.compress.distill",)  # registers "distillation"
_builtins_loaded = False


def _registry() -> dict[str, ObjectiveEntry]:
    """Every registered objective, the built-in ones imported the first time."""
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        for module in BUILTIN_OBJECTIVE_MODULES:
            importlib.import_module(module)
    return _OBJECTIVES


def register_objective(name: str, factory: ObjectiveFactory, help: str = "",
                       options: dict[str, Any] | None = None) -> None:
    """Add objective ``name``; ``options`` maps each option to its default value (and type)."""
    _OBJECTIVES[name] = ObjectiveEntry(factory, help, dict(options or {}))


def objective_names() -> list[str]:
    """Registered objective names in registration order."""
    return list(_registry())


def objective_help(name: str) -> str:
    return _registry()[name].help if name in _registry() else ""


def check_options(kind: str, options: dict[str, Any]) -> None:
    """ValueError naming the option, expected and found, when ``options`` do not fit ``kind``."""
    if kind not in _registry():
        return  # the kind itself is reported by the config's choice check
    schema = _OBJECTIVES[kind].options
    unknown = sorted(set(options) - set(schema))
    if unknown:
        known = ", ".join(schema) or "none"
        raise ValueError(f"unknown option(s) {', '.join(unknown)} for objective '{kind}'; "
                         f"known: {known}")
    for key, value in options.items():
        expected = type(schema[key])
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ValueError(f"'objective.options.{key}' must be {expected.__name__}, "
                             f"found {value!r}")


def objective_options(config: Any) -> dict[str, Any]:
    """The objective's options: its defaults overridden by ``config.objective.options``."""
    entry = _registry()[config.objective.kind]
    return {**entry.options, **config.objective.options}


class Objective:
    """Base class. Subclasses set ``loss_fn`` (the task loss) and override :meth:`step`."""

    name = ""

    def __init__(self, loss_fn: Callable[[Any, Any], Any], module: Any = None) -> None:
        self.loss_fn = loss_fn
        self.module = module  # a torch.nn.Module with the objective's own parameters, or None

    def step(self, model: Any, x: Any, y: Any) -> tuple[Any, Any, dict[str, Any] | None]:
        """(loss, model outputs, named extra terms or None) for one training batch."""
        raise NotImplementedError

    def val_loss_fn(self) -> Callable[[Any, Any], Any]:
        """``(outputs, y) -> loss`` for the validation pass (val_loss)."""
        return self.loss_fn

    def parameters(self) -> list[Any]:
        return list(self.module.parameters()) if self.module is not None else []

    def train(self, mode: bool = True) -> None:
        if self.module is not None:
            self.module.train(mode)

    def state_tensors(self) -> dict[str, Any]:
        """The objective's state as checkpoint tensors, keys prefixed ``objective.``."""
        if self.module is None:
            return {}
        return {STATE_PREFIX + k: v.detach().cpu().clone()
                for k, v in self.module.state_dict().items()}

    def load_state_tensors(self, tensors: dict[str, Any]) -> None:
        """Restore from checkpoint tensors (only the ``objective.`` keys are read)."""
        if self.module is None:
            return
        state = {k[len(STATE_PREFIX):]: v for k, v in tensors.items()
                 if k.startswith(STATE_PREFIX)}
        self.module.load_state_dict(state)


class SupervisedObjective(Objective):
    """``loss_fn(model(x), y)``, plus the config's L1/L2 weight penalty."""

    name = "supervised"

    def __init__(self, loss_fn: Callable[[Any, Any], Any], weights: list[Any], l1: float,
                 l2: float) -> None:
        super().__init__(loss_fn)
        self.weights, self.l1, self.l2 = weights, l1, l2
        if not (l1 or l2):
            self.step = self._plain_step  # type: ignore[method-assign]  # no per-batch test

    def _plain_step(self, model: Any, x: Any, y: Any) -> tuple[Any, Any, None]:
        outputs = model(x)
        return self.loss_fn(outputs, y), outputs, None

    def step(self, model: Any, x: Any, y: Any) -> tuple[Any, Any, None]:
        outputs = model(x)
        return self.loss_fn(outputs, y) + penalty(self.weights, self.l1, self.l2), outputs, None


def penalty(weights: list[Any], l1: float, l2: float) -> Any:
    """``l1 * sum|w| + l2 * sum w^2`` over ``weights``."""
    total = 0.0
    for w in weights:
        if l1:
            total = total + l1 * w.abs().sum()
        if l2:
            total = total + l2 * (w * w).sum()
    return total


def task_loss(config: Any, dataset: Any) -> Callable[[Any, Any], Any]:
    """The config's loss for the dataset's task (what the supervised objective minimizes)."""
    from workbench.train.losses import make_loss
    from workbench.train.task_metrics import task_of

    return make_loss(config, dataset.num_classes, task_of(dataset))


def _supervised(config: Any, dataset: Any, model: Any, device: str) -> Objective:
    weights = [p for p in model.parameters() if p.dim() > 1]
    return SupervisedObjective(task_loss(config, dataset), weights, config.l1, config.l2)


register_objective("supervised", _supervised,
                   help="the network's outputs against the targets with the configured loss")


def make_objective(config: Any, dataset: Any, model: Any, device: str) -> Objective:
    """The objective ``config.objective.kind`` for this run, its own parameters on ``device``."""
    kind = config.objective.kind
    if kind not in _registry():
        raise ValueError(f"unknown objective {kind!r}; known: {', '.join(_OBJECTIVES)}")
    objective = _OBJECTIVES[kind].factory(config, dataset, model, device)
    if objective.module is not None:
        objective.module.to(device)
    return objective

