"""Rebuild a run's trained network: its saved graph compiled, its best (or latest) weights."""

from __future__ import annotations

from typing import Any

from workbench.runs.run_store import RunStore


def load_run_module(run: RunStore) -> tuple[Any, str]:
    """(module in eval mode on the CPU, which weights were loaded)."""
    from workbench.graph.compile import compile_graph
    from workbench.graph.spec import GraphSpec
    from workbench.runs.weights_file import load_into_module

    module = compile_graph(GraphSpec.from_dict(run.config["graph"]))
    state, which = run.load_weights()
    load_into_module(module, state, run.path / which)  # names the tensor that does not fit
    module.eval()
    return module, which
