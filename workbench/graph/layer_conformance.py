"""Conformance checks every registered layer must pass, built-in or plugin (needs torch).

``check_layer_metadata(name)`` checks the catalogue entry (category, tooltip, valid defaults);
``check_layer_against_torch(name, input_shapes, params)`` builds the layer, runs it on random
inputs and checks that its shape rule predicted the output shape and the parameter count
(``sum(p.numel())``), and that codegen's source expression builds the same module. Plugin
authors call these from their own tests with a few representative input shapes.
"""

from __future__ import annotations

from typing import Any

from workbench.graph.catalogue import CATEGORIES, get_builder, get_layer, get_shape_rule
from workbench.graph.layer_type import Shape, fmt_shape


class ConformanceError(AssertionError):
    """A layer whose catalogue entry, shape rule or builder disagree."""


def check_layer_metadata(name: str) -> None:
    """The catalogue entry is complete: category, one-line docs, defaults that pass checks."""
    layer = get_layer(name)
    problems = []
    if layer.name != name:
        problems.append(f"registered as '{name}' but named '{layer.name}'")
    if layer.category not in CATEGORIES:
        problems.append(f"category '{layer.category}' is not one of {', '.join(CATEGORIES)}")
    if not layer.doc or "\n" in layer.doc:
        problems.append("doc must be a one-line tooltip")
    for param in layer.params:
        if not param.doc:
            problems.append(f"parameter '{param.name}' has no doc")
        message = param.check(param.default)
        if message:
            problems.append(f"default of '{param.name}' is invalid: {message}")
    if problems:
        raise ConformanceError(f"layer {name}: " + "; ".join(problems))


def check_layer_against_torch(name: str, input_shapes: list[Shape],
                              params: dict[str, Any] | None = None,
                              input_dtype: str = "float32", batch: int = 2) -> None:
    """Build the layer, run it, and compare with its shape rule (and codegen, if it has one)."""
    import torch
    from torch import nn

    layer = get_layer(name)
    resolved = layer.resolve_params(params or {})
    bad = layer.check_params(resolved)
    if bad:
        raise ConformanceError(f"layer {name}: test params are invalid: {'; '.join(bad)}")
    shapes = [tuple(s) for s in input_shapes]
    predicted = get_shape_rule(name)(resolved, shapes)
    builder = get_builder(name)
    torch.manual_seed(0)
    module = builder.make_module(resolved, shapes)
    feed = shapes or [tuple(predicted.shape)]   # a source layer (Input) is fed its own shape
    if (input_dtype if shapes else predicted.dtype) == "int64":
        inputs = [torch.randint(0, 3, (batch,) + s) for s in feed]
    else:
        inputs = [torch.randn((batch,) + s) for s in feed]
    if module is not None:
        module.eval()
    with torch.no_grad():
        out = builder.run(module, inputs, resolved)
    actual = tuple(out.shape[1:])
    if actual != tuple(predicted.shape):
        raise ConformanceError(f"layer {name} on {', '.join(map(fmt_shape, shapes))}: shape "
                               f"rule says {fmt_shape(tuple(predicted.shape))}, torch gives "
                               f"{fmt_shape(actual)}")
    count = sum(p.numel() for p in module.parameters()) if module is not None else 0
    if count != predicted.params:
        raise ConformanceError(f"layer {name}: shape rule counts {predicted.params} "
                               f"parameters, torch has {count}")
    if builder.module is None and builder.source is None:
        return   # plugin module or identity: no source to compare
    namespace: dict[str, Any] = {"torch": torch, "nn": nn, "self": _Holder(module)}
    names = [f"x{i}" for i in range(len(inputs))]
    namespace.update(zip(names, inputs, strict=True))
    expression = builder.expression("self.m", names, resolved)
    if builder.module is not None and module is not None:
        rebuilt = eval(builder.module(resolved, shapes).source(), namespace)  # noqa: S307
        if type(rebuilt) is not type(module) or set(rebuilt.state_dict()) != set(
                module.state_dict()):
            raise ConformanceError(f"layer {name}: generated constructor builds a different "
                                   "module than compile")
    with torch.no_grad():
        generated = eval(expression, namespace)  # noqa: S307
    if not torch.allclose(generated.float(), out.float(), atol=1e-6):
        raise ConformanceError(f"layer {name}: generated expression {expression!r} gives "
                               "different values than compile")


class _Holder:
    def __init__(self, module: Any) -> None:
        self.m = module
