"""The network graph spec: nodes, ports and edges as plain, versioned JSON data (no torch).

The spec is the single source of truth for a network: the canvas renders and edits it, search
mutates it, compile turns it into a ``torch.nn.Module``, codegen prints it as PyTorch source.

JSON, format version 2 (current)::

    {"format_version": 2, "name": "mlp",
     "nodes": [{"id": "fc1", "type": "Linear", "params": {"out_features": 64},
                "position": [200.0, 0.0]}, ...],
     "edges": [{"src": "input", "src_port": "out", "dst": "fc1", "dst_port": "in"}, ...]}

Format version 1 (still read, migrated on load by :func:`migrate`):

* edges were ``{"from": "a", "to": "b", "to_port": "in"}``; the source port was always
  ``"out"`` and ``to_port`` could be left out (meaning ``"in"``);
* node positions were separate ``"x"`` and ``"y"`` keys on the node.

A dict without ``format_version`` is read as version 1 when it uses version-1 keys and as the
current version otherwise. A newer version than this code knows is a clear error, never a guess.
"""

from __future__ import annotations

import copy as _copy
import re
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 2
# A graph past these sizes is refused when read (before any work): no network the editor, the
# trainer or a person can use is this big, and a 10^6-node file would take minutes to analyze.
MAX_NODES = 10_000
MAX_EDGES = 4 * MAX_NODES


class SpecError(ValueError):
    """A graph dict that cannot be read; the message says what was expected and found."""


@dataclass
class Node:
    """One layer on the canvas."""

    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "params": _copy.deepcopy(self.params),
                "position": [float(self.position[0]), float(self.position[1])]}

    @classmethod
    def from_dict(cls, d: Any, index: int = 0) -> Node:
        where = f"node #{index}"
        if not isinstance(d, dict):
            raise SpecError(f"{where}: expected an object, found {type(d).__name__}")
        for key in ("id", "type"):
            if not isinstance(d.get(key), str) or not d.get(key):
                raise SpecError(f"{where}: '{key}' must be a non-empty string, found "
                                f"{d.get(key)!r}")
        params = d.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise SpecError(f"node '{d['id']}': 'params' must be an object, found "
                            f"{type(params).__name__}")
        position = d.get("position", (0.0, 0.0))
        if (not isinstance(position, (list, tuple)) or len(position) != 2
                or not all(_is_number(v) for v in position)):
            raise SpecError(f"node '{d['id']}': 'position' must be [x, y] numbers, found "
                            f"{position!r}")
        return cls(id=d["id"], type=d["type"], params=_copy.deepcopy(params),
                   position=(float(position[0]), float(position[1])))


@dataclass
class Edge:
    """A wire from one node's output port to another node's input port."""

    src: str
    dst: str
    src_port: str = "out"
    dst_port: str = "in"

    def to_dict(self) -> dict[str, str]:
        return {"src": self.src, "src_port": self.src_port, "dst": self.dst,
                "dst_port": self.dst_port}

    @classmethod
    def from_dict(cls, d: Any, index: int = 0) -> Edge:
        where = f"edge #{index}"
        if not isinstance(d, dict):
            raise SpecError(f"{where}: expected an object, found {type(d).__name__}")
        values = {}
        for key, default in (("src", None), ("dst", None), ("src_port", "out"),
                             ("dst_port", "in")):
            value = d.get(key, default)
            if not isinstance(value, str) or not value:
                raise SpecError(f"{where}: '{key}' must be a non-empty string, found {value!r}")
            values[key] = value
        return cls(**values)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """``(src, src_port, dst, dst_port)``, the key of ``Analysis.edge_shapes``."""
        return (self.src, self.src_port, self.dst, self.dst_port)


@dataclass
class GraphSpec:
    """A network: layers (nodes) wired by edges. Plain data; see the module docstring."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    name: str = "network"

    def node(self, node_id: str) -> Node:
        """The node with this id; KeyError naming the known ids if there is none."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        known = ", ".join(n.id for n in self.nodes) or "none"
        raise KeyError(f"no node '{node_id}' in graph '{self.name}' (nodes: {known})")

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "name": self.name,
                "nodes": [n.to_dict() for n in self.nodes],
                "edges": [e.to_dict() for e in self.edges]}

    @classmethod
    def from_dict(cls, d: Any) -> GraphSpec:
        """Read a graph dict of any known format version (older ones are migrated)."""
        _check_size(d)
        d = migrate(d)
        nodes = d.get("nodes", [])
        edges = d.get("edges", [])
        for key, value in (("nodes", nodes), ("edges", edges)):
            if not isinstance(value, list):
                raise SpecError(f"graph '{key}' must be a list, found {type(value).__name__}")
        name = d.get("name", "network")
        if not isinstance(name, str):
            raise SpecError(f"graph 'name' must be a string, found {type(name).__name__}")
        return cls(nodes=[Node.from_dict(n, i) for i, n in enumerate(nodes)],
                   edges=[Edge.from_dict(e, i) for i, e in enumerate(edges)], name=name)

    def copy(self) -> GraphSpec:
        """A deep copy; editing it never changes this spec. Built field by field (ids, types,
        ports and names are immutable strings; only params need a deep copy): about 3x
        faster than ``copy.deepcopy`` of the whole spec, which the editor does on every open."""
        return GraphSpec([Node(n.id, n.type, _copy.deepcopy(n.params),
                               (float(n.position[0]), float(n.position[1])))
                          for n in self.nodes],
                         [Edge(e.src, e.dst, e.src_port, e.dst_port) for e in self.edges],
                         self.name)

    def new_node_id(self, type_name: str) -> str:
        """A fresh id for a new node of this type, ``"linear_3"`` style, unique in the graph."""
        base = re.sub(r"[^0-9a-zA-Z_]+", "_", type_name).strip("_").lower() or "node"
        used = {n.id for n in self.nodes}
        index = 1
        while f"{base}_{index}" in used:
            index += 1
        return f"{base}_{index}"


def _check_size(d: Any) -> None:
    """SpecError when a graph dict holds more nodes or edges than any usable network."""
    if not isinstance(d, dict):
        return
    for key, limit in (("nodes", MAX_NODES), ("edges", MAX_EDGES)):
        items = d.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise SpecError(f"the graph has {len(items):,} {key}; the Workbench handles at "
                            f"most {limit:,}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _detect_version(d: dict[str, Any]) -> int:
    if "format_version" in d:
        version = d["format_version"]
        if not isinstance(version, int) or isinstance(version, bool):
            raise SpecError(f"graph 'format_version' must be an integer, found {version!r}")
        return version
    edges = d.get("edges") if isinstance(d.get("edges"), list) else []
    nodes = d.get("nodes") if isinstance(d.get("nodes"), list) else []
    v1_edges = any(isinstance(e, dict) and ("from" in e or "to" in e) for e in edges)
    v1_nodes = any(isinstance(n, dict) and ("x" in n or "y" in n) for n in nodes)
    return 1 if (v1_edges or v1_nodes) else FORMAT_VERSION


def _migrate_v1_to_v2(d: dict[str, Any]) -> dict[str, Any]:
    nodes = []
    for i, n in enumerate(d.get("nodes") or []):
        if not isinstance(n, dict):
            raise SpecError(f"node #{i}: expected an object, found {type(n).__name__}")
        n = dict(n)
        x, y = n.pop("x", 0.0), n.pop("y", 0.0)
        n.setdefault("position", [x, y])
        nodes.append(n)
    edges = []
    for i, e in enumerate(d.get("edges") or []):
        if not isinstance(e, dict):
            raise SpecError(f"edge #{i}: expected an object, found {type(e).__name__}")
        missing = [k for k in ("from", "to") if k not in e]
        if missing:
            raise SpecError(f"edge #{i} (format version 1): missing {', '.join(missing)!s} "
                            f"(found keys: {', '.join(sorted(e)) or 'none'})")
        edges.append({"src": e["from"], "src_port": "out", "dst": e["to"],
                      "dst_port": e.get("to_port") or "in"})
    return {**d, "format_version": 2, "nodes": nodes, "edges": edges}


_MIGRATIONS = {1: _migrate_v1_to_v2}


def migrate(d: Any) -> dict[str, Any]:
    """Bring a graph dict of any older format version up to :data:`FORMAT_VERSION`.

    Returns a new dict (the argument is not changed). Raises :class:`SpecError` for a version
    newer than this code knows, or one that is not a version at all.
    """
    if not isinstance(d, dict):
        raise SpecError(f"a graph must be a JSON object, found {type(d).__name__}")
    version = _detect_version(d)
    if version > FORMAT_VERSION:
        raise SpecError(f"graph format_version {version} is newer than this Workbench "
                        f"understands (up to {FORMAT_VERSION}); update Workbench to open it")
    if version < 1:
        raise SpecError(f"graph format_version {version} is not a known version "
                        f"(known: 1..{FORMAT_VERSION})")
    d = _copy.deepcopy(d)
    while version < FORMAT_VERSION:
        d = _MIGRATIONS[version](d)
        version = d["format_version"]
    d["format_version"] = FORMAT_VERSION
    return d
