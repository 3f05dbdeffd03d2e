"""Quality of familyreach.locate's heuristic stages against exact optima from an independent
full MILP (scipy.optimize.milp / HiGHS on the textbook formulation), on instances HiGHS closes.

    uv run python benchmarks/bench_locate_quality.py

For each instance: the optimum, the heuristic-only result (greedy + swap + Lagrangian bound,
``method="heuristic"``) and its excess over the optimum, the proven gap it reports, and the
default (``auto``) result.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from familyreach.locate import max_coverage, p_median
from locate_instances import random_euclidean


def full_p_median(costs: np.ndarray, weights: np.ndarray, p: int) -> float:
    n, m = costs.shape
    nx = n * m
    c = np.concatenate([(weights[:, None] * costs).ravel(), np.zeros(m)])
    assign = sp.csr_array(
        (np.ones(nx), (np.repeat(np.arange(n), m), np.arange(nx))), shape=(n, nx + m)
    )
    link = sp.hstack(
        [
            sp.eye_array(nx),
            -sp.csr_array((np.ones(nx), (np.arange(nx), np.tile(np.arange(m), n))), shape=(nx, m)),
        ]
    )
    count = sp.csr_array(
        (np.ones(m), (np.zeros(m, dtype=int), nx + np.arange(m))), shape=(1, nx + m)
    )
    integrality = np.concatenate([np.zeros(nx), np.ones(m)])
    result = milp(
        c,
        constraints=[
            LinearConstraint(assign, 1, 1),
            LinearConstraint(link, -np.inf, 0),
            LinearConstraint(count, p, p),
        ],
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 1e-9},
    )
    return float(result.fun)


def full_max_coverage(costs: np.ndarray, weights: np.ndarray, p: int, radius: float) -> float:
    n, m = costs.shape
    cover = sp.csr_array(costs <= radius).astype(float)
    a = sp.hstack([-cover, sp.eye_array(n)])
    count = sp.csr_array(np.concatenate([np.ones(m), np.zeros(n)])[None, :])
    result = milp(
        np.concatenate([np.zeros(m), -weights]),
        constraints=[LinearConstraint(a, -np.inf, 0), LinearConstraint(count, p, p)],
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 1e-9},
    )
    return float(-result.fun)


def main() -> int:
    import os

    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    p_median(*random_euclidean(30, 10), 2)  # warm-up: numba kernels
    print("p-median (random Euclidean, 50 km square, weights 1-99)")
    print(
        f"{'instance':18s} {'optimum':>12s} {'heuristic':>12s} {'excess %':>9s} {'gap %':>8s} {'s':>6s} | {'auto':>12s} {'status':>8s} {'s':>6s}  last stage"
    )
    for n, m, p, seed in [(200, 50, 5, 1), (300, 60, 6, 2), (400, 80, 8, 3), (500, 100, 5, 4)]:
        costs, weights = random_euclidean(n, m, seed)
        optimum = full_p_median(costs, weights, p)
        started = time.perf_counter()
        heuristic = p_median(costs, weights, p, method="heuristic")
        heuristic_seconds = time.perf_counter() - started
        started = time.perf_counter()
        auto = p_median(costs, weights, p)
        auto_seconds = time.perf_counter() - started
        excess = 100 * (heuristic.objective - optimum) / optimum
        print(
            f"{f'{n}x{m} p={p}':18s} {optimum:12.1f} {heuristic.objective:12.1f} {excess:9.4f} "
            f"{100 * heuristic.gap:8.4f} {heuristic_seconds:6.2f} | {auto.objective:12.1f} {auto.status:>8s} {auto_seconds:6.2f}  "
            f"{auto.method.split('+')[-1]}",
            flush=True,
        )
        assert auto.objective <= optimum * (1 + 1e-7) + 1e-6 or not auto.proven_optimal
        assert heuristic.bound <= optimum * (1 + 1e-9)
    print("maximal coverage (radius 4 km)")
    for n, m, p, seed in [(1000, 150, 10, 5), (1500, 200, 15, 6)]:
        costs, weights = random_euclidean(n, m, seed)
        optimum = full_max_coverage(costs, weights, p, 4.0)
        started = time.perf_counter()
        heuristic = max_coverage(costs, weights, p, radius=4.0, method="heuristic")
        heuristic_seconds = time.perf_counter() - started
        started = time.perf_counter()
        auto = max_coverage(costs, weights, p, radius=4.0)
        auto_seconds = time.perf_counter() - started
        shortfall = 100 * (optimum - heuristic.objective) / optimum
        print(
            f"{f'{n}x{m} p={p}':18s} {optimum:12.1f} {heuristic.objective:12.1f} {shortfall:9.4f} "
            f"{'-':>8s} {heuristic_seconds:6.2f} | {auto.objective:12.1f} {auto.status:>8s} {auto_seconds:6.2f}  "
            f"{auto.method.split('+')[-1]}",
            flush=True,
        )
        assert auto.bound >= optimum * (1 - 1e-9)
    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    main()
