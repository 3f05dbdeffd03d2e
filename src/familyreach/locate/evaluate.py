"""Score a given set of open sites: objective, assignment, loads and coverage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from familyreach.locate._problem import Costs, IntArray, check_costs, check_weights
from familyreach.locate.result import Evaluation, FloatArray


def nearest_open(costs: Costs, open_columns: IntArray) -> tuple[IntArray, FloatArray]:
    """Each row's nearest open column and its cost (-1 and inf when no open column is allowed)."""
    n = costs.n
    assignment = np.full(n, -1, dtype=np.int64)
    assigned = np.full(n, np.inf)
    if open_columns.size == 0:
        return assignment, assigned
    if costs.dense is not None:
        sub = costs.dense[:, open_columns]
        best = np.argmin(sub, axis=1)
        return open_columns[best].astype(np.int64), sub[np.arange(n), best]
    assert costs.sparse is not None
    is_open = np.zeros(costs.m, dtype=bool)
    is_open[open_columns] = True
    index, cost = costs.neighbour_lists(is_open)
    first = index[:, 0]
    served = first < costs.m
    assignment[served] = first[served]
    assigned[served] = cost[served, 0]
    return assignment, assigned


def evaluate(
    costs: Any,
    weights: Any,
    sites: Iterable[int],
    thresholds: Sequence[float] = (),
) -> Evaluation:
    """Evaluate open ``sites`` on a cost matrix.

    Args:
        costs: demand rows × candidate columns, dense array or scipy sparse matrix (a missing
            sparse entry means the pair is not allowed).
        weights: one non-negative weight per demand row (None for all ones).
        sites: the open candidate columns.
        thresholds: costs at which to report the share of weight covered.

    Returns:
        An `Evaluation`: weighted objective, nearest-open assignment and its cost, load per site,
        worst assigned cost and coverage shares.
    """
    checked = check_costs(costs)
    w = check_weights(weights, checked.n)
    columns = np.unique(np.asarray(list(sites), dtype=np.int64))
    if columns.size and (columns[0] < 0 or columns[-1] >= checked.m):
        raise ValueError(f"sites must be column indices in 0..{checked.m - 1}")
    assignment, assigned = nearest_open(checked, columns)
    positive = w > 0
    if np.isinf(assigned[positive]).any():
        objective = float("inf")
    else:
        objective = float(np.dot(w[positive], assigned[positive]))
    load = np.zeros(checked.m)
    served = assignment >= 0
    np.add.at(load, assignment[served], w[served])
    worst = float(assigned[positive].max(initial=0.0))
    total = float(w.sum())
    coverage: dict[float, float] = {}
    covered_weight: dict[float, float] = {}
    for threshold in thresholds:
        value = float(w[assigned <= threshold].sum())
        covered_weight[float(threshold)] = value
        coverage[float(threshold)] = value / total if total > 0 else 1.0
    return Evaluation(
        objective=objective,
        assignment=assignment,
        assigned_cost=assigned,
        load=load,
        worst_cost=worst,
        coverage=coverage,
        covered_weight=covered_weight,
    )
