"""Project files: one network with its default dataset and training settings.

A project file (``*.wbproj.json``) is plain JSON::

    {"format_version": 1, "name": "...", "graph": <GraphSpec dict>,
     "dataset": <DatasetSpec dict>, "training": <TrainConfig dict>,
     "description": "one line", "note": "text the app shows when the project opens",
     "search": <search space, see workbench/search/space.py>}

The ``training`` dict may be partial: missing keys take the trainer's defaults. ``description``
(one line, shown in lists such as the start page) and ``note`` (a few paragraphs, shown beside
the canvas when the project opens; the lessons use it) are optional and written only when set,
so files without them, older ones included, read and write exactly as before. ``search`` (what
an architecture/hyperparameter search may vary) is optional too and checked against the graph on
load: a bad one is a ProjectError naming what was expected. This module is
torch-free so the GUI can open projects before torch is imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.graph.spec import GraphSpec
from workbench.runs.atomic import atomic_write_text

PROJECT_FORMAT_VERSION = 1


class ProjectError(ValueError):
    """A project file that cannot be read; the message names the file and the problem."""


@dataclass
class Project:
    """A network plus its default dataset and training settings."""

    name: str
    graph: GraphSpec
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    base_dir: Path | None = None
    description: str = ""
    note: str = ""
    search: dict[str, Any] | None = None  # the search space (workbench.search.space), raw JSON

    def resolved_dataset(self) -> dict[str, Any]:
        """The dataset section with a relative ``options.path`` made absolute.

        Relative data paths in a project file are relative to the file's own folder, so a
        project and its CSV can move together.
        """
        dataset = json.loads(json.dumps(self.dataset))
        options = dataset.get("options") or {}
        path = options.get("path")
        if isinstance(path, str) and path and self.base_dir is not None:
            if not Path(path).is_absolute():
                options["path"] = str((self.base_dir / path).resolve())
        return dataset

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": PROJECT_FORMAT_VERSION,
            "name": self.name,
        }
        if self.description:
            data["description"] = self.description
        if self.note:
            data["note"] = self.note
        data.update(graph=self.graph.to_dict(), dataset=dict(self.dataset),
                    training=dict(self.training))
        if self.search is not None:
            data["search"] = json.loads(json.dumps(self.search))
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str = "project") -> Project:
        if not isinstance(data, dict):
            raise ProjectError(f"{source}: expected a JSON object, found {type(data).__name__}")
        version = data.get("format_version", PROJECT_FORMAT_VERSION)
        if not isinstance(version, int) or version > PROJECT_FORMAT_VERSION:
            raise ProjectError(
                f"{source}: project format_version {version!r} is newer than this Workbench "
                f"understands (up to {PROJECT_FORMAT_VERSION})"
            )
        if "graph" not in data:
            raise ProjectError(f"{source}: missing the 'graph' section (found keys: "
                               f"{', '.join(sorted(data)) or 'none'})")
        try:
            graph = GraphSpec.from_dict(data["graph"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProjectError(f"{source}: the 'graph' section is invalid: {exc}") from exc
        dataset = data.get("dataset") or {}
        training = data.get("training") or {}
        for key, value in (("dataset", dataset), ("training", training)):
            if not isinstance(value, dict):
                raise ProjectError(f"{source}: '{key}' must be an object, found "
                                   f"{type(value).__name__}")
        if not isinstance(dataset.get("options") or {}, dict):
            raise ProjectError(f"{source}: the dataset's 'options' must be an object, found "
                               f"{type(dataset['options']).__name__}")
        texts = {}
        for key in ("description", "note"):
            value = data.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ProjectError(f"{source}: '{key}' must be text, found "
                                   f"{type(value).__name__}")
            texts[key] = value
        search = data.get("search")
        if search is not None:
            from workbench.search.space import SearchSpaceError, parse_space

            try:
                parse_space(search, graph, source="'search'")
            except SearchSpaceError as exc:
                raise ProjectError(f"{source}: {exc}") from None
        return cls(name=str(data.get("name") or graph.name), graph=graph,
                   dataset=dict(dataset), training=dict(training), search=search, **texts)


def load_project(path: str | Path) -> Project:
    """Read a project file; raise ProjectError naming the file on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such project file") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path}: not a text (UTF-8 JSON) file; byte {exc.start} is "
                           f"0x{exc.object[exc.start]:02x}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError:
        raise ProjectError(f"{path}: JSON nested too deeply to be a project file") from None
    project = Project.from_dict(data, source=str(path))
    project.base_dir = path.resolve().parent
    return project


def save_project(project: Project, path: str | Path) -> None:
    """Write a project file atomically (the old file stays intact until the new one is whole).

    A data path inside the file's folder is stored relative to it.
    """
    path = Path(path)
    data = project.to_dict()
    data["dataset"] = project.resolved_dataset()
    options = data["dataset"].get("options") or {}
    data_path = options.get("path")
    if isinstance(data_path, str) and data_path and Path(data_path).is_absolute():
        try:
            options["path"] = str(Path(data_path).relative_to(path.resolve().parent))
        except ValueError:
            pass
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")
    project.base_dir = path.resolve().parent
