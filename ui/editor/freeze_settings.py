"""Frozen layers in a project's training settings (``training["init"]``), as the editor shows
and edits them. Plain data, no Qt: the inspector's Freeze checkbox, the canvas's lock badges and
deleting nodes all go through these functions, so the settings never name a node that is gone.

A layer is frozen when ``init.freeze`` names it, or when ``init.freeze_until`` names it or a
layer after it in the model's topological order (the trainer's rule,
``workbench.train.transfer``). The two settings exclude each other, so toggling one layer while
``freeze_until`` is set first spells ``freeze_until`` out as an explicit ``freeze`` list.
"""

from __future__ import annotations

import copy
from typing import Any

from workbench.graph.shape_inference import Analysis


def init_of(training: dict[str, Any] | None) -> dict[str, Any]:
    """The ``init`` section of a training dict (empty when there is none)."""
    init = (training or {}).get("init")
    return init if isinstance(init, dict) else {}


def trainable_ids(analysis: Analysis) -> list[str]:
    """Nodes of the model (reaching the Output) that have parameters, in topological order."""
    return [n for n in analysis.live if n in analysis.nodes and analysis.nodes[n].params > 0]


def frozen_ids(training: dict[str, Any] | None, analysis: Analysis) -> list[str]:
    """The layers frozen by ``init.freeze`` or ``init.freeze_until``, in topological order
    (explicitly named layers not in the model come last)."""
    init = init_of(training)
    named = [n for n in init.get("freeze") or [] if isinstance(n, str)]
    until = init.get("freeze_until") or ""
    order = list(analysis.live)
    if until and until in order:
        named = order[:order.index(until) + 1]
    frozen = [n for n in order if n in named and n in trainable_ids(analysis)]
    return frozen + [n for n in named if n not in order]


def with_frozen(training: dict[str, Any] | None, analysis: Analysis, node_id: str,
                frozen: bool) -> dict[str, Any]:
    """A copy of ``training`` with ``node_id`` frozen or not (``freeze_until`` spelled out as a
    ``freeze`` list first)."""
    result = copy.deepcopy(training or {})
    init = dict(init_of(result))
    names = [n for n in frozen_ids(result, analysis) if n != node_id]
    if frozen:
        names.append(node_id)
    order = {n: i for i, n in enumerate(analysis.live)}
    init["freeze"] = sorted(names, key=lambda n: order.get(n, len(order)))
    init["freeze_until"] = ""
    result["init"] = init
    return result


def without_missing(training: dict[str, Any] | None, node_ids: set[str]) -> dict[str, Any]:
    """A copy of ``training`` whose ``init`` names only nodes in ``node_ids`` (a deleted node
    leaves ``freeze`` and ``layers``; a deleted ``freeze_until`` node clears it)."""
    result = copy.deepcopy(training or {})
    init = init_of(result)
    if not init:
        return result
    init = dict(init)
    for key in ("freeze", "layers"):
        if isinstance(init.get(key), list):
            init[key] = [n for n in init[key] if n in node_ids]
    if init.get("freeze_until") and init["freeze_until"] not in node_ids:
        init["freeze_until"] = ""
    result["init"] = init
    return result
