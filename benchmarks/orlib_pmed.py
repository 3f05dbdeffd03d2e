"""Beasley's OR-Library p-median instances pmed1–pmed40 (see data/orlib-pmed/SOURCES.md).

Each file: ``n edges p`` then one undirected edge ``i j cost`` per line (nodes 1..n). Every node
is both a demand point (weight 1) and a candidate site; costs are shortest-path lengths. When an
edge is listed twice the later line wins, as in Beasley's own reader (pmedinfo: "the last
occurrence ... is taken"); with the smaller one several published optima are not reproduced.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

DATA = Path(__file__).resolve().parent / "data" / "orlib-pmed"

#: Published optimal objectives (OR-Library pmedopt, Beasley 1990).
OPTIMUM = {
    1: 5819, 2: 4093, 3: 4250, 4: 3034, 5: 1355, 6: 7824, 7: 5631, 8: 4445, 9: 2734, 10: 1255,
    11: 7696, 12: 6634, 13: 4374, 14: 2968, 15: 1729, 16: 8162, 17: 6999, 18: 4809, 19: 2845,
    20: 1789, 21: 9138, 22: 8579, 23: 4619, 24: 2961, 25: 1828, 26: 9917, 27: 8307, 28: 4498,
    29: 3033, 30: 1989, 31: 10086, 32: 9297, 33: 4700, 34: 3013, 35: 10400, 36: 9934, 37: 5057,
    38: 11060, 39: 9423, 40: 5128,
}  # fmt: skip


def load(number: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], int]:
    """(costs n × n, weights of ones, p) of instance ``pmed<number>``."""
    lines = (DATA / f"pmed{number}.txt").read_text().split("\n")
    n, _, p = (int(v) for v in lines[0].split())
    edges: dict[tuple[int, int], float] = {}
    for line in lines[1:]:
        parts = line.split()
        if len(parts) != 3:
            continue
        i, j, cost = int(parts[0]) - 1, int(parts[1]) - 1, float(parts[2])
        edges[(min(i, j), max(i, j))] = cost  # the later line wins
    rows = np.array([k[0] for k in edges])
    cols = np.array([k[1] for k in edges])
    graph = sp.csr_array((np.array(list(edges.values())), (rows, cols)), shape=(n, n))
    costs = shortest_path(graph, method="D", directed=False)
    return costs, np.ones(n), p


def large_p(number: int) -> bool:
    """The instances with p ≥ n/10 (21 of 40): the planner's many-venues case."""
    n, _, p = (int(v) for v in (DATA / f"pmed{number}.txt").read_text().split()[:3])
    return 10 * p >= n
