"""Auto-arrange: a layered left-to-right layout of a graph (pure function, no Qt).

Each node's column is the length of the longest path to it from a source; within a column,
nodes are ordered by the mean row of their predecessors (one barycentre sweep), which keeps
branches side by side and residual skips short.
"""

from __future__ import annotations

from workbench.graph.spec import GraphSpec

COLUMN_WIDTH = 260.0
ROW_HEIGHT = 130.0


def layered_positions(spec: GraphSpec, column_width: float = COLUMN_WIDTH,
                      row_height: float = ROW_HEIGHT) -> dict[str, tuple[float, float]]:
    """New (x, y) for every node. Nodes on a cycle are placed after the rest."""
    ids = [n.id for n in spec.nodes]
    preds: dict[str, list[str]] = {i: [] for i in ids}
    succs: dict[str, list[str]] = {i: [] for i in ids}
    for e in spec.edges:
        if e.src in preds and e.dst in preds:
            preds[e.dst].append(e.src)
            succs[e.src].append(e.dst)
    indegree = {i: len(preds[i]) for i in ids}
    ready = [i for i in ids if indegree[i] == 0]
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for nxt in succs[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    order += [i for i in ids if i not in order]  # cycles: keep them visible
    column: dict[str, int] = {}
    for node in order:
        column[node] = max((column[p] + 1 for p in preds[node] if p in column), default=0)
    columns: dict[int, list[str]] = {}
    for node in order:
        columns.setdefault(column[node], []).append(node)
    row: dict[str, float] = {}
    for c in sorted(columns):
        members = columns[c]
        first_seen = {n: i for i, n in enumerate(members)}

        def barycentre(n: str, first_seen: dict[str, int] = first_seen) -> float:
            placed = [row[p] for p in preds[n] if p in row]
            return sum(placed) / len(placed) if placed else float(first_seen[n])

        members.sort(key=barycentre)
        offset = (len(members) - 1) / 2.0
        for i, node in enumerate(members):
            row[node] = i - offset
    return {n: (column[n] * column_width, row[n] * row_height) for n in ids}
