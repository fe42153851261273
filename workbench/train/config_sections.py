"""Typed nested sections of TrainConfig, the shared field checks, and live registry choices.

A section is a small dataclass (``ObjectiveConfig``, ``InitConfig``) that validates itself on
construction; ``TrainConfig`` builds it from a plain dict and writes it back as one. Choices that
plugins can extend (loss, optimizer, schedule, objective kind) are :class:`RegistryChoices`: a
read-only sequence that asks the registry each time it is read, so a loss registered after start-up
is offered and accepted.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str,
                           "list[str]": list, "dict[str, Any]": dict}


class RegistryChoices(Sequence[str]):
    """The current names of a registry, read on every access (``fixed`` names first).

    ``RegistryChoices("workbench.train.losses", "loss_names", fixed=("auto",))`` imports the
    module only when read, so config.py never imports the registries at start-up (no cycles).
    """

    def __init__(self, module: str, function: str, fixed: tuple[str, ...] = ()) -> None:
        self.module, self.function, self.fixed = module, function, fixed

    def names(self) -> tuple[str, ...]:
        names = getattr(importlib.import_module(self.module), self.function)()
        return self.fixed + tuple(n for n in names if n not in self.fixed)

    def __getitem__(self, index):  # type: ignore[override]
        return self.names()[index]

    def __len__(self) -> int:
        return len(self.names())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __contains__(self, value: object) -> bool:
        return value in self.names()

    def __repr__(self) -> str:
        return f"RegistryChoices({list(self.names())})"


def opt(default: Any, help: str, **limits: Any) -> Any:
    """A dataclass field with its help text and limits (low, high, low_open, choices)."""
    if isinstance(limits.get("choices"), RegistryChoices):
        limits.setdefault("choices_from", limits["choices"].names)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default),
                     metadata={"help": help, **limits})
    return field(default=default, metadata={"help": help, **limits})


def section(cls: type, help: str) -> Any:
    """A nested section field: metadata ``{"section": True}`` so flag and form generators that
    handle plain values can skip it (``f.metadata.get("section")``)."""
    return field(default_factory=cls, metadata={"help": help, "section": True, "cls": cls})


def check_fields(obj: Any, prefix: str = "") -> None:
    """Type, choice and range checks of every plain field of dataclass ``obj`` (ints become
    floats where a float is expected, tuples lists); errors name ``prefix + field``."""
    for f in dataclasses.fields(obj):
        if f.metadata.get("section"):
            continue
        name, value = prefix + f.name, getattr(obj, f.name)
        type_name = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        expected = _TYPES[type_name]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
            setattr(obj, f.name, value)
        if expected is list and isinstance(value, tuple):
            value = list(value)
            setattr(obj, f.name, value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"'{name}' must be {type_name}, found {value!r}")
        if expected is list and not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{name}' must be a list of strings, found {value!r}")
        if expected is dict and not all(isinstance(k, str) for k in value):
            raise ValueError(f"'{name}' must have string keys, found {value!r}")
        choices = f.metadata.get("choices")
        if choices is not None and value not in choices:
            raise ValueError(f"'{name}' must be one of {', '.join(choices)}, found {value!r}")
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if low is not None:
            open_low = f.metadata.get("low_open", False)
            if not ((low < value) if open_low else (low <= value)) or value > high:
                bounds = (f"greater than {low} and at most {high}" if open_low
                          else f"between {low} and {high}")
                raise ValueError(f"'{name}' must be {bounds}, found {value}")


def build_section(cls: type, data: Any, name: str) -> Any:
    """``cls`` from a dict (unknown keys refused with the known ones), or ``data`` itself when it
    already is one."""
    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"'{name}' must be a dict of settings, found {data!r}")
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(f'{name}.{k}' for k in unknown)}; "
                         f"known in '{name}': {', '.join(known)}")
    return cls(**data)


def _check_objective_options(kind: str, options: dict[str, Any]) -> None:
    from workbench.train.objectives import check_options

    check_options(kind, options)


@dataclass
class ObjectiveConfig:
    """What training minimizes: a registered objective and its own options."""

    kind: str = opt("supervised", "training objective (workbench.train.objectives registry)",
                    choices=RegistryChoices("workbench.train.objectives", "objective_names"))
    options: dict[str, Any] = opt({}, "options of the objective (its own schema)")

    def __post_init__(self) -> None:
        check_fields(self, "objective.")
        _check_objective_options(self.kind, self.options)


@dataclass
class InitConfig:
    """Where the first weights come from (transfer learning) and what is not trained."""

    from_run: str = opt("", "run folder whose weights start this run (\"\" = random init)")
    layers: list[str] = opt([], "node ids to load ([] = every layer that matches)")
    freeze: list[str] = opt([], "node ids whose parameters are not trained")
    freeze_until: str = opt("", "freeze every node up to and including this node id")
    reset_head: bool = opt(False, "do not load the layer feeding the Output")
    lr_scale: float = opt(1.0, "learning-rate multiplier for the layers loaded from the run",
                          low=0.0, high=10.0, low_open=True)
    unfreeze_every: int = opt(0, "every N epochs unfreeze the frozen layer nearest the output "
                              "(0 = never)", low=0, high=100_000)

    def __post_init__(self) -> None:
        check_fields(self, "init.")
        if self.freeze and self.freeze_until:
            raise ValueError("'init.freeze' and 'init.freeze_until' exclude each other, found "
                             f"freeze {self.freeze} and freeze_until {self.freeze_until!r}")

    @property
    def active(self) -> bool:
        """True when this run loads weights or freezes layers."""
        return bool(self.from_run or self.freeze or self.freeze_until)

