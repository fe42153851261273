"""Where a run came from: its parent run and how it was made from it, and runs as a tree.

A run's config.json holds ``"lineage"``: ``{}`` for a root run, else a :class:`Lineage` dict.
The parent is stored as the parent folder's NAME when it lies in the same ``runs/`` folder
(so moving a whole project keeps the link) and as an absolute path otherwise;
:func:`parent_path` resolves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.runs.file_checks import RunFileError, json_type_name

RELATIONS = ("resumed-from", "fine-tuned-from", "distilled-from", "pruned-from",
             "quantized-from", "trial-of")
_FIELDS = {"parent": "a text (the parent run folder)", "relation": "a text",
           "study": "a text (the search study name)", "trial": "an integer or null"}


@dataclass(frozen=True)
class Lineage:
    """A run's parent and relation; ``Lineage()`` is a root run."""

    parent: str = ""      # parent run folder: a name in the same runs/ folder, or a path
    relation: str = ""    # one of RELATIONS; "" = no parent (a root run)
    study: str = ""       # search study name (trial-of)
    trial: int | None = None

    @property
    def is_root(self) -> bool:
        return not self.relation

    def to_dict(self) -> dict[str, Any]:
        """``{}`` for a root run; else only the fields that are set."""
        if self.is_root:
            return {}
        out: dict[str, Any] = {"relation": self.relation}
        if self.parent:
            out["parent"] = self.parent
        if self.study:
            out["study"] = self.study
        if self.trial is not None:
            out["trial"] = self.trial
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Lineage:
        """A checked Lineage; ValueError naming what was expected and what was found."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError(f"lineage must be a JSON object, found {json_type_name(data)}")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ValueError(f"lineage: unknown key(s) {', '.join(map(repr, unknown))} "
                             f"(expected: {', '.join(_FIELDS)})")
        for key in ("parent", "relation", "study"):
            if key in data and not isinstance(data[key], str):
                raise ValueError(f"lineage: '{key}' must be {_FIELDS[key]}, found "
                                 f"{json_type_name(data[key])}")
        trial = data.get("trial")
        if trial is not None and (not isinstance(trial, int) or isinstance(trial, bool)):
            raise ValueError(f"lineage: 'trial' must be an integer or null, found "
                             f"{json_type_name(trial)}")
        lineage = cls(parent=data.get("parent", ""), relation=data.get("relation", ""),
                      study=data.get("study", ""), trial=trial)
        lineage._check()
        return lineage

    def _check(self) -> None:
        if self.relation and self.relation not in RELATIONS:
            raise ValueError(f"lineage: relation must be one of {', '.join(RELATIONS)}, "
                             f"found {self.relation!r}")
        if not self.relation and (self.parent or self.study or self.trial is not None):
            raise ValueError("lineage: a parent, study or trial needs a relation (one of "
                             f"{', '.join(RELATIONS)}), found none")
        if self.relation == "trial-of":
            if not (self.parent or self.study):
                raise ValueError("lineage: 'trial-of' needs a parent run or a study name, "
                                 "found neither")
        elif self.relation and not self.parent:
            raise ValueError(f"lineage: '{self.relation}' needs a parent run folder, "
                             f"found none")

    def stored_for(self, run_dir: str | Path) -> Lineage:
        """This lineage as a run at ``run_dir`` records it: the parent as a folder name when it
        is a sibling run folder (same runs/ folder), else as an absolute path."""
        if not self.parent:
            return self
        parent = Path(self.parent)
        if not parent.is_absolute() and len(parent.parts) == 1:
            sibling = Path(run_dir).parent / parent
            if sibling.is_dir():
                return self  # already a name in the same runs/ folder
        parent = parent.expanduser().resolve()
        here = Path(run_dir).resolve().parent
        name = parent.name if parent.parent == here else str(parent)
        return Lineage(parent=name, relation=self.relation, study=self.study, trial=self.trial)


def lineage_of(run: Any) -> Lineage:
    """The lineage recorded in ``run``'s config.json (``Lineage()`` for runs without one);
    RunFileError naming the file when it is malformed."""
    raw = run.config.get("lineage")
    try:
        return Lineage.from_dict(raw or {})
    except ValueError as exc:
        raise RunFileError(f"{run.path / 'config.json'}: {exc}") from None


def parent_path(run: Any) -> Path | None:
    """The parent run folder ``run`` records, resolved (a name is looked up next to the run);
    None for a root run or a trial with only a study."""
    parent = lineage_of(run).parent
    if not parent:
        return None
    path = Path(parent)
    if not path.is_absolute():
        path = Path(run.path).parent / path
    return Path(path).resolve()


def parent_of(run: Any) -> Any:
    """The parent's RunStore, or None when the run is a root or its parent folder is gone."""
    from workbench.runs.run_store import RunStore

    try:
        path = parent_path(run)
    except (RunFileError, FileNotFoundError):
        return None
    if path is None:
        return None
    try:
        return RunStore.open(path)
    except FileNotFoundError:
        return None


def ancestry(run: Any, runs: Iterable[Any] | None = None) -> list[Any]:
    """``run`` and its ancestors, root first. With ``runs``, parents are looked up among them
    (else on disk). Stops at a missing parent and at a link that loops back."""
    known = {_key(r.path): r for r in runs} if runs is not None else None
    chain = [run]
    seen = {_key(run.path)}
    current = run
    while True:
        if known is None:
            parent = parent_of(current)
        else:
            try:
                path = parent_path(current)
            except (RunFileError, FileNotFoundError):
                path = None
            parent = known.get(_key(path)) if path is not None else None
        if parent is None or _key(parent.path) in seen:
            break
        seen.add(_key(parent.path))
        chain.append(parent)
        current = parent
    return chain[::-1]


@dataclass
class TreeNode:
    """One run in the tree: its relation to its parent ("" for a root), its depth, its
    children (oldest first) and a note (e.g. "parent X not found")."""

    run: Any
    relation: str = ""
    depth: int = 0
    children: list[TreeNode] = field(default_factory=list)
    note: str = ""
    parent: Any = None  # the parent's RunStore, None for a root


def build_tree(runs: Iterable[Any]) -> list[TreeNode]:
    """The runs as a forest: roots and every children list ordered by creation time. A run
    whose parent is not among ``runs`` is a root with a note; a loop of parent links is
    broken at its oldest run (also a root with a note)."""
    ordered = sorted(runs, key=lambda r: (r.created, r.path.name))
    keys = [_key(r.path) for r in ordered]  # resolved once: resolving is a few system calls
    by_key = dict(zip(keys, ordered))
    nodes = {key: TreeNode(r) for key, r in zip(keys, ordered)}
    parent_key: dict[Path, Path] = {}
    for key, node in nodes.items():
        try:
            lineage = lineage_of(node.run)
            path = parent_path(node.run)
        except (RunFileError, FileNotFoundError) as exc:
            node.note = f"lineage unreadable: {exc}"
            continue
        node.relation = lineage.relation
        if path is None:
            if lineage.study:
                node.note = f"study {lineage.study}"
            continue
        if path in by_key and path != key:
            parent_key[key] = path
        else:
            node.note = f"parent {path.name} not found"
    roots = [n for k, n in nodes.items() if k not in parent_key]
    for key, node in nodes.items():
        if key in parent_key:
            node.parent = by_key[parent_key[key]]
            nodes[parent_key[key]].children.append(node)
    _set_depths(roots)
    reached = {id(n) for n in walk(roots)}
    for key, node in nodes.items():  # runs on a loop of parent links are reached from no root
        if id(node) not in reached:
            node.note = "parent links loop back; shown as a root"
            nodes[parent_key[key]].children.remove(node)
            node.parent = None
            roots.append(node)
            _set_depths([node])
            reached |= {id(n) for n in walk([node])}
    roots.sort(key=lambda n: (n.run.created, n.run.path.name))
    return roots


def walk(nodes: Iterable[TreeNode]) -> Iterator[TreeNode]:
    """Every node depth-first, parents before their children, in tree order."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def _set_depths(roots: Iterable[TreeNode]) -> None:
    stack = [(node, 0) for node in roots]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)


def _key(path: str | Path) -> Path:
    return Path(path).resolve()
