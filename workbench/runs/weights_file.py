"""Safetensors weights files checked before the library sees them, and against the network.

:func:`read_header` validates a file's layout by hand: an 8-byte little-endian header length
that is sane for the file's size and below an absolute cap, a UTF-8 JSON object, and for every
tensor a known dtype, a shape of non-negative integers, and data offsets that match the shape,
stay inside the file and cover its data area exactly. A pickle, random bytes, a truncated copy
or a header that claims 2^62 bytes is refused with one line naming the file and the problem
("…/best.safetensors is not a valid safetensors file: header too large"). Only then does
:func:`load_weights_file` hand the file to ``safetensors``.

:func:`check_fits_module` compares names and shapes with a module's ``state_dict`` and says
which tensor differs in the layer's words ("weights in …/best.safetensors have 64 outputs for
fc3, the network expects 10"); :func:`load_into_module` checks, then loads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from math import prod
from pathlib import Path
from typing import Any

from workbench.runs.file_checks import RunFileError, json_type_name, parse_json, require_inside

HEADER_LENGTH_BYTES = 8
MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2,
               "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}

# words for the dimensions of a layer's tensors: (module class name, tensor name) -> words
_LINEAR = {"weight": ("outputs", "inputs"), "bias": ("outputs",)}
_CONV = {"weight": ("output channels", "input channels", "kernel size", "kernel size"),
         "bias": ("output channels",)}
_NORM = {name: ("features",) for name in ("weight", "bias", "running_mean", "running_var")}
_DIM_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "Linear": _LINEAR, "Conv1d": _CONV, "Conv2d": _CONV, "BatchNorm1d": _NORM,
    "BatchNorm2d": _NORM, "LayerNorm": _NORM, "PReLU": {"weight": ("slopes",)},
    "Embedding": {"weight": ("entries", "dimensions per entry")},
}


class WeightsFileError(RunFileError):
    """A weights file is not valid safetensors, or does not fit the network."""


@dataclass(frozen=True)
class TensorEntry:
    """One tensor as the header describes it."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int


def _invalid(path: Path, problem: str) -> WeightsFileError:
    return WeightsFileError(f"{path} is not a valid safetensors file: {problem}")


def read_header(path: str | Path, folder: str | Path | None = None) -> dict[str, TensorEntry]:
    """The tensors a safetensors file declares, after checking the layout; never loads data.

    With ``folder``, the file must lie inside it (a link out of the run folder is refused).
    """
    path = Path(path)
    if folder is not None:
        require_inside(path, folder)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such weights file")
    if not path.is_file():
        raise WeightsFileError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size < HEADER_LENGTH_BYTES:
        raise _invalid(path, f"{size} bytes is too short for the 8-byte header length "
                             f"(truncated or empty)")
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(HEADER_LENGTH_BYTES))
        if length > MAX_HEADER_BYTES:
            raise _invalid(path, f"header too large (it claims {length:,} bytes; at most "
                                 f"{MAX_HEADER_BYTES:,})")
        if length > size - HEADER_LENGTH_BYTES:
            raise _invalid(path, f"header too large for the file (it claims {length:,} bytes; "
                                 f"the file holds {size - HEADER_LENGTH_BYTES:,} after the "
                                 f"length; truncated?)")
        raw = handle.read(length)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid(path, "the header is not UTF-8 text") from None
    try:
        header = parse_json(text, "the header")
    except RunFileError as exc:
        raise _invalid(path, str(exc)) from None
    if not isinstance(header, dict):
        raise _invalid(path, f"the header is {json_type_name(header)}, not a JSON object")
    return _check_entries(path, header, size - HEADER_LENGTH_BYTES - length)


def _check_entries(path: Path, header: dict[str, Any], data_bytes: int
                   ) -> dict[str, TensorEntry]:
    metadata = header.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
            isinstance(v, str) for v in metadata.values()):
        raise _invalid(path, "'__metadata__' must map names to texts")
    entries: dict[str, TensorEntry] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict):
            raise _invalid(path, f"tensor '{name}' is described by {json_type_name(info)}, "
                                 f"not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPE_BYTES:
            raise _invalid(path, f"tensor '{name}' has dtype {dtype!r}; expected one of "
                                 f"{', '.join(DTYPE_BYTES)}")
        if not isinstance(shape, list) or not all(
                type(d) is int and d >= 0 for d in shape):
            raise _invalid(path, f"tensor '{name}' has shape {shape!r}; expected a list of "
                                 f"non-negative integers")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(type(o) is int and o >= 0 for o in offsets)):
            raise _invalid(path, f"tensor '{name}' has data_offsets {offsets!r}; expected "
                                 f"[begin, end]")
        begin, end = offsets
        expected = prod(shape) * DTYPE_BYTES[dtype]
        if end - begin != expected:
            raise _invalid(path, f"tensor '{name}' ({dtype}, shape {tuple(shape)}) needs "
                                 f"{expected:,} bytes but its offsets span {end - begin:,}")
        if end > data_bytes:
            raise _invalid(path, f"tensor '{name}' ends at byte {end:,} of the data but the "
                                 f"file holds {data_bytes:,} bytes of data (truncated?)")
        entries[name] = TensorEntry(name, dtype, tuple(shape), begin, end)
    position = 0
    for entry in sorted(entries.values(), key=lambda e: (e.begin, e.end)):
        if entry.begin != position:
            problem = "overlaps another" if entry.begin < position else "leaves a gap before it"
            raise _invalid(path, f"tensor '{entry.name}' {problem} (starts at byte "
                                 f"{entry.begin:,}, expected {position:,})")
        position = entry.end
    if position != data_bytes:
        raise _invalid(path, f"the tensors cover {position:,} of the {data_bytes:,} bytes of "
                             f"data (extra bytes at the end)")
    return entries


def load_weights_file(path: str | Path, folder: str | Path | None = None) -> dict[str, Any]:
    """{name: torch tensor} from a safetensors file checked by :func:`read_header` first."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    read_header(path, folder)
    try:
        return load_file(str(path))
    except SafetensorError as exc:  # what the library finds wrong with the file; anything
        raise _invalid(path, str(exc) or type(exc).__name__) from exc  # else is a bug


def check_fits_module(state: dict[str, Any], module: Any, source: str | Path) -> None:
    """WeightsFileError naming the first tensor of ``state`` that does not fit ``module``."""
    module_state = module.state_dict()
    expected = {k: tuple(v.shape) for k, v in module_state.items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    for key, shape in expected.items():
        if key not in found:
            layer = key.rsplit(".", 1)[0]
            raise WeightsFileError(f"weights in {source} have no '{key}', which the network's "
                                   f"layer {layer} needs (weights of a different network?)")
        if found[key] != shape:
            raise WeightsFileError(_shape_message(module, key, found[key], shape, source))
        wanted, held = module_state[key].dtype, state[key].dtype
        if wanted.is_floating_point != held.is_floating_point:
            raise WeightsFileError(f"weights in {source} hold {key} as {held}, the network "
                                   f"expects {wanted} (weights of a different kind of model?)")
    extra = sorted(set(found) - set(expected))
    if extra:
        more = f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""
        raise WeightsFileError(f"weights in {source} hold '{extra[0]}'{more}, which the network "
                               f"has no place for (weights of a different network?)")


def _shape_message(module: Any, key: str, found: tuple[int, ...], expected: tuple[int, ...],
                   source: str | Path) -> str:
    layer, _, tensor = key.rpartition(".")
    try:
        kind = type(module.get_submodule(layer)).__name__ if layer else ""
    except AttributeError:
        kind = ""
    words = _DIM_WORDS.get(kind, {}).get(tensor)
    if words and len(found) == len(expected) <= len(words):
        dim = next(i for i, (a, b) in enumerate(zip(found, expected)) if a != b)
        return (f"weights in {source} have {found[dim]} {words[dim]} for {layer}, the network "
                f"expects {expected[dim]}")
    return (f"weights in {source} have shape {found} for {key}, the network expects "
            f"{expected}")


def load_into_module(module: Any, state: dict[str, Any], source: str | Path) -> None:
    """Check ``state`` against ``module`` (:func:`check_fits_module`), then load it."""
    check_fits_module(state, module, source)
    module.load_state_dict(state)
