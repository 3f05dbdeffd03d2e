"""Maximal coverage, set cover and p-centre against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familyreach.locate import evaluate, max_coverage, p_centre, set_cover
from tests.locate.conftest import Instance, euclidean, feasible_sets, instances, satisfies

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def covered(instance: Instance, sites: tuple[int, ...], radius: float) -> float:
    return float(instance.weights[(instance.costs[:, list(sites)] <= radius).any(axis=1)].sum())


@FAST
@given(instances(), st.floats(3.0, 12.0))
def test_max_coverage_matches_brute_force(instance: Instance, radius: float) -> None:
    result = max_coverage(
        instance.costs, instance.weights, instance.p, radius=radius, **instance.options()
    )
    best = max(covered(instance, s, radius) for s in feasible_sets(instance))
    assert result.proven_optimal
    assert result.objective == pytest.approx(best)
    assert result.bound >= result.objective - 1e-9
    assert satisfies(instance, result.sites.tolist())
    assert len(result.sites) == instance.p
    evaluation = evaluate(instance.costs, instance.weights, result.sites, thresholds=[radius])
    assert evaluation.covered_weight[radius] == pytest.approx(result.objective)
    uncovered = result.assignment < 0
    assert instance.weights[~uncovered].sum() == pytest.approx(result.objective)


@FAST
@given(st.integers(0, 10_000), st.floats(3.0, 12.0))
def test_max_coverage_with_budget_matches_brute_force(seed: int, radius: float) -> None:
    costs, weights = euclidean(seed, 12, 7)
    site_costs = np.random.default_rng(seed).integers(1, 5, 7).astype(float)
    budget = 6.0
    best = 0.0
    for size in range(8):
        for sites in itertools.combinations(range(7), size):
            if site_costs[list(sites)].sum() <= budget:
                value = float(weights[(costs[:, list(sites)] <= radius).any(axis=1)].sum())
                best = max(best, value)
    result = max_coverage(costs, weights, radius=radius, site_costs=site_costs, budget=budget)
    assert result.objective == pytest.approx(best)
    assert result.bound >= result.objective - 1e-9
    assert site_costs[result.sites].sum() <= budget + 1e-9


@FAST
@given(instances(with_rules=False), st.floats(8.0, 20.0), st.booleans())
def test_set_cover_matches_brute_force(instance: Instance, radius: float, priced: bool) -> None:
    m = instance.costs.shape[1]
    if not (instance.costs <= radius).any(axis=1).all():
        with pytest.raises(ValueError, match="no allowed candidate within radius"):
            set_cover(instance.costs, radius=radius)
        return
    price = np.arange(1, m + 1, dtype=float) if priced else np.ones(m)
    best = min(
        price[list(s)].sum()
        for size in range(1, m + 1)
        for s in itertools.combinations(range(m), size)
        if (instance.costs[:, list(s)] <= radius).any(axis=1).all()
    )
    result = set_cover(instance.costs, radius=radius, site_costs=price if priced else None)
    assert result.proven_optimal
    assert result.objective == pytest.approx(best)
    assert result.bound <= result.objective + 1e-9
    assert (result.assignment >= 0).all()


@FAST
@given(instances())
def test_p_centre_matches_brute_force(instance: Instance) -> None:
    result = p_centre(instance.costs, instance.weights, instance.p, **instance.options())
    best = min(instance.costs[:, list(s)].min(axis=1).max() for s in feasible_sets(instance))
    assert result.proven_optimal
    assert result.objective == pytest.approx(best)
    assert result.bound <= result.objective + 1e-12
    assert satisfies(instance, result.sites.tolist())
    assert evaluate(instance.costs, instance.weights, result.sites).worst_cost == pytest.approx(
        result.objective
    )


def test_coverage_models_agree_on_sparse_and_dense() -> None:
    costs, weights = euclidean(21, 40, 9)
    sparse = sp.csr_array(costs)
    assert max_coverage(sparse, weights, 3, radius=6.0).objective == pytest.approx(
        max_coverage(costs, weights, 3, radius=6.0).objective
    )
    assert p_centre(sparse, weights, 3).objective == pytest.approx(
        p_centre(costs, weights, 3).objective
    )
    assert set_cover(sparse, radius=15.0).objective == set_cover(costs, radius=15.0).objective


def test_max_coverage_same_seed_same_result() -> None:
    costs, weights = euclidean(8, 300, 80)
    first = max_coverage(costs, weights, 6, radius=3.0, seed=5, method="heuristic")
    second = max_coverage(costs, weights, 6, radius=3.0, seed=5, method="heuristic")
    assert np.array_equal(first.sites, second.sites)
    assert first.objective == second.objective


def test_set_cover_with_quota_and_forced_site() -> None:
    costs, weights = euclidean(13, 30, 8)
    groups = ["a", "a", "a", "b", "b", "b", "c", "c"]
    result = set_cover(
        costs, weights, radius=30.0, groups=groups, group_min={"c": 1}, forced_open=[0]
    )
    assert 0 in result.sites
    assert any(groups[j] == "c" for j in result.sites)
    assert result.proven_optimal
