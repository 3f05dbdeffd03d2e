"""The maximal-coverage tabu search on its own: from a poor start it must reach the brute-force
optimum on small instances, keep every rule at every step, and repeat itself for a seed."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familyreach.locate import coverage
from familyreach.locate._problem import SiteRules, check_costs, check_rules
from tests.locate.conftest import Instance, euclidean, feasible_sets, instances, satisfies

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def prepare(instance: Instance, radius: float) -> tuple[sp.csr_array, np.ndarray, SiteRules]:
    m = instance.costs.shape[1]
    rules = check_rules(m=m, p=instance.p, **instance.options())  # type: ignore[arg-type]
    cover = coverage._cover_matrix(check_costs(instance.costs), radius, rules)
    return cover, instance.weights, rules


def worst_start(instance: Instance, radius: float) -> np.ndarray:
    """The feasible choice that covers least: the search has everything to do."""
    m = instance.costs.shape[1]
    worst = min(
        feasible_sets(instance),
        key=lambda s: instance.weights[(instance.costs[:, list(s)] <= radius).any(axis=1)].sum(),
    )
    start = np.zeros(m + 1, dtype=bool)
    start[list(worst)] = True
    start[m] = True
    return start


@FAST
@given(instances(), st.floats(3.0, 10.0))
def test_reaches_the_brute_force_optimum_within_the_rules(
    instance: Instance, radius: float
) -> None:
    cover, weights, rules = prepare(instance, radius)
    best = max(
        float(weights[(instance.costs[:, list(s)] <= radius).any(axis=1)].sum())
        for s in feasible_sets(instance)
    )
    start = worst_start(instance, radius)
    value = coverage._covered(cover, weights, start)
    found, covered, iterations = coverage._coverage_tabu_search(
        cover,
        weights,
        rules,
        start,
        value,
        float(weights.sum()),
        seed=3,
        deadline=time.perf_counter() + 60,
    )
    sites = np.flatnonzero(found[: instance.costs.shape[1]]).tolist()
    assert len(sites) == instance.p
    assert satisfies(instance, sites)
    assert covered == pytest.approx(best)
    assert float(weights[(instance.costs[:, sites] <= radius).any(axis=1)].sum()) == pytest.approx(
        best
    )
    assert iterations >= 0


def test_same_seed_same_search() -> None:
    costs, weights = euclidean(12, 400, 60)
    instance = Instance(costs=costs, weights=weights, p=6)
    cover, weights, rules = prepare(instance, 3.0)
    start = np.zeros(61, dtype=bool)
    start[:6] = True
    start[60] = True
    value = coverage._covered(cover, weights, start)
    runs = [
        coverage._coverage_tabu_search(
            cover,
            weights,
            rules,
            start,
            value,
            float(weights.sum()),
            seed=7,
            deadline=time.perf_counter() + 600,
        )
        for _ in range(2)
    ]
    assert np.array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    assert runs[0][2] == runs[1][2]
    assert runs[0][1] > value
