"""ParamSpec checks and coercion, LayerType ports/params, ModuleCall source."""

from __future__ import annotations

import pytest

from workbench.graph.layer_type import LayerType, ModuleCall, ParamSpec, fmt_shape, numel


@pytest.mark.parametrize("spec, value, message", [
    (ParamSpec("n", "int", 1, 1, 4), 2, None),
    (ParamSpec("n", "int", 1, 1, 4), 2.0, None),
    (ParamSpec("n", "int", 1, 1, 4), 2.5, "'n' must be an integer in [1, 4], found 2.5"),
    (ParamSpec("n", "int", 1, 1, 4), True, "'n' must be an integer in [1, 4], found True"),
    (ParamSpec("n", "int", 1, 1, 4), 5, "'n' must be an integer in [1, 4], found 5"),
    (ParamSpec("r", "float", 0.1, 0.0), -1, "'r' must be a number >= 0, found -1"),
    (ParamSpec("r", "float", 0.1, None, 2.0), float("nan"),
     "'r' must be a number <= 2, found nan"),
    (ParamSpec("b", "bool", True), 1, "'b' must be true or false, found 1"),
    (ParamSpec("c", "choice", "a", choices=("a", "b")), "c", "'c' must be one of a, b, found 'c'"),
    (ParamSpec("s", "shape", [1], 1), [], "'s' must be a non-empty list of integers, found []"),
    (ParamSpec("s", "shape", [1], 1), [2, 3], None),
    (ParamSpec("t", "str", ""), 3, "'t' must be text, found 3"),
])
def test_param_check(spec: ParamSpec, value: object, message: str | None) -> None:
    assert spec.check(value) == message


def test_unknown_param_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        ParamSpec("x", "tensor", 0)


def test_layer_type_resolves_and_keeps_invalid_values_for_reporting() -> None:
    layer = LayerType("L", "Core", "doc", (ParamSpec("n", "int", 3, 1),))
    assert layer.resolve_params({"n": 4.0, "extra": 1}) == {"n": 4}
    assert layer.resolve_params({"n": "x"}) == {"n": "x"}
    assert layer.unknown_params({"n": 1, "extra": 1}) == ["extra"]
    with pytest.raises(KeyError, match="L has no parameter 'm' \\(parameters: n\\)"):
        layer.param("m")


def test_module_call_source_leaves_out_torch_defaults() -> None:
    call = ModuleCall("Conv2d", (1, 8, 3), {"stride": 1, "padding": 1, "bias": True})
    assert call.source() == "nn.Conv2d(1, 8, 3, padding=1)"
    built = call.build()
    assert built.padding == (1, 1) and built.bias is not None
    assert ModuleCall("GELU", (), {"approximate": "tanh"}).source() == \
        "nn.GELU(approximate='tanh')"


def test_shape_helpers() -> None:
    assert fmt_shape((64,)) == "(64,)"
    assert fmt_shape((16, 8, 8)) == "(16, 8, 8)"
    assert numel((2, 3, 4)) == 24 and numel(()) == 1
