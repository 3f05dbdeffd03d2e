"""p-median against brute force, bounds, rules, determinism, sparse input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings

from familyreach.locate import evaluate, p_median
from tests.locate.conftest import Instance, brute_p_median, euclidean, instances, satisfies

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances())
def test_matches_brute_force_and_honours_rules(instance: Instance) -> None:
    result = p_median(instance.costs, instance.weights, instance.p, **instance.options())
    best = brute_p_median(instance)
    assert result.proven_optimal
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert result.bound <= result.objective + 1e-9 * max(1.0, result.objective)
    assert len(result.sites) == instance.p
    assert satisfies(instance, result.sites.tolist())
    assert np.all(np.diff(result.sites) > 0)


@FAST
@given(instances())
def test_heuristic_bound_never_exceeds_objective(instance: Instance) -> None:
    result = p_median(
        instance.costs, instance.weights, instance.p, method="heuristic", **instance.options()
    )
    best = brute_p_median(instance)
    assert result.bound <= best + 1e-9 * max(1.0, best)
    assert result.objective >= best - 1e-9 * max(1.0, best)
    assert result.gap >= 0
    assert satisfies(instance, result.sites.tolist())
    if not result.proven_optimal:
        assert result.status in {"feasible", "time_limit"}


@FAST
@given(instances(with_rules=False))
def test_evaluate_reproduces_objective(instance: Instance) -> None:
    result = p_median(instance.costs, instance.weights, instance.p)
    evaluation = evaluate(instance.costs, instance.weights, result.sites, thresholds=[5.0, 10.0])
    assert evaluation.objective == pytest.approx(result.objective)
    assert np.array_equal(evaluation.assignment, result.assignment)
    assert evaluation.load.sum() == pytest.approx(instance.weights.sum())
    assert set(evaluation.coverage) == {5.0, 10.0}
    assert 0 <= evaluation.coverage[5.0] <= evaluation.coverage[10.0] <= 1


def test_medium_instance_is_proven_through_the_exact_stage() -> None:
    costs, weights = euclidean(7, 300, 60)
    result = p_median(costs, weights, 6, method="exact")
    heuristic = p_median(costs, weights, 6, method="heuristic")
    assert result.proven_optimal
    assert result.objective <= heuristic.objective + 1e-6
    assert result.bound == pytest.approx(result.objective)
    assert evaluate(costs, weights, result.sites).objective == pytest.approx(result.objective)


def test_one_per_district_quota_on_a_medium_instance() -> None:
    costs, weights = euclidean(11, 200, 45)
    groups = [f"district{j % 5}" for j in range(45)]
    result = p_median(costs, weights, 5, groups=groups, group_min=1, group_max=1)
    assert result.proven_optimal
    assert sorted(groups[j] for j in result.sites) == [f"district{k}" for k in range(5)]


def test_same_seed_same_result() -> None:
    costs, weights = euclidean(3, 150, 40)
    first = p_median(costs, weights, 5, perturbation_rounds=3, seed=42, method="heuristic")
    second = p_median(costs, weights, 5, perturbation_rounds=3, seed=42, method="heuristic")
    assert np.array_equal(first.sites, second.sites)
    assert first.objective == second.objective
    assert first.bound == second.bound


def test_sparse_and_dense_give_the_same_optimum() -> None:
    costs, weights = euclidean(5, 40, 9)
    dense = p_median(costs, weights, 3)
    sparse = p_median(sp.csr_array(costs), weights, 3)
    assert sparse.objective == pytest.approx(dense.objective)
    assert np.array_equal(sparse.sites, dense.sites)


def test_sparse_nearest_lists_match_dense_when_lists_are_long_enough() -> None:
    costs, weights = euclidean(9, 60, 12)
    k = 6
    keep = np.argsort(costs, axis=1)[:, :k]
    rows = np.repeat(np.arange(60), k)
    sparse = sp.csr_array((costs[rows, keep.ravel()], (rows, keep.ravel())), shape=costs.shape)
    dense = p_median(costs, weights, 4)
    reduced = p_median(sparse, weights, 4)
    assert reduced.proven_optimal
    # The k-nearest model can only be worse (fewer options) and equals dense when every
    # demand's assigned site is within its k nearest, as here.
    assert reduced.objective >= dense.objective - 1e-9
    assigned_rank = (costs < costs[np.arange(60), dense.assignment][:, None]).sum(axis=1)
    if (assigned_rank < k).all():
        assert reduced.objective == pytest.approx(dense.objective)


def test_capacitated_respects_capacities() -> None:
    costs, weights = euclidean(2, 30, 8)
    capacities = np.full(8, weights.sum() / 2.5)
    result = p_median(costs, weights, 3, capacities=capacities)
    assert result.proven_optimal
    uncapacitated = p_median(costs, weights, 3)
    assert result.objective >= uncapacitated.objective - 1e-6
    assert len(result.sites) == 3


def test_capacitated_matches_brute_force() -> None:
    from itertools import combinations

    from scipy.optimize import linprog

    costs, weights = euclidean(4, 12, 6)
    capacities = np.full(6, weights.sum() / 2.2)
    best = np.inf
    for sites in combinations(range(6), 3):
        cols = list(sites)
        n, k = 12, 3
        c = (weights[:, None] * costs[:, cols]).ravel()
        a_eq = np.kron(np.eye(n), np.ones(k))
        a_ub = np.kron(np.ones(n), np.eye(k)) * np.repeat(weights, k)[None, :]
        solution = linprog(c, A_ub=a_ub, b_ub=capacities[cols], A_eq=a_eq, b_eq=np.ones(n))
        if solution.status == 0:
            best = min(best, solution.fun)
    result = p_median(costs, weights, 3, capacities=capacities)
    assert result.objective == pytest.approx(best, rel=1e-7)


def _transport_cost(
    costs: np.ndarray, weights: np.ndarray, capacities: np.ndarray, sites: list[int]
) -> float:
    from scipy.optimize import linprog

    n, k = costs.shape[0], len(sites)
    c = (weights[:, None] * costs[:, sites]).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.kron(np.ones(n), np.eye(k)) * np.repeat(weights, k)[None, :]
    solution = linprog(c, A_ub=a_ub, b_ub=capacities[sites], A_eq=a_eq, b_eq=np.ones(n))
    return float(solution.fun) if solution.status == 0 else float("inf")


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_capacitated_heuristic_is_feasible_and_bounded(seed: int) -> None:
    from itertools import combinations

    costs, weights = euclidean(seed, 14, 7)
    # Tight: three sites must carry all demand with little slack.
    capacities = np.full(7, weights.sum() / 2.6)
    best = min(
        _transport_cost(costs, weights, capacities, list(s)) for s in combinations(range(7), 3)
    )
    result = p_median(costs, weights, 3, capacities=capacities, method="heuristic")
    assert len(result.sites) == 3
    # The objective is the exact split cost of the sites it names, which can carry the demand.
    assert result.objective == pytest.approx(
        _transport_cost(costs, weights, capacities, result.sites.tolist()), rel=1e-7
    )
    assert result.objective >= best - 1e-6
    assert result.bound <= best + 1e-6
    assert "transport-swap" in result.method
    exact = p_median(costs, weights, 3, capacities=capacities)
    assert exact.proven_optimal
    assert exact.objective == pytest.approx(best, rel=1e-7)


def test_capacitated_start_is_repaired_when_the_uncapacitated_sites_cannot_carry_demand() -> None:
    costs, weights = euclidean(3, 20, 8)
    uncapacitated = p_median(costs, weights, 2)
    # The uncapacitated choice gets tiny capacities; two other sites can carry everything.
    capacities = np.full(8, weights.sum())
    capacities[uncapacitated.sites] = 1.0
    result = p_median(costs, weights, 2, capacities=capacities, method="heuristic")
    assert not set(result.sites.tolist()) & set(uncapacitated.sites.tolist())
    assert np.isfinite(result.objective)
    assert result.bound <= result.objective + 1e-9
