"""Reading files a run folder holds without trusting them: links, sizes, JSON, types.

Every JSON file of a run (config.json, checkpoint metadata, summary.json) is read through
:func:`read_json_object`, which refuses a link out of the run folder, a file too large to be
ours, text that is not UTF-8 JSON (nesting 100 000 deep included: a message, never a
RecursionError) and a top level that is not an object. The problems are :class:`RunFileError`,
a ``ValueError`` whose message names the file and says what was expected and what was found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_JSON_BYTES = 256 * 1024 * 1024  # config.json of a 10^6-node graph is ~150 MB

# run config.json: key -> (JSON type the key must hold, words for it)
_CONFIG_TYPES: dict[str, tuple[type, str]] = {
    "graph": (dict, "a JSON object (the network)"),
    "dataset": (dict, "a JSON object (the dataset settings)"),
    "training": (dict, "a JSON object (the training settings)"),
    "preprocessing": (dict, "a JSON object"),
    "class_names": (list, "a list of class names"),
}


class RunFileError(ValueError):
    """A file of a run folder is unusable (corrupt, truncated, wrong kind, a link out)."""


def json_type_name(value: Any) -> str:
    """The JSON word for a Python value's type ('object', 'list', 'number', ...)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return "null" if value is None else type(value).__name__


def require_inside(path: str | Path, folder: str | Path) -> Path:
    """``path`` itself if it (after following links) lies inside ``folder``; else RunFileError.

    A run folder whose best.safetensors or config.json links to /etc/passwd, another user's
    files or a device must not be read as if it were the run's own file.
    """
    path, folder = Path(path), Path(folder)
    try:
        target = path.resolve()
        home = folder.resolve()
    except (OSError, RuntimeError) as exc:  # link loops
        raise RunFileError(f"{path}: cannot follow the link ({exc})") from exc
    if target != home and home not in target.parents:
        raise RunFileError(f"{path} is a link to {target}, outside the run folder {folder}; "
                           f"refusing to read it")
    return path


def read_json_object(path: str | Path, folder: str | Path | None = None,
                     max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The JSON object in ``path``; RunFileError naming the file for anything else.

    With ``folder``, the file must lie inside it (see :func:`require_inside`).
    """
    path = Path(path)
    if folder is not None:
        require_inside(path, folder)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise RunFileError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise RunFileError(f"{path} is {size:,} bytes; a JSON file of a run is at most "
                           f"{max_bytes:,} bytes, so this is not one")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunFileError(f"{path} is not a text (UTF-8 JSON) file: byte {exc.start} is "
                           f"0x{raw[exc.start]:02x}") from None
    data = parse_json(text, str(path))
    if not isinstance(data, dict):
        raise RunFileError(f"{path}: expected a JSON object, found {json_type_name(data)}")
    return data


def parse_json(text: str, source: str) -> Any:
    """``json.loads`` whose failures (including absurd nesting) are RunFileError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunFileError(f"{source} is not valid JSON (line {exc.lineno}, column "
                           f"{exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise RunFileError(f"{source}: JSON nested too deeply to be a Workbench file") from None


class MissingSectionError(RunFileError, KeyError):
    """A section a caller needs is not in the file (a KeyError too, for code that expects one)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RunConfig(dict):  # type: ignore[type-arg]
    """A run's config.json: ``config["graph"]`` on a file without one names the file."""

    source = "config.json"

    def __missing__(self, key: str) -> Any:
        raise MissingSectionError(f"{self.source}: no '{key}' section (found: "
                                  f"{', '.join(sorted(self)) or 'nothing'})")


def check_run_config(config: dict[str, Any], source: str) -> dict[str, Any]:
    """``config`` (as a :class:`RunConfig`) if the sections it has have the right JSON types;
    else RunFileError naming one."""
    for key, (kind, words) in _CONFIG_TYPES.items():
        if key in config and not isinstance(config[key], kind):
            raise RunFileError(f"{source}: '{key}' must be {words}, found "
                               f"{json_type_name(config[key])}")
    names = config.get("class_names")
    if isinstance(names, list) and not all(isinstance(n, str) for n in names):
        raise RunFileError(f"{source}: 'class_names' must be a list of texts")
    checked = RunConfig(config)
    checked.source = source
    return checked


# checkpoint metadata (checkpoints/epoch_NNNN.json): key -> (accepted JSON types, words)
_META_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "epoch": ((int,), "an integer"), "step": ((int,), "an integer"),
    "bad_epochs": ((int,), "an integer"), "train_samples": ((int,), "an integer"),
    "train_seconds": ((int, float), "a number"),
    "best_value": ((int, float, type(None)), "a number or null"),
    "best_epoch": ((int, type(None)), "an integer or null"),
    "plateau": ((dict, type(None)), "an object or null"),
    "optimizer": ((dict,), "an object"),
}


def check_checkpoint_meta(meta: dict[str, Any], source: str) -> dict[str, Any]:
    """``meta`` if its known keys have the JSON types the trainer writes; else RunFileError."""
    for key, (kinds, words) in _META_TYPES.items():
        value = meta.get(key)
        if key in meta and (not isinstance(value, kinds) or isinstance(value, bool)):
            raise RunFileError(f"{source}: '{key}' must be {words}, found "
                               f"{json_type_name(value)}")
    return meta
