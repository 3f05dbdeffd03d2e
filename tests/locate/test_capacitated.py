"""Capacitated p-median: the Lagrangian bound and the exact stage against brute force."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import linprog

from familyreach.locate import p_median
from tests.locate.conftest import euclidean


def _split_cost(
    costs: np.ndarray, weights: np.ndarray, capacities: np.ndarray, sites: list[int]
) -> float:
    n, k = costs.shape[0], len(sites)
    c = (weights[:, None] * costs[:, sites]).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.kron(np.ones(n), np.eye(k)) * np.repeat(weights, k)[None, :]
    solution = linprog(c, A_ub=a_ub, b_ub=capacities[sites], A_eq=a_eq, b_eq=np.ones(n))
    return float(solution.fun) if solution.status == 0 else float("inf")


def _brute(costs: np.ndarray, weights: np.ndarray, capacities: np.ndarray, p: int) -> float:
    return min(
        _split_cost(costs, weights, capacities, list(sites))
        for sites in combinations(range(costs.shape[1]), p)
    )


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_tight_capacities_are_proven_and_the_bound_is_below_the_optimum(seed: int) -> None:
    costs, weights = euclidean(seed, 16, 8)
    # Three sites with 10 % slack between them: capacities bind at every optimum.
    capacities = np.full(8, 1.1 * weights.sum() / 3)
    best = _brute(costs, weights, capacities, 3)
    result = p_median(costs, weights, 3, capacities=capacities)
    assert result.proven_optimal
    assert result.objective == pytest.approx(best, rel=1e-7)
    assert result.bound <= result.objective + 1e-9 * result.objective
    capacitated_bound = result.details["capacitated_lagrangian_bound"]
    assert capacitated_bound <= best + 1e-6 * best
    # The Lagrangian bound alone is close: the strong (knapsack per site) relaxation.
    assert capacitated_bound >= 0.98 * best


@pytest.mark.parametrize("seed", [21, 22])
def test_heuristic_run_reports_a_valid_bound(seed: int) -> None:
    costs, weights = euclidean(seed, 14, 7)
    capacities = np.full(7, 1.05 * weights.sum() / 3)
    best = _brute(costs, weights, capacities, 3)
    result = p_median(costs, weights, 3, capacities=capacities, method="heuristic")
    assert result.bound <= best + 1e-6 * best
    assert result.objective >= best - 1e-6 * best
    assert result.objective == pytest.approx(
        _split_cost(costs, weights, capacities, result.sites.tolist()), rel=1e-7
    )
