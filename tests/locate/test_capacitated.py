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


def _problem(seed: int, n: int, m: int, p: int) -> tuple:  # type: ignore[type-arg]
    from familyreach.locate._problem import check_problem

    costs, weights = euclidean(seed, n, m)
    checked, w, _, rules = check_problem(
        costs,
        weights,
        p,
        forced_open=None,
        excluded=None,
        groups=None,
        group_min=None,
        group_max=None,
    )
    index, cost = checked.neighbour_lists(rules.allowed)
    return costs, weights, checked, w, rules, index, cost


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_transport_duals_price_the_sites_at_their_cost(seed: int) -> None:
    """The row prices returned with the transport cost are LP duals: the capacitated
    Lagrangian of the same sites at those prices equals the cost (what the dual-guided swap
    search ranks swaps by)."""
    from familyreach.locate import _capacitated as cap

    costs, weights, checked, w, _, index, cost = _problem(seed, 18, 8, 3)
    capacities = np.full(8, 1.2 * weights.sum() / 3)
    sites = np.array([0, 3, 5])
    value, prices = cap.transport_cost(checked, w, capacities, sites)
    assert value == pytest.approx(_split_cost(costs, weights, capacities, [0, 3, 5]), rel=1e-7)
    rho = np.zeros(8)
    cap._site_values(
        index,
        cost,
        w,
        capacities,
        np.zeros(8, dtype=np.int8),
        prices,
        np.zeros(9, dtype=np.int64),
        np.empty(index.size),
        np.empty(index.size, dtype=np.int64),
        rho,
    )
    assert float(w @ prices + rho[sites].sum()) == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_dual_swap_search_improves_to_a_priced_local_optimum(seed: int) -> None:
    import time

    from familyreach.locate import _capacitated as cap

    costs, weights, checked, w, rules, index, cost = _problem(seed, 20, 9, 3)
    capacities = np.full(9, 1.15 * weights.sum() / 3)
    start = np.array([0, 1, 2])
    start_cost = _split_cost(costs, weights, capacities, [0, 1, 2])
    sites, value, moves = cap.dual_swap_search(
        checked, w, 3, rules, capacities, index, cost, start, time.perf_counter() + 60, tries=27
    )
    assert sites is not None
    assert value == pytest.approx(_split_cost(costs, weights, capacities, sites.tolist()))
    assert value <= start_cost + 1e-6
    assert (moves > 0) == (value < start_cost - 1e-6)
    # With every swap allowed a try (27 = 9 × 3), no single swap improves on the result.
    for u in set(range(9)) - set(sites.tolist()):
        for v in sites.tolist():
            trial = sorted(set(sites.tolist()) - {v} | {u})
            assert _split_cost(costs, weights, capacities, trial) >= value - 1e-6 * value


def test_percentile_without_numpy_ma_matches_numpy() -> None:
    from familyreach.locate.pmedian import _percentile_99

    rng = np.random.default_rng(5)
    for size in (1, 2, 3, 99, 100, 101, 800, 1001):
        values = rng.integers(0, 300, size)
        assert _percentile_99(values) == np.percentile(values, 99)
