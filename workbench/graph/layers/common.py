"""Helpers shared by the shape rules of the built-in layers."""

from __future__ import annotations

from workbench.graph.layer_type import ParamSpec, Shape, ShapeError, fmt_shape

RANK_NAMES = {1: "(F,)", 2: "(T, F)", 3: "(C, H, W)"}


def single(shapes: list[Shape]) -> Shape:
    """The one input shape of a single-input layer."""
    if len(shapes) != 1:
        raise ShapeError(f"expects 1 input, receives {len(shapes)}")
    return shapes[0]


def expect_rank(shape: Shape, rank: int | tuple[int, ...], layout: str) -> None:
    """Raise ShapeError unless ``shape`` has ``rank`` dims (``layout`` like ``"(C, H, W)"``)."""
    ranks = (rank,) if isinstance(rank, int) else rank
    if len(shape) not in ranks:
        hint = ""
        if len(shape) > max(ranks):
            hint = "; add a Flatten before it"
        elif len(shape) == 1 and max(ranks) >= 2:
            hint = "; add a Reshape before it"
        raise ShapeError(f"expects input {layout}, receives {fmt_shape(shape)}{hint}")


def check_dim(dim: int, rank: int, shape: Shape) -> int:
    """Validate a 1-based (or negative) dim over the non-batch dims; return it 0-based."""
    if dim == 0 or not -rank <= dim <= rank:
        valid = f"1..{rank} or -{rank}..-1"
        raise ShapeError(f"has dim {dim}, out of range for input {fmt_shape(shape)} "
                         f"(valid: {valid})")
    return dim - 1 if dim > 0 else rank + dim


def window_out(size: int, kernel: int, stride: int, padding: int, dilation: int,
               axis: str, in_shape: Shape) -> int:
    """Output length of a convolution / pooling window along one axis (floor mode)."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * padding - span) // stride + 1
    if out < 1:
        raise ShapeError(f"kernel {kernel}"
                         + (f" (dilation {dilation})" if dilation != 1 else "")
                         + f" does not fit the input {axis} {size} (padding {padding}) of "
                         f"{fmt_shape(in_shape)}; use a smaller kernel or more padding")
    return out


def int_param(name: str, default: int, minimum: int | None = 1, maximum: int | None = None,
              doc: str = "") -> ParamSpec:
    return ParamSpec(name, "int", default, minimum, maximum, doc=doc)


def float_param(name: str, default: float, minimum: float | None = None,
                maximum: float | None = None, doc: str = "") -> ParamSpec:
    return ParamSpec(name, "float", default, minimum, maximum, doc=doc)


def bool_param(name: str, default: bool, doc: str = "") -> ParamSpec:
    return ParamSpec(name, "bool", default, doc=doc)
