"""The Lagrangian branch and bound (the exact stage of `p_median` for small candidate sets)
against brute force, from a root that knows nothing (no fixing, a poor incumbent)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from familyreach.locate import _branch as branching
from familyreach.locate import p_median
from familyreach.locate._problem import check_costs, check_rules
from tests.locate.conftest import Instance, brute_p_median, euclidean, instances, satisfies

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def search(instance: Instance, upper: float) -> branching.BranchOutcome:
    m = instance.costs.shape[1]
    rules = check_rules(m=m, p=instance.p, **instance.options())
    index, cost = check_costs(instance.costs).neighbour_lists(rules.allowed)
    status = np.zeros(m, dtype=np.int8)
    status[~rules.allowed] = branching.CLOSED
    status[rules.forced] = branching.OPEN
    return branching.branch_and_bound(
        index,
        cost,
        instance.weights,
        group=rules.group,
        group_min=rules.group_min,
        group_max=rules.group_max,
        p=instance.p,
        status=status,
        multipliers=np.zeros(instance.costs.shape[0]),
        root_bound=-np.inf,
        upper=upper,
        deadline_check=lambda: False,
        node_iterations=10,
        root_iterations=10,
    )


@FAST
@given(instances())
def test_proves_the_brute_force_optimum_with_rules(instance: Instance) -> None:
    best = brute_p_median(instance)
    # Start from an incumbent 10 % worse than the optimum: the search must find the optimum.
    outcome = search(instance, upper=1.1 * best + 1.0)
    assert outcome.finished
    assert outcome.is_open is not None
    sites = np.flatnonzero(outcome.is_open).tolist()
    assert len(sites) == instance.p
    assert satisfies(instance, sites)
    value = float(instance.weights @ instance.costs[:, sites].min(axis=1))
    assert value == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert outcome.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert outcome.bound == pytest.approx(best, rel=1e-9, abs=1e-9)


@FAST
@given(instances())
def test_an_optimal_incumbent_is_proven_and_kept(instance: Instance) -> None:
    best = brute_p_median(instance)
    outcome = search(instance, upper=best)
    assert outcome.finished
    assert outcome.bound == pytest.approx(best, rel=1e-9, abs=1e-9)
    # Nothing strictly better exists, so no new incumbent may be reported.
    assert outcome.is_open is None or outcome.objective >= best - 1e-9 * max(1.0, best)


def test_a_stopped_search_reports_a_valid_bound() -> None:
    costs, weights = euclidean(21, 60, 25)
    instance = Instance(costs=costs, weights=weights, p=6)
    rules = check_rules(m=25, p=6, **instance.options())
    index, cost = check_costs(costs).neighbour_lists(rules.allowed)
    exact = p_median(costs, weights, 6)
    assert exact.proven_optimal
    calls = iter(range(3))
    outcome = branching.branch_and_bound(
        index,
        cost,
        weights,
        group=rules.group,
        group_min=rules.group_min,
        group_max=rules.group_max,
        p=6,
        status=np.zeros(25, dtype=np.int8),
        multipliers=np.zeros(60),
        root_bound=-np.inf,
        upper=2 * exact.objective,
        # Time runs out after two chunks of nodes.
        deadline_check=lambda: next(calls, 99) >= 2,
        node_iterations=5,
        root_iterations=5,
        chunk=1,
    )
    assert outcome.nodes <= 2
    assert outcome.bound <= exact.objective + 1e-9 * exact.objective
    assert outcome.objective >= exact.objective - 1e-9 * exact.objective


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(4, 200, 50, 7), (13, 150, 40, 5)])
def test_p_median_proves_by_branching_what_the_lagrangian_leaves_open(
    seed: int, n: int, m: int, p: int
) -> None:
    # On these instances the Lagrangian bound alone leaves a gap; branching closes it.
    costs, weights = euclidean(seed, n, m)
    result = p_median(costs, weights, p)
    assert "lagrangian-branch-and-bound" in result.method
    assert result.details["branch_nodes"] >= 1
    assert result.proven_optimal
    assert result.bound == pytest.approx(result.objective, rel=1e-9)
    heuristic = p_median(costs, weights, p, method="heuristic")
    assert heuristic.bound < result.bound
    # An independent exact route: HiGHS on the reduced MILP.
    exact = p_median(costs, weights, p, method="exact")
    assert exact.proven_optimal
    assert result.objective == pytest.approx(exact.objective, rel=1e-9)
