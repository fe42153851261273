"""Optimizer state dicts <-> (flat tensors for safetensors, JSON structure). No pickle."""

from __future__ import annotations

from typing import Any

from workbench.runs.file_checks import RunFileError


def flatten_optimizer_state(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``optimizer.state_dict()`` into tensors keyed ``state.<param>.<name>`` and JSON."""
    import torch

    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for param_id, values in state.get("state", {}).items():
        for name, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{param_id}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(param_id), {})[name] = value
    structure = {"param_groups": _jsonable(state.get("param_groups", [])), "scalars": scalars}
    return tensors, structure


def unflatten_optimizer_state(tensors: dict[str, Any], structure: Any,
                              source: str = "the checkpoint") -> dict[str, Any]:
    """Inverse of :func:`flatten_optimizer_state`.

    ``structure`` comes from a checkpoint's JSON, so it is checked: anything that is not what
    :func:`flatten_optimizer_state` writes is a RunFileError naming ``source``.
    """
    _check_structure(structure, source)
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if not key.startswith("state."):
            continue
        parts = key.split(".", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            raise RunFileError(f"{source}: optimizer tensor '{key}' is not named "
                               f"state.<parameter number>.<name>")
        state.setdefault(int(parts[1]), {})[parts[2]] = value
    for param_id, values in structure.get("scalars", {}).items():
        state.setdefault(int(param_id), {}).update(values)
    groups = structure.get("param_groups", [])
    listed = {i for group in groups for i in group["params"]}
    unlisted = sorted(set(state) - listed)
    if unlisted:
        raise RunFileError(f"{source}: the optimizer state is damaged (it holds values for "
                           f"parameter {unlisted[0]}, which no parameter group lists)")
    for group in groups:
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
    return {"state": state, "param_groups": groups}


def _check_structure(structure: Any, source: str) -> None:
    """RunFileError unless ``structure`` has the shape flatten_optimizer_state writes."""
    def bad(what: str) -> RunFileError:
        return RunFileError(f"{source}: the optimizer state is damaged ({what})")

    if not isinstance(structure, dict):
        raise bad(f"expected an object, found {type(structure).__name__}")
    groups = structure.get("param_groups", [])
    if not isinstance(groups, list) or not all(
            isinstance(g, dict) and isinstance(g.get("params"), list)
            and all(type(i) is int for i in g["params"]) for g in groups):
        raise bad("'param_groups' must be a list of groups, each with a 'params' list of "
                  "parameter numbers")
    scalars = structure.get("scalars", {})
    if not isinstance(scalars, dict) or not all(
            k.isdigit() and isinstance(v, dict) for k, v in scalars.items()):
        raise bad("'scalars' must map parameter numbers to objects")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    return value
