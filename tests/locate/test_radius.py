"""The radius (covering) formulation with lazy distance levels (`_radius`), against HiGHS on the
full classic model and against brute force; and the lazy imports that keep a cold start cheap."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from scipy.optimize import Bounds, LinearConstraint, milp

from familyreach.locate import _radius, p_median
from familyreach.locate._problem import check_costs, check_rules
from tests.locate.conftest import Instance, brute_p_median, euclidean, instances

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def full_model_optimum(costs: np.ndarray, weights: np.ndarray, p: int) -> float:
    """The textbook p-median MILP over every pair (x_ij ≤ y_j), solved by HiGHS through scipy."""
    n, m = costs.shape
    pairs = n * m
    objective = np.concatenate([(weights[:, None] * costs).ravel(), np.zeros(m)])
    assign = sp.csr_array(
        (np.ones(pairs), (np.repeat(np.arange(n), m), np.arange(pairs))), shape=(n, pairs + m)
    )
    link = sp.hstack(
        [
            sp.eye_array(pairs),
            -sp.csr_array(
                (np.ones(pairs), (np.arange(pairs), np.tile(np.arange(m), n))), shape=(pairs, m)
            ),
        ]
    )
    count = sp.csr_array(
        (np.ones(m), (np.zeros(m, dtype=int), pairs + np.arange(m))), shape=(1, pairs + m)
    )
    result = milp(
        objective,
        constraints=[
            LinearConstraint(assign, 1, 1),
            LinearConstraint(link, -np.inf, 0),
            LinearConstraint(count, p, p),
        ],
        integrality=np.concatenate([np.zeros(pairs), np.ones(m)]),
        bounds=Bounds(0, 1),
    )
    assert result.success
    return float(result.fun)


def graph_instance(seed: int, n: int) -> np.ndarray:
    """Shortest-path costs over a sparse random graph with small integer edge lengths, like
    OR-Library's pmed instances: many ties, so few distance levels per row."""
    from scipy.sparse.csgraph import shortest_path

    rng = np.random.default_rng(seed)
    ring = np.arange(n)
    extra = rng.integers(0, n, (2 * n, 2))
    rows = np.concatenate([ring, extra[:, 0]])
    cols = np.concatenate([(ring + 1) % n, extra[:, 1]])
    lengths = rng.integers(1, 20, rows.size).astype(float)
    graph = sp.csr_array((lengths, (rows, cols)), shape=(n, n))
    return np.asarray(shortest_path(graph, directed=False))


@pytest.mark.parametrize(("seed", "n", "p"), [(1, 40, 8), (2, 50, 15), (3, 36, 12)])
def test_radius_method_matches_highs_on_the_full_model_over_graph_costs(
    seed: int, n: int, p: int
) -> None:
    costs = graph_instance(seed, n)
    weights = np.random.default_rng(seed).integers(1, 10, n).astype(float)
    result = p_median(costs, weights, p, method="radius")
    assert result.objective == pytest.approx(full_model_optimum(costs, weights, p), rel=1e-9)
    assert result.proven_optimal
    assert result.bound == pytest.approx(result.objective, rel=1e-7)


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(4, 60, 30, 6), (5, 45, 25, 9)])
def test_radius_method_matches_highs_on_the_full_model_over_euclidean_costs(
    seed: int, n: int, m: int, p: int
) -> None:
    costs, weights = euclidean(seed, n, m)
    result = p_median(costs, weights, p, method="radius")
    assert result.objective == pytest.approx(full_model_optimum(costs, weights, p), rel=1e-9)
    assert result.proven_optimal


def test_levels_are_added_until_no_row_is_served_beyond_its_radius() -> None:
    # Start every row at its nearest candidate only: the first truncated model undercounts the
    # rows it cannot serve there, so levels must be added before the optimum is proven.
    costs = graph_instance(7, 45)
    weights = np.ones(45)
    p = 6
    rules = check_rules(
        m=45, p=p, forced_open=None, excluded=None, groups=None, group_min=None, group_max=None
    )
    index, cost = check_costs(costs).neighbour_lists(rules.allowed)
    outcome = _radius.radius_exact(
        index,
        cost,
        weights,
        rules,
        p,
        fixed_closed=np.zeros(45, dtype=bool),
        fixed_open=np.zeros(45, dtype=bool),
        incumbent=None,
        radius=cost[:, 0].copy(),
        deadline=float("inf"),
    )
    assert outcome.proven
    assert outcome.rounds > 1
    assert outcome.is_open is not None
    chosen = np.flatnonzero(outcome.is_open[:45])
    assert chosen.size == p
    value = float(weights @ costs[:, chosen].min(axis=1))
    assert value == pytest.approx(full_model_optimum(costs, weights, p), rel=1e-9)
    assert outcome.dual_bound == pytest.approx(value, rel=1e-7)


@FAST
@given(instances())
def test_radius_method_proves_the_brute_force_optimum_with_rules(instance: Instance) -> None:
    result = p_median(
        instance.costs, instance.weights, instance.p, method="radius", **instance.options()
    )
    best = brute_p_median(instance)
    assert result.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert result.proven_optimal


def test_radius_method_over_sparse_costs_never_uses_a_missing_entry() -> None:
    costs, weights = euclidean(8, 40, 20)
    nearest = np.argsort(costs, axis=1)[:, :6]
    rows = np.repeat(np.arange(40), 6)
    sparse = sp.csr_array((costs[rows, nearest.ravel()], (rows, nearest.ravel())), shape=(40, 20))
    result = p_median(sparse, weights, 7, method="radius")
    assert result.proven_optimal
    allowed = sparse.toarray() > 0
    assert all(allowed[i, j] for i, j in enumerate(result.assignment))


def test_auto_proves_a_large_p_graph_instance() -> None:
    costs = graph_instance(9, 60)
    weights = np.ones(60)
    result = p_median(costs, weights, 20)
    assert result.proven_optimal
    assert result.objective == pytest.approx(full_model_optimum(costs, weights, 20), rel=1e-9)


def test_a_dense_p_median_in_a_fresh_process_loads_neither_scipy_sparse_nor_highs() -> None:
    # A command line pays for every import: a small dense p-median must need numpy only
    # (docs/decisions/0010-compiled-kernels.md). numba is absent too when the ahead-of-time
    # kernels are built; without them it is imported on the first kernel call.
    script = (
        "import sys, numpy as np\n"
        "from familyreach.locate import p_median\n"
        "assert 'scipy.sparse' not in sys.modules and 'numba' not in sys.modules\n"
        "rng = np.random.default_rng(0)\n"
        "costs = rng.uniform(0, 10, (60, 20))\n"
        "result = p_median(costs, None, 3)\n"
        "assert result.proven_optimal\n"
        "print(sorted(m for m in ('scipy.sparse', 'highspy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
