"""The pieces a layer kind is made of: parameter specs, the layer type, its shape rule result
and its torch builder description. Pure data, no torch; the registry is in ``catalogue.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]

PARAM_KINDS = ("int", "float", "bool", "choice", "shape", "str")


class ShapeError(ValueError):
    """Raised by a shape rule when its inputs do not fit; the message says expected vs found.

    The message leaves out the layer name; the analyzer puts ``"Linear 'fc1' "`` in front.
    """


@dataclass(frozen=True)
class ParamSpec:
    """One layer parameter: its type, default, valid range and a one-line explanation."""

    name: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"parameter '{self.name}': kind must be one of {PARAM_KINDS}, "
                             f"found {self.kind!r}")

    def _range_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" in [{_fmt(self.minimum)}, {_fmt(self.maximum)}]"
        if self.minimum is not None:
            return f" >= {_fmt(self.minimum)}"
        if self.maximum is not None:
            return f" <= {_fmt(self.maximum)}"
        return ""

    def check(self, value: Any) -> str | None:
        """None when ``value`` is valid, else a message naming expected and found."""
        found = f"found {value!r}"
        if self.kind == "int":
            if not _is_int(value):
                return f"'{self.name}' must be an integer{self._range_text()}, {found}"
            return self._check_range(int(value), "an integer")
        if self.kind == "float":
            if not _is_number(value):
                return f"'{self.name}' must be a number{self._range_text()}, {found}"
            return self._check_range(float(value), "a number")
        if self.kind == "bool":
            if not isinstance(value, bool):
                return f"'{self.name}' must be true or false, {found}"
            return None
        if self.kind == "choice":
            if value not in self.choices:
                return f"'{self.name}' must be one of {', '.join(self.choices)}, {found}"
            return None
        if self.kind == "shape":
            if not isinstance(value, (list, tuple)) or not value or not all(
                    _is_int(v) for v in value):
                return f"'{self.name}' must be a non-empty list of integers, {found}"
            for v in value:
                if ((self.minimum is not None and v < self.minimum)
                        or (self.maximum is not None and v > self.maximum)):
                    return (f"'{self.name}' entries must be{self._range_text()}, "
                            f"found {list(value)!r}")
            return None
        if not isinstance(value, str):
            return f"'{self.name}' must be text, {found}"
        return None

    def _check_range(self, value: float, what: str) -> str | None:
        too_small = self.minimum is not None and value < self.minimum
        too_big = self.maximum is not None and value > self.maximum
        if too_small or too_big:
            return f"'{self.name}' must be {what}{self._range_text()}, found {_fmt(value)}"
        return None

    def coerce(self, value: Any) -> Any:
        """A valid value in its canonical Python type (e.g. ``3.0`` -> ``3`` for ints)."""
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            return float(value)
        if self.kind == "shape":
            return [int(v) for v in value]
        return value


@dataclass(frozen=True)
class LayerType:
    """A kind of layer in the catalogue: its parameters, ports and tooltip."""

    name: str
    category: str
    doc: str
    params: tuple[ParamSpec, ...] = ()
    inputs: tuple[str, ...] = ("in",)
    outputs: tuple[str, ...] = ("out",)
    input_dtype: str = "float32"   # the dtype every input must have ("int64" for Embedding)
    variadic_inputs: bool = False  # True: ports in0..in{num_inputs-1} from the num_inputs param

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no parameter '{name}' "
                       f"(parameters: {', '.join(p.name for p in self.params) or 'none'})")

    def input_ports(self, params: dict[str, Any] | None = None) -> tuple[str, ...]:
        """The input port names for these params (Add/Concat: ``in0`` .. ``in{n-1}``)."""
        if not self.variadic_inputs:
            return self.inputs
        resolved = self.resolve_params(params or {})
        count = resolved.get("num_inputs", 2)
        if not _is_int(count) or count < 1:
            count = self.param("num_inputs").default
        return tuple(f"in{i}" for i in range(int(count)))

    def resolve_params(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter with defaults filled in; valid values in canonical types.

        Unknown keys are dropped; invalid values are kept as given (``check_params`` reports
        them).
        """
        params = params or {}
        resolved: dict[str, Any] = {}
        for spec in self.params:
            value = params.get(spec.name, spec.default)
            resolved[spec.name] = spec.coerce(value) if spec.check(value) is None else value
        return resolved

    def check_params(self, params: dict[str, Any] | None = None) -> list[str]:
        """Human messages for wrong types and out-of-range values (empty when all valid)."""
        params = params or {}
        messages = []
        for spec in self.params:
            if spec.name in params:
                message = spec.check(params[spec.name])
                if message:
                    messages.append(message)
        return messages

    def unknown_params(self, params: dict[str, Any] | None = None) -> list[str]:
        known = {p.name for p in self.params}
        return sorted(k for k in (params or {}) if k not in known)


@dataclass(frozen=True)
class LayerShape:
    """What a shape rule returns: output shape, trainable parameter count, MACs, dtype."""

    shape: Shape
    params: int = 0
    macs: int = 0
    dtype: str = "float32"
    warnings: tuple[str, ...] = ()   # valid but worth saying (e.g. not exportable to ONNX)


ShapeRule = Callable[[dict[str, Any], list[Shape]], LayerShape]


_CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}
_BN_DEFAULTS = {"eps": 1e-5, "momentum": 0.1}
_RNN_DEFAULTS = {"num_layers": 1, "bidirectional": False}
# Keyword defaults of torch.nn constructors; generated source leaves these out for readability.
TORCH_DEFAULTS: dict[str, dict[str, Any]] = {
    "Linear": {"bias": True}, "Conv1d": _CONV_DEFAULTS, "Conv2d": _CONV_DEFAULTS,
    "BatchNorm1d": _BN_DEFAULTS, "BatchNorm2d": _BN_DEFAULTS, "LayerNorm": {"eps": 1e-5},
    "LSTM": _RNN_DEFAULTS, "GRU": _RNN_DEFAULTS, "Dropout": {"p": 0.5},
    "LeakyReLU": {"negative_slope": 0.01}, "ELU": {"alpha": 1.0}, "GELU": {"approximate": "none"},
    "MaxPool2d": {"padding": 0}, "AvgPool2d": {"padding": 0},
}


@dataclass
class ModuleCall:
    """A ``torch.nn`` constructor call ``nn.<cls>(*args, **kwargs)`` as data.

    compile builds it with ``getattr(torch.nn, cls)``; codegen prints the same call, so both
    have identical submodules and state_dict keys.
    """

    cls: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def source(self) -> str:
        """``nn.Cls(args, kw=value)``; keyword values equal to torch's defaults are left out."""
        defaults = TORCH_DEFAULTS.get(self.cls, {})
        parts = [repr(a) for a in self.args]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()
                  if k not in defaults or defaults[k] != v or type(defaults[k]) is not type(v)]
        return f"nn.{self.cls}({', '.join(parts)})"

    def build(self) -> Any:
        import torch.nn as nn

        return getattr(nn, self.cls)(*self.args, **self.kwargs)


@dataclass(frozen=True)
class LayerBuilder:
    """How a layer becomes torch code.

    * ``module(params, input_shapes)`` -> :class:`ModuleCall` or None (no submodule);
    * or ``build(params, input_shapes)`` -> an ``nn.Module`` (plugins; no generated source);
    * ``apply(module, inputs, params)`` -> output tensor; default ``module(*inputs)``, or the
      single input when there is no module;
    * ``source(module_expr, input_exprs, params)`` -> the Python expression codegen writes;
      default ``module_expr(inputs...)``.
    """

    module: Callable[[dict[str, Any], list[Shape]], ModuleCall | None] | None = None
    build: Callable[[dict[str, Any], list[Shape]], Any] | None = None
    apply: Callable[[Any, list[Any], dict[str, Any]], Any] | None = None
    source: Callable[[str, list[str], dict[str, Any]], str] | None = None

    def make_module(self, params: dict[str, Any], shapes: list[Shape]) -> Any:
        if self.module is not None:
            call = self.module(params, shapes)
            return None if call is None else call.build()
        if self.build is not None:
            return self.build(params, shapes)
        return None

    def run(self, module: Any, inputs: list[Any], params: dict[str, Any]) -> Any:
        if self.apply is not None:
            return self.apply(module, inputs, params)
        if module is None:
            return inputs[0]
        return module(*inputs)

    def expression(self, module_expr: str, input_exprs: list[str],
                   params: dict[str, Any]) -> str:
        if self.source is not None:
            return self.source(module_expr, input_exprs, params)
        if self.module is None and self.build is None:
            return input_exprs[0]
        return f"{module_expr}({', '.join(input_exprs)})"


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def numel(shape: Shape) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


def fmt_shape(shape: Shape) -> str:
    """``(64,)`` / ``(16, 8, 8)``: how shapes appear in messages."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
