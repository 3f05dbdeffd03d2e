"""Lagrangian branch-and-bound for the p-median (compiled with numba).

Beasley-style: every node fixes some sites open or closed; its bound is the Lagrangian dual of
the assignment constraints (see docs/locate.md), improved by subgradient ascent warm-started
from the parent's multipliers, then reduced-cost fixing at the node; the Lagrangian site choice
of every node is evaluated as a primal solution. Nodes are explored depth first ("open" child
first) from an explicit stack, in chunks of nodes so that the caller can check its deadline
between chunks. The bound of a node still on the stack is its parent's bound, so when time runs
out ``min(incumbent, bounds of the pending nodes)`` is still a proven lower bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from familyreach.locate._jit import kernel
from familyreach.locate._problem import BoolArray, FloatArray, IntArray

FREE = 0
OPEN = 1
CLOSED = -1


@kernel
def _select(
    rho: FloatArray,
    status: np.ndarray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    chosen: BoolArray,
) -> bool:  # pragma: no cover - compiled
    """The p sites of least total ρ allowed by the node (matroid greedy); False if none."""
    m = rho.size
    groups = group_min.size
    counts = np.zeros(groups, dtype=np.int64)
    total = 0
    for j in range(m):
        chosen[j] = status[j] == OPEN
        if chosen[j]:
            counts[group[j]] += 1
            total += 1
    for g in range(groups):
        if counts[g] > group_max[g]:
            return False
    if total > p:
        return False
    order = np.argsort(rho, kind="mergesort")
    for k in range(m):
        j = order[k]
        if status[j] == FREE and counts[group[j]] < group_min[group[j]]:
            chosen[j] = True
            counts[group[j]] += 1
            total += 1
    for g in range(groups):
        if counts[g] < group_min[g]:
            return False
    for k in range(m):
        if total >= p:
            break
        j = order[k]
        if status[j] == FREE and not chosen[j] and counts[group[j]] < group_max[group[j]]:
            chosen[j] = True
            counts[group[j]] += 1
            total += 1
    return total == p


@kernel
def _objective(
    index: IntArray, cost: FloatArray, weights: FloatArray, chosen: BoolArray
) -> float:  # pragma: no cover - compiled
    n, width = index.shape
    m = chosen.size
    total = 0.0
    for i in range(n):
        if weights[i] == 0.0:
            continue
        found = False
        for k in range(width):
            j = index[i, k]
            if j < m and chosen[j]:
                total += weights[i] * cost[i, k]
                found = True
                break
        if not found:
            return np.inf
    return total


@kernel
def _node_bound(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    status: np.ndarray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    lam: FloatArray,
    cap: FloatArray,
    upper: float,
    iterations: int,
    patience: int,
    state: FloatArray,
    best_lam: FloatArray,
    best_chosen: BoolArray,
    restore: bool,
) -> tuple[float, bool, bool]:  # pragma: no cover - compiled
    """Subgradient ascent at one node. ``state`` holds (step factor, iterations since the
    bound last improved, best bound) and is updated, so that an ascent can continue over
    several calls; ``best_lam`` and ``best_chosen`` receive the best multipliers and their site
    choice; with ``restore`` ``lam`` ends at the best multipliers. Returns (bound, feasible,
    exact) where exact means the Lagrangian choice serves every weighted row exactly once (it
    is then optimal for the node)."""
    n, width = index.shape
    m = status.size
    rho = np.zeros(m)
    chosen = np.zeros(m, dtype=np.bool_)
    theta = state[0]
    since = int(state[1])
    best = state[2]
    tolerance = 1e-9 * max(1.0, abs(upper))
    exact = False
    for _ in range(iterations):
        for j in range(m):
            rho[j] = 0.0
        for i in range(n):
            limit = lam[i]
            wi = weights[i]
            for k in range(width):
                c = cost[i, k]
                if c >= limit:
                    break
                j = index[i, k]
                if j < m:
                    rho[j] += wi * (c - limit)
        for j in range(m):
            if status[j] == CLOSED:
                rho[j] = np.inf
        if not _select(rho, status, group, group_min, group_max, p, chosen):
            return np.inf, False, False
        value = 0.0
        for i in range(n):
            value += weights[i] * lam[i]
        for j in range(m):
            if chosen[j]:
                value += rho[j]
        if value > best + tolerance:
            best = value
            best_lam[:] = lam
            best_chosen[:] = chosen
            since = 0
        else:
            since += 1
            if since >= patience:
                theta /= 2.0
                since = 0
        if best >= upper - tolerance or theta < 1e-4:
            break
        norm = 0.0
        direction = np.zeros(n)
        for i in range(n):
            served = 0
            limit = lam[i]
            for k in range(width):
                if cost[i, k] >= limit:
                    break
                j = index[i, k]
                if j < m and chosen[j]:
                    served += 1
            direction[i] = weights[i] * (1 - served)
            norm += direction[i] * direction[i]
        if norm == 0.0:
            exact = True
            best = value
            best_lam[:] = lam
            best_chosen[:] = chosen
            break
        step = theta * (upper - value) / norm
        for i in range(n):
            lam[i] = min(max(lam[i] + step * direction[i], 0.0), cap[i])
    state[0] = theta
    state[1] = since
    state[2] = best
    if restore:
        lam[:] = best_lam
    return best, True, exact


@kernel
def _fix_by_reduced_cost(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    status: np.ndarray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    lam: FloatArray,
    upper: float,
) -> int:  # pragma: no cover - compiled
    """Fix free sites whose opening (closing) pushes the node's Lagrangian bound above
    ``upper``: one matroid exchange away from the Lagrangian choice, as in
    `_pmedian_methods.reduced_cost_fixing`. Returns how many were fixed (-1 if the node is infeasible)."""
    n, width = index.shape
    m = status.size
    rho = np.zeros(m)
    for i in range(n):
        limit = lam[i]
        for k in range(width):
            c = cost[i, k]
            if c >= limit:
                break
            j = index[i, k]
            if j < m:
                rho[j] += weights[i] * (c - limit)
    score = rho.copy()
    for j in range(m):
        if status[j] == CLOSED:
            score[j] = np.inf
    chosen = np.zeros(m, dtype=np.bool_)
    if not _select(score, status, group, group_min, group_max, p, chosen):
        return -1
    bound = 0.0
    for i in range(n):
        bound += weights[i] * lam[i]
    groups = group_min.size
    counts = np.zeros(groups, dtype=np.int64)
    for j in range(m):
        if chosen[j]:
            bound += rho[j]
            counts[group[j]] += 1
    top_out = np.full(groups, -np.inf)
    low_in = np.full(groups, np.inf)
    for j in range(m):
        if status[j] != FREE:
            continue
        g = group[j]
        if chosen[j]:
            top_out[g] = max(top_out[g], rho[j])
        else:
            low_in[g] = min(low_in[g], rho[j])
    threshold = upper + 1e-9 * max(1.0, abs(upper))
    fixed = 0
    for j in range(m):
        if status[j] != FREE:
            continue
        g = group[j]
        if chosen[j]:
            best_in = np.inf
            for h in range(groups):
                if h == g or (counts[h] < group_max[h] and counts[g] > group_min[g]):
                    best_in = min(best_in, low_in[h])
            if bound - rho[j] + best_in > threshold:
                status[j] = OPEN
                fixed += 1
        else:
            best_out = -np.inf
            for h in range(groups):
                if h == g or (counts[g] < group_max[g] and counts[h] > group_min[h]):
                    best_out = max(best_out, top_out[h])
            if bound + rho[j] - best_out > threshold:
                status[j] = CLOSED
                fixed += 1
    return fixed


@kernel
def _explore(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    cap: FloatArray,
    stack_status: np.ndarray,
    stack_lam: FloatArray,
    stack_bound: FloatArray,
    top: int,
    upper: float,
    incumbent: BoolArray,
    node_budget: int,
    iterations: int,
) -> tuple[int, float, int]:  # pragma: no cover - compiled
    """Process up to ``node_budget`` nodes from the stack. Returns (stack top, upper, nodes)."""
    m = group.size
    chosen = np.zeros(m, dtype=np.bool_)
    nodes = 0
    while top > 0 and nodes < node_budget:
        top -= 1
        nodes += 1
        tolerance = 1e-9 * max(1.0, abs(upper))
        if stack_bound[top] >= upper - tolerance:
            continue
        status = stack_status[top].copy()
        lam = stack_lam[top].copy()
        state = np.array([2.0, 0.0, -np.inf])
        bound, feasible, exact = _node_bound(
            index,
            cost,
            weights,
            status,
            group,
            group_min,
            group_max,
            p,
            lam,
            cap,
            upper,
            iterations,
            20,
            state,
            lam.copy(),
            chosen,
            True,
        )
        if not feasible:
            continue
        value = _objective(index, cost, weights, chosen)
        if value < upper - tolerance:
            upper = value
            incumbent[:] = chosen
            tolerance = 1e-9 * max(1.0, abs(upper))
        if exact or bound >= upper - tolerance:
            continue
        if (
            _fix_by_reduced_cost(
                index, cost, weights, status, group, group_min, group_max, p, lam, upper
            )
            < 0
        ):
            continue
        opened = 0
        free = 0
        for j in range(m):
            if status[j] == OPEN:
                opened += 1
            elif status[j] == FREE:
                free += 1
        if opened > p or opened + free < p:
            continue
        if opened == p or opened + free == p:
            # Every site is decided: evaluate the one choice left, if the quotas allow it.
            for j in range(m):
                if status[j] == FREE:
                    status[j] = OPEN if opened < p else CLOSED
            leaf = np.zeros(m)
            if _select(leaf, status, group, group_min, group_max, p, chosen):
                value = _objective(index, cost, weights, chosen)
                if value < upper - tolerance:
                    upper = value
                    incumbent[:] = chosen
            continue
        # Branch on the free site of the Lagrangian choice that serves the most weight.
        branch = -1
        best_load = -1.0
        load = np.zeros(m)
        n, width = index.shape
        for i in range(n):
            for k in range(width):
                j = index[i, k]
                if j < m and chosen[j]:
                    load[j] += weights[i]
                    break
        for j in range(m):
            if status[j] == FREE and chosen[j] and load[j] > best_load:
                best_load = load[j]
                branch = j
        if branch < 0:
            for j in range(m):
                if status[j] == FREE:
                    branch = j
                    break
        # Push "closed" first so that "open" (the Lagrangian choice) is explored first.
        stack_status[top] = status
        stack_status[top, branch] = CLOSED
        stack_lam[top] = lam
        stack_bound[top] = bound
        top += 1
        stack_status[top] = status
        stack_status[top, branch] = OPEN
        stack_lam[top] = lam
        stack_bound[top] = bound
        top += 1
    return top, upper, nodes


@dataclass(frozen=True)
class Ascent:
    """Best Lagrangian bound found, its multipliers and site choice, iterations used."""

    bound: float
    multipliers: FloatArray
    chosen: BoolArray
    iterations: int
    #: The last few distinct best site choices (starting points for local search).
    choices: list[BoolArray]


def ascend(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    *,
    status: np.ndarray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    start: FloatArray,
    cap: FloatArray,
    upper: float,
    max_iterations: int,
    deadline: float,
    patience: int = 100,
    theta_start: float = 2.0,
    chunk: int = 50,
) -> Ascent:
    """Compiled subgradient ascent (Polyak steps towards ``upper``, the step factor halved
    after ``patience`` iterations without a better bound), in chunks between deadline checks.

    ``index`` entries ≥ ``status.size`` are padding. Every λ gives a valid bound; λ_i is
    clipped to ``[0, cap_i]``.
    """
    m = status.size
    index = np.ascontiguousarray(index)
    cost = np.ascontiguousarray(cost)
    status = status.astype(np.int8)
    lam = np.minimum(np.maximum(start, 0.0), cap).astype(np.float64)
    best_lam = lam.copy()
    best_chosen = np.zeros(m, dtype=bool)
    state = np.array([theta_start, 0.0, -np.inf])
    choices: list[BoolArray] = []
    done = 0
    tolerance = 1e-9 * max(1.0, abs(upper))
    while done < max_iterations:
        steps = min(chunk, max_iterations - done)
        _, feasible, exact = _node_bound(
            index,
            cost,
            weights,
            status,
            group,
            group_min,
            group_max,
            p,
            lam,
            cap,
            upper,
            steps,
            patience,
            state,
            best_lam,
            best_chosen,
            False,
        )
        done += steps
        if not feasible:
            raise ValueError("no feasible site to add: the quotas cannot be met")
        best = float(state[2])
        if best > -np.inf and (not choices or not np.array_equal(choices[-1], best_chosen)):
            choices.append(best_chosen.copy())
            del choices[:-4]
        if exact or best >= upper - tolerance or state[0] < 1e-4:
            break
        if time.perf_counter() > deadline:
            break
    return Ascent(
        bound=float(state[2]),
        multipliers=best_lam,
        chosen=best_chosen,
        iterations=done,
        choices=choices,
    )


@dataclass(frozen=True)
class BranchOutcome:
    """The best site choice found (None if no better than ``upper``), its objective, the
    proven lower bound and whether the search finished (then bound = objective)."""

    is_open: BoolArray | None
    objective: float
    bound: float
    finished: bool
    nodes: int


def branch_and_bound(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    *,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    status: np.ndarray,
    multipliers: FloatArray,
    root_bound: float,
    upper: float,
    deadline_check: Callable[[], bool],
    node_iterations: int = 60,
    root_iterations: int = 3000,
    chunk: int = 50,
) -> BranchOutcome:
    """Depth-first Lagrangian branch and bound (see the module docstring).

    ``index``/``cost`` are the rows' sorted candidate lists over columns ``0..m-1`` (any entry
    ``≥ m`` is a padding that no site serves); ``status`` gives each column FREE, OPEN or
    CLOSED at the root; ``upper`` is the incumbent's objective; ``deadline_check()`` returns True
    when time is up.
    """
    m_all = status.size
    n = index.shape[0]
    # Work on the columns not closed at the root only: renumber them 0..m-1 and drop closed
    # entries from every list (each list keeps its order); the padding is column m.
    columns = np.flatnonzero(status != CLOSED)
    m = columns.size
    renumber = np.full(m_all + 1, m, dtype=np.int64)
    renumber[columns] = np.arange(m)
    compact = renumber[np.minimum(index, m_all)]
    kept = compact < m
    counts = kept.sum(axis=1)
    width = int(counts.max(initial=0)) + 1
    order = np.argsort(~kept, axis=1, kind="stable")[:, :width]
    index = np.take_along_axis(compact, order, axis=1)
    cost = np.take_along_axis(cost, order, axis=1).copy()
    padding = np.arange(width)[None, :] >= counts[:, None]
    index[padding] = m
    cost[padding] = float(cost.max(initial=0.0)) + 1.0
    # λ_i may not exceed the cost of the last entry of its list, so entries missing from the
    # list (none: all open-able columns are kept) or beyond it never count.
    cap = np.ascontiguousarray(cost[:, -1])
    group = np.ascontiguousarray(group[columns])
    status = status[columns]
    depth = int((status == FREE).sum()) + 2
    stack_status = np.zeros((depth + 1, m), dtype=np.int8)
    stack_lam = np.zeros((depth + 1, n))
    stack_bound = np.full(depth + 1, -np.inf)
    index = np.ascontiguousarray(index)
    cost = np.ascontiguousarray(cost)
    status = status.astype(np.int8)
    incumbent = np.zeros(m, dtype=bool)
    found = False
    nodes = 0
    # The root gets a long ascent (slow steps, much patience): a tight root bound fixes many
    # sites and saves far more nodes than it costs.
    lam = np.minimum(multipliers, cap)
    chosen = np.zeros(m, dtype=bool)
    bound, feasible, _ = _node_bound(
        index,
        cost,
        weights,
        status,
        group,
        group_min,
        group_max,
        p,
        lam,
        cap,
        upper,
        root_iterations,
        40,
        np.array([1.0, 0.0, -np.inf]),
        lam.copy(),
        chosen,
        True,
    )
    root_bound = max(root_bound, bound)
    value = _objective(index, cost, weights, chosen) if feasible else np.inf
    if value < upper:
        upper, found = value, True
        incumbent[:] = chosen
    _fix_by_reduced_cost(index, cost, weights, status, group, group_min, group_max, p, lam, upper)
    stack_status[0] = status
    stack_lam[0] = lam
    stack_bound[0] = root_bound
    top = 1
    while top > 0:
        if deadline_check():
            break
        before = upper
        top, upper, done = _explore(
            index,
            cost,
            weights,
            group,
            group_min,
            group_max,
            p,
            cap,
            stack_status,
            stack_lam,
            stack_bound,
            top,
            upper,
            incumbent,
            chunk,
            node_iterations,
        )
        nodes += done
        found |= upper < before
    pending = stack_bound[:top]
    bound = min(upper, float(pending.min())) if top else upper
    full = np.zeros(m_all, dtype=bool)
    full[columns[incumbent]] = True
    return BranchOutcome(
        is_open=full if found else None,
        objective=upper,
        bound=bound,
        finished=top == 0,
        nodes=nodes,
    )
