"""A layered layout of the course graph (Sugiyama's first two steps, small and deterministic).

Layer: the longest chain of prerequisites below a section (foundations in layer 0).
Order within a layer: a few sweeps of the barycenter heuristic (each node moves toward
the mean position of its neighbours in the layer before, then after), starting from
deck and file order, so a deck's sections stay together where edges allow.
"""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Sequence

SWEEPS = 4


def layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's layer; `edges` are (before, after) pairs without cycles."""
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter({n: set() for n in nodes})
    preds: dict[str, list[str]] = defaultdict(list)
    for before, after in edges:
        sorter.add(after, before)
        preds[after].append(before)
    layer: dict[str, int] = {}
    for node in sorter.static_order():
        layer[node] = max((layer[p] + 1 for p in preds[node]), default=0)
    return {n: layer[n] for n in nodes}


def ordered_layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """The nodes layer by layer, each layer ordered to keep edges short and uncrossed."""
    layer_of = layers(nodes, edges)
    rows: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for node in nodes:  # deck and file order to start with
        rows[layer_of[node]].append(node)
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for before, after in edges:
        up[after].append(before)
        down[before].append(after)
    for _ in range(SWEEPS):
        for i in range(1, len(rows)):
            rows[i] = _by_barycenter(rows[i], rows[i - 1], up)
        for i in range(len(rows) - 2, -1, -1):
            rows[i] = _by_barycenter(rows[i], rows[i + 1], down)
    return rows


def _by_barycenter(row: list[str], fixed: list[str], neighbours: dict[str, list[str]]) -> list[str]:
    position = {n: i for i, n in enumerate(fixed)}
    scale = len(row) / max(1, len(fixed))

    def key(item: tuple[int, str]) -> tuple[float, int]:
        index, node = item
        near = [position[n] for n in neighbours[node] if n in position]
        return (sum(near) / len(near) * scale if near else float(index), index)

    return [node for _, node in sorted(enumerate(row), key=key)]
