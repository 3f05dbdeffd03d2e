"""p-median under a budget against brute force: optimum, bound and the rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familyreach.locate import p_median
from tests.locate.conftest import euclidean

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _brute(
    costs: np.ndarray,
    weights: np.ndarray,
    prices: np.ndarray,
    budget: float,
    p: int | None,
    groups: list[str] | None = None,
    group_min: int = 0,
) -> float:
    m = costs.shape[1]
    best = np.inf
    sizes = [p] if p is not None else range(1, m + 1)
    for size in sizes:
        for sites in itertools.combinations(range(m), size):
            if prices[list(sites)].sum() > budget + 1e-9:
                continue
            if groups is not None and any(
                sum(1 for j in sites if groups[j] == label) < group_min for label in set(groups)
            ):
                continue
            best = min(best, float(weights @ costs[:, list(sites)].min(axis=1)))
    return best


@FAST
@given(
    seed=st.integers(0, 10_000),
    p=st.sampled_from([None, 2, 3]),
    share=st.floats(0.2, 0.8),
)
def test_matches_brute_force(seed: int, p: int | None, share: float) -> None:
    costs, weights = euclidean(seed, 12, 8)
    prices = np.random.default_rng(seed).choice([4.0, 10.0, 25.0], size=8)
    budget = float(np.sort(prices)[:3].sum() + share * prices.sum() / 3)
    best = _brute(costs, weights, prices, budget, p)
    result = p_median(costs, weights, p, site_costs=prices, budget=budget)
    assert result.proven_optimal
    assert result.objective == pytest.approx(best, rel=1e-9)
    assert result.bound <= result.objective + 1e-9 * result.objective
    assert prices[result.sites].sum() <= budget + 1e-9
    assert result.details["site_cost"] == pytest.approx(prices[result.sites].sum())
    if p is not None:
        assert len(result.sites) == p


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_heuristic_bound_is_a_lower_bound(seed: int) -> None:
    costs, weights = euclidean(seed, 14, 9)
    prices = np.random.default_rng(seed).choice([3.0, 12.0, 30.0], size=9)
    budget = 40.0
    best = _brute(costs, weights, prices, budget, None)
    result = p_median(costs, weights, None, site_costs=prices, budget=budget, method="heuristic")
    assert result.bound <= best + 1e-9 * best
    assert result.objective >= best - 1e-9 * best
    assert prices[result.sites].sum() <= budget + 1e-9


def test_quotas_are_kept_within_the_budget() -> None:
    costs, weights = euclidean(5, 12, 8)
    prices = np.array([10.0, 2.0, 10.0, 2.0, 10.0, 2.0, 10.0, 2.0])
    groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    best = _brute(costs, weights, prices, 16.0, None, groups=groups, group_min=1)
    result = p_median(
        costs, weights, None, site_costs=prices, budget=16.0, groups=groups, group_min=1
    )
    assert result.proven_optimal
    assert result.objective == pytest.approx(best)
    assert {groups[j] for j in result.sites} == {"a", "b"}


def test_a_cheap_site_beside_a_dear_one_is_chosen() -> None:
    # Columns 0 and 1 stand at the same place; 1 costs a fifth of 0. With money for the dear
    # one or for the cheap one and three more, travel is least with the cheap one and more.
    costs, weights = euclidean(7, 30, 6)
    costs[:, 1] = costs[:, 0]
    prices = np.array([50.0, 10.0, 10.0, 10.0, 10.0, 10.0])
    result = p_median(costs, weights, None, site_costs=prices, budget=50.0)
    assert result.proven_optimal
    assert 0 not in result.sites
    assert len(result.sites) >= 4


def test_budget_errors_are_named() -> None:
    costs, weights = euclidean(1, 6, 4)
    prices = np.array([5.0, 5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match="forced open cost"):
        p_median(costs, weights, None, site_costs=prices, budget=4.0, forced_open=[0])
    with pytest.raises(ValueError, match="one value per candidate"):
        p_median(costs, weights, 2, site_costs=prices[:3], budget=10.0)
    with pytest.raises(ValueError, match="within the budget"):
        p_median(costs, weights, 3, site_costs=prices, budget=10.0)
    with pytest.raises(ValueError, match="need a budget"):
        p_median(costs, weights, 2, site_costs=prices)
    with pytest.raises(ValueError, match="may be None only with a budget"):
        p_median(costs, weights, None)


def test_one_per_group_within_a_budget_matches_brute_force() -> None:
    # Minimum = maximum = 1 per group fixes the number of sites at 2 without p.
    costs, weights = euclidean(9, 12, 8)
    prices = np.array([10.0, 2.0, 10.0, 2.0, 10.0, 2.0, 10.0, 2.0])
    groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    best = min(
        float(weights @ costs[:, [i, j]].min(axis=1))
        for i in range(4)
        for j in range(4, 8)
        if prices[i] + prices[j] <= 12.0
    )
    result = p_median(
        costs,
        weights,
        None,
        site_costs=prices,
        budget=12.0,
        groups=groups,
        group_min=1,
        group_max=1,
    )
    assert result.proven_optimal
    assert result.objective == pytest.approx(best)
    assert len(result.sites) == 2
    assert prices[result.sites].sum() <= 12.0
