"""p-median internals: greedy, fast swap local search, Lagrangian bound, reduced exact MILP.

All work on *neighbour lists*: for each demand row its candidates sorted by cost, shape (n, K),
padded with a dummy column ``m`` that is always open and costs more than any real assignment
(see `Costs.neighbour_lists`). ``is_open`` masks therefore have length ``m + 1``.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

import numpy as np

from familyreach.locate import _branch as branching
from familyreach.locate._highs import solve_milp
from familyreach.locate._problem import (
    BoolArray,
    FloatArray,
    IntArray,
    SiteRules,
    select_cheapest,
)
from familyreach.locate._swap import aggregate_pairs, best_swap


@dataclass(frozen=True)
class Nearest:
    """Each row's nearest and second-nearest open entries (positions in its list)."""

    pos1: IntArray
    pos2: IntArray
    d1: FloatArray
    d2: FloatArray
    a1: IntArray


def nearest_two(index: IntArray, cost: FloatArray, is_open: BoolArray) -> Nearest:
    n, width_all = index.shape
    rows = np.arange(n)
    width = min(width_all, 48)
    pos1 = np.empty(n, dtype=np.int64)
    pos2 = np.empty(n, dtype=np.int64)
    todo = rows
    while True:
        sub = is_open[index[todo, :width]]
        p1 = sub.argmax(axis=1)
        sub[np.arange(todo.size), p1] = False
        p2 = sub.argmax(axis=1)
        good = sub[np.arange(todo.size), p2]
        pos1[todo[good]] = p1[good]
        pos2[todo[good]] = p2[good]
        todo = todo[~good]
        if todo.size == 0 or width == width_all:
            break
        width = min(width_all, width * 4)
    return Nearest(
        pos1=pos1,
        pos2=pos2,
        d1=cost[rows, pos1],
        d2=cost[rows, pos2],
        a1=index[rows, pos1],
    )


def objective_of(
    index: IntArray, cost: FloatArray, weights: FloatArray, is_open: BoolArray
) -> float:
    near = nearest_two(index, cost, is_open)
    return float(np.dot(weights, near.d1))


def greedy(
    index: IntArray, cost: FloatArray, weights: FloatArray, rules: SiteRules, p: int
) -> BoolArray:
    """Add sites one at a time, each time the one that saves most weighted travel.

    Lazy evaluation (Minoux): savings only shrink as sites open, so a site's last computed
    saving is an upper bound; only the top of a heap is recomputed, from its column of the
    cost lists. Ties go to the lowest column, as a plain argmax would.
    """
    n, width = index.shape
    m = rules.m
    rows = np.repeat(np.arange(n), width)
    flat_index = index.ravel()
    real = flat_index < m
    order = np.argsort(flat_index[real], kind="stable")
    column_rows = rows[real][order]
    column_costs = cost.ravel()[real][order]
    column_start = np.searchsorted(flat_index[real][order], np.arange(m + 1))
    is_open = np.zeros(m + 1, dtype=bool)
    is_open[:m] = rules.forced
    is_open[m] = True
    near = nearest_two(index, cost, is_open)
    d1 = near.d1.copy()

    def saving(u: int) -> float:
        r = column_rows[column_start[u] : column_start[u + 1]]
        c = column_costs[column_start[u] : column_start[u + 1]]
        return float(np.dot(weights[r], np.maximum(d1[r] - c, 0.0)))

    heap = [(-saving(u), u) for u in np.flatnonzero(rules.allowed & ~is_open[:m]).tolist()]
    heapq.heapify(heap)
    fresh = {u: True for _, u in heap}
    while int(is_open[:m].sum()) < p:
        room = room_to_add(rules, is_open, p)
        while heap:
            _, u = heapq.heappop(heap)
            if not room[u]:
                continue  # a group that is full stays full
            if fresh[u]:
                break
            fresh[u] = True
            heapq.heappush(heap, (-saving(u), u))
        else:
            raise ValueError("no feasible site to add: the quotas cannot be met")
        is_open[u] = True
        r = column_rows[column_start[u] : column_start[u + 1]]
        c = column_costs[column_start[u] : column_start[u + 1]]
        d1[r] = np.minimum(d1[r], c)
        fresh = dict.fromkeys(fresh, False)
    return is_open


def room_to_add(rules: SiteRules, is_open: BoolArray, p: int) -> BoolArray:
    """Columns whose group may still take a site without making the minimums unreachable."""
    if not rules.has_quotas:
        return np.ones(rules.m, dtype=bool)
    counts = rules.counts(is_open)
    slots = p - int(is_open[: rules.m].sum())
    short = counts < rules.group_min
    deficit = int(np.maximum(rules.group_min - counts, 0).sum())
    group_ok = (counts < rules.group_max) & (slots - 1 >= deficit - short.astype(np.int64))
    return np.asarray(group_ok[rules.group], dtype=bool)


def local_search(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    rules: SiteRules,
    is_open: BoolArray,
    deadline: float,
) -> tuple[BoolArray, float, int, bool]:
    """Best-improvement swap search (Teitz–Bart moves, Resende–Werneck bookkeeping).

    Returns the local optimum, its objective, the number of swaps and whether the deadline
    stopped it.
    """
    is_open = is_open.copy()
    m = rules.m
    swaps = 0
    while True:
        near = nearest_two(index, cost, is_open)
        objective = float(np.dot(weights, near.d1))
        if time.perf_counter() > deadline:
            return is_open, objective, swaps, True
        width = int(near.pos2.max()) + 1
        positions = np.arange(width)[None, :]
        sub_index = index[:, :width]
        sub_cost = cost[:, :width]
        before_first = positions < near.pos1[:, None]
        gain = np.bincount(
            sub_index[before_first],
            weights=(weights[:, None] * (near.d1[:, None] - sub_cost))[before_first],
            minlength=m + 1,
        )
        loss = np.bincount(near.a1, weights=weights * (near.d2 - near.d1), minlength=m + 1)
        before_second = (positions < near.pos2[:, None]) & (positions != near.pos1[:, None])
        value = weights[:, None] * (near.d2[:, None] - np.maximum(sub_cost, near.d1[:, None]))
        keep = before_second & (value > 0)
        extra_in, extra_out, extra_value = aggregate_pairs(
            sub_index[keep],
            np.broadcast_to(near.a1[:, None], sub_index.shape)[keep],
            value[keep],
            m + 1,
        )
        u, v, profit = best_swap(
            gain=gain,
            loss=loss,
            extra_in=extra_in,
            extra_out=extra_out,
            extra_value=extra_value,
            is_open=is_open,
            rules=rules,
        )
        if u < 0 or profit <= 1e-10 * max(1.0, abs(objective)):
            return is_open, objective, swaps, False
        if int(is_open[:m].sum()) < BATCH_FROM_P:
            is_open[u] = True
            is_open[v] = False
            swaps += 1
            continue
        applied = _apply_independent_swaps(
            is_open,
            rules,
            near,
            index,
            sub_index[before_second],
            np.nonzero(before_second)[0],
            gain,
            loss,
            (extra_in, extra_out, extra_value),
            1e-10 * max(1.0, abs(objective)),
        )
        if applied == 0:
            is_open[u] = True
            is_open[v] = False
            applied = 1
        swaps += applied


#: From this many open sites on, each local-search pass applies many independent swaps.
BATCH_FROM_P = 50


def _apply_independent_swaps(
    is_open: BoolArray,
    rules: SiteRules,
    near: Nearest,
    index: IntArray,
    entry_site: IntArray,
    entry_row: IntArray,
    gain: FloatArray,
    loss: FloatArray,
    extra: tuple[IntArray, IntArray, FloatArray],
    tolerance: float,
    candidates: int = 400,
) -> int:
    """Apply, best first, improving swaps whose affected demand rows are disjoint.

    A swap (open u, close v) can change only rows where u costs less than the second-nearest
    open site, or whose nearest or second-nearest is v; rows outside that set keep their nearest
    and second-nearest. So swaps with disjoint row sets do not interact and their profits add.
    """
    m = rules.m
    n = index.shape[0]
    second = index[np.arange(n), near.pos2]
    extra_in, extra_out, extra_value = extra
    can_in = rules.allowed & ~is_open[:m]
    can_out = is_open[:m] & ~rules.forced
    # Candidate pairs: every pair with an extra term, and the best gain × least loss pairs.
    top_in = np.flatnonzero(can_in)[np.argsort(-gain[:m][can_in], kind="stable")[:20]]
    top_out = np.flatnonzero(can_out)[np.argsort(loss[:m][can_out], kind="stable")[:20]]
    pair_in = np.concatenate([extra_in, np.repeat(top_in, top_out.size)])
    pair_out = np.concatenate([extra_out, np.tile(top_out, top_in.size)])
    valid = (pair_in < m) & (pair_out < m)
    pair_in, pair_out = pair_in[valid], pair_out[valid]
    valid = can_in[pair_in] & can_out[pair_out]
    pair_in, pair_out = pair_in[valid], pair_out[valid]
    extra_keys = extra_in * (m + 1) + extra_out
    order_keys = np.argsort(extra_keys)
    keys = pair_in * (m + 1) + pair_out
    where = np.searchsorted(extra_keys[order_keys], keys)
    where = np.minimum(where, max(extra_keys.size - 1, 0))
    found = extra_keys.size > 0
    bonus = np.zeros(keys.size)
    if found:
        hit = extra_keys[order_keys][where] == keys
        bonus[hit] = extra_value[order_keys][where[hit]]
    profit = gain[pair_in] - loss[pair_out] + bonus
    keys, first = np.unique(keys, return_index=True)
    pair_in, pair_out, profit = pair_in[first], pair_out[first], profit[first]
    chosen_order = np.argsort(-profit, kind="stable")[:candidates]
    # Rows touched by each candidate site: entries before the second-nearest (u side), rows
    # whose nearest or second-nearest is the site (v side).
    by_site = np.argsort(entry_site, kind="stable")
    site_sorted = entry_site[by_site]
    by_first = np.argsort(near.a1, kind="stable")
    by_second = np.argsort(second, kind="stable")
    touched = np.zeros(n, dtype=bool)
    counts = rules.counts(is_open)
    applied = 0
    for k in chosen_order:
        if profit[k] <= tolerance:
            break
        u, v = int(pair_in[k]), int(pair_out[k])
        if not (can_in[u] and can_out[v]):
            continue
        gu, gv = rules.group[u], rules.group[v]
        if gu != gv and (counts[gu] >= rules.group_max[gu] or counts[gv] <= rules.group_min[gv]):
            continue
        lo, hi = np.searchsorted(site_sorted, [u, u + 1])
        rows_u = entry_row[by_site[lo:hi]]
        lo, hi = np.searchsorted(near.a1[by_first], [v, v + 1])
        rows_v1 = by_first[lo:hi]
        lo, hi = np.searchsorted(second[by_second], [v, v + 1])
        rows_v2 = by_second[lo:hi]
        rows = np.concatenate([rows_u, rows_v1, rows_v2])
        if touched[rows].any():
            continue
        touched[rows] = True
        is_open[u] = True
        is_open[v] = False
        can_in[u] = False
        can_out[v] = False
        counts[gu] += 1
        counts[gv] -= 1
        applied += 1
    return applied


@dataclass(frozen=True)
class LagrangianOutcome:
    bound: float
    multipliers: FloatArray
    iterations: int
    candidates: list[BoolArray]


def lagrangian_bound(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    rules: SiteRules,
    p: int,
    *,
    upper: float,
    start: FloatArray,
    width: int,
    deadline: float,
    max_iterations: int = 4000,
    theta_start: float = 2.0,
    patience: int = 100,
) -> LagrangianOutcome:
    """Subgradient ascent on the Lagrangian dual of the assignment constraints.

    ``L(λ) = Σ_i w_i λ_i + min_{y ∈ Y} Σ_j y_j ρ_j`` with ``ρ_j = Σ_i w_i min(0, c_ij - λ_i)``,
    where Y is the set of site choices allowed by p, forced/excluded sites and quotas; every
    λ gives a valid lower bound. λ_i is kept below the cost of row i's W-th nearest candidate so
    only the first W list entries are ever touched (still a valid bound for any λ).
    """
    m = rules.m
    sub_index = np.ascontiguousarray(index[:, :width])
    sub_cost = np.ascontiguousarray(cost[:, :width])
    status = np.zeros(m, dtype=np.int8)
    status[~rules.allowed] = branching.CLOSED
    status[rules.forced] = branching.OPEN
    # Compiled ascent; the step factor carries over between chunks (deadline checks).
    ascent = branching.ascend(
        sub_index,
        sub_cost,
        weights,
        status=status,
        group=rules.group,
        group_min=rules.group_min,
        group_max=rules.group_max,
        p=p,
        start=start,
        cap=sub_cost[:, -1].copy(),
        upper=upper,
        max_iterations=max_iterations,
        deadline=deadline,
        patience=patience,
        theta_start=theta_start,
    )
    return LagrangianOutcome(
        bound=ascent.bound,
        multipliers=ascent.multipliers,
        iterations=ascent.iterations,
        candidates=ascent.choices,
    )


def reduced_cost_fixing(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    rules: SiteRules,
    p: int,
    multipliers: FloatArray,
    upper: float,
) -> tuple[BoolArray, BoolArray, float]:
    """Sites that must be closed / open in every solution better than ``upper``.

    For λ fixed, forcing a site j into the Lagrangian subproblem costs one exchange in the
    matroid of feasible site sets, so ``L_j = L + ρ_j - max ρ_s`` over swappable open s; if
    ``L_j > upper`` no solution cheaper than ``upper`` opens j. Symmetrically for closing.
    Returns (fixed_closed, fixed_open, L).
    """
    m = rules.m
    diff = cost - multipliers[:, None]
    below = diff < 0
    rho = np.bincount(index[below], weights=(weights[:, None] * diff)[below], minlength=m + 1)[:m]
    chosen = select_cheapest(rho, rules, p)
    bound = float(np.dot(weights, multipliers) + rho[chosen].sum())
    fixed_closed, fixed_open = exchange_fixing(rho, chosen, rules, bound, upper)
    return fixed_closed, fixed_open, bound


def exchange_fixing(
    rho: FloatArray, chosen: BoolArray, rules: SiteRules, bound: float, upper: float
) -> tuple[BoolArray, BoolArray]:
    """Sites closed / open in every solution cheaper than ``upper``, given site values ρ, the
    Lagrangian choice ``chosen`` and its bound: forcing a closed site j in costs one exchange
    in the matroid of feasible site sets, ``ρ_j − max ρ_s`` over the open sites s it may
    replace (and symmetrically for closing). Used by the plain and the capacitated bounds."""
    groups = rules.group_min.size
    counts = np.bincount(rules.group[chosen], minlength=groups)
    pair_ok = np.outer(counts < rules.group_max, counts > rules.group_min)
    np.fill_diagonal(pair_ok, True)
    removable = chosen & ~rules.forced
    addable = rules.allowed & ~chosen
    top_out = np.full(groups, -np.inf)
    np.maximum.at(top_out, rules.group[removable], rho[removable])
    low_in = np.full(groups, np.inf)
    np.minimum.at(low_in, rules.group[addable], rho[addable])
    best_out_for_in = np.where(pair_ok, top_out[None, :], -np.inf).max(axis=1)
    best_in_for_out = np.where(pair_ok, low_in[:, None], np.inf).min(axis=0)
    threshold = upper + 1e-9 * max(1.0, abs(upper))
    with np.errstate(invalid="ignore"):
        open_cost = bound + rho - best_out_for_in[rules.group]
        close_cost = bound - rho + best_in_for_out[rules.group]
    fixed_closed = (addable & (open_cost > threshold)) | ~rules.allowed
    fixed_open = (removable & (close_cost > threshold)) | rules.forced
    return fixed_closed, fixed_open


@dataclass(frozen=True)
class ExactOutcome:
    is_open: BoolArray | None
    reduced_optimum: float
    dual_bound: float
    proven: bool
    time_limit_hit: bool
    rounds: int
    entries: int
    columns: int


def exact_reduced(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    rules: SiteRules,
    p: int,
    *,
    fixed_closed: BoolArray,
    fixed_open: BoolArray,
    incumbent: BoolArray | None,
    radius: FloatArray,
    deadline: float,
    capacities: FloatArray | None = None,
    mip_rel_gap: float = 1e-7,
    heuristic_effort: float | None = None,
) -> ExactOutcome:
    """Solve the p-median MILP on per-row candidate lists (BEAMR, Church 2008) with HiGHS.

    Row i keeps the usable candidates with cost ≤ radius_i, plus an overflow variable priced at
    the next usable cost (a lower bound on any assignment left out). The reduced model is a
    relaxation; when its optimum uses no overflow it is optimal for the full model. Otherwise the
    radius of the rows that overflowed grows and the model is solved again.
    """
    m = rules.m
    n = index.shape[0]
    usable_col = np.zeros(m + 1, dtype=bool)
    usable_col[:m] = ~fixed_closed
    usable = usable_col[index]
    fixed_open_ext = np.append(fixed_open, False)
    radius = radius.copy()
    rounds = 0
    best_dual = -np.inf
    reduced_optimum = -np.inf
    entries_count = 0
    columns = int((~fixed_closed).sum())
    start_open = incumbent
    while True:
        rounds += 1
        # Nothing beyond a row's nearest fixed-open site is ever used (dominated assignments).
        is_fixed = fixed_open_ext[index] & usable
        first_fixed = np.where(is_fixed.any(axis=1), is_fixed.argmax(axis=1), index.shape[1])
        positions = np.arange(index.shape[1])[None, :]
        within = (
            usable
            & ((cost <= radius[:, None]) | (positions == first_fixed[:, None]))
            & (positions <= first_fixed[:, None])
        )
        beyond = usable & ~within & (positions < first_fixed[:, None])
        has_next = beyond.any(axis=1)
        next_pos = beyond.argmax(axis=1)
        overflow_cost = np.where(has_next, cost[np.arange(n), next_pos], 0.0)
        rows_e, pos_e = np.nonzero(within)
        cols_e = index[rows_e, pos_e]
        cost_e = cost[rows_e, pos_e]
        overflow_rows = np.flatnonzero(has_next)
        site_cols = np.flatnonzero(~fixed_closed)
        site_var = np.full(m, -1, dtype=np.int64)
        site_var[site_cols] = np.arange(site_cols.size)
        n_y = site_cols.size
        n_x = rows_e.size
        n_z = overflow_rows.size
        entries_count = n_x
        n_var = n_y + n_x + n_z
        obj = np.concatenate(
            [
                np.zeros(n_y),
                weights[rows_e] * cost_e,
                weights[overflow_rows] * overflow_cost[overflow_rows],
            ]
        )
        x_ids = n_y + np.arange(n_x)
        z_ids = n_y + n_x + np.arange(n_z)
        # Rows: assignment (n), linking (n_x), count (1), quotas (G), capacities (n_y).
        r_rows = [rows_e, overflow_rows]
        r_cols = [x_ids, z_ids]
        r_vals = [np.ones(n_x), np.ones(n_z)]
        link_ids = n + np.arange(n_x)
        r_rows += [link_ids, link_ids]
        r_cols += [x_ids, site_var[cols_e]]
        r_vals += [np.ones(n_x), -np.ones(n_x)]
        count_row = n + n_x
        r_rows.append(np.full(n_y, count_row))
        r_cols.append(np.arange(n_y))
        r_vals.append(np.ones(n_y))
        lower = [np.ones(n), np.full(n_x, -np.inf), [p]]
        upper = [np.ones(n), np.zeros(n_x), [p]]
        next_row = count_row + 1
        if rules.has_quotas:
            groups = rules.group_min.size
            r_rows.append(next_row + rules.group[site_cols])
            r_cols.append(np.arange(n_y))
            r_vals.append(np.ones(n_y))
            lower.append(rules.group_min.astype(float))
            upper.append(rules.group_max.astype(float))
            next_row += groups
        if capacities is not None:
            cap_rows = next_row + np.arange(n_y)
            r_rows += [next_row + site_var[cols_e], cap_rows]
            r_cols += [x_ids, np.arange(n_y)]
            r_vals += [weights[rows_e], -capacities[site_cols]]
            lower.append(np.full(n_y, -np.inf))
            upper.append(np.zeros(n_y))
            next_row += n_y
        import scipy.sparse as sp

        matrix = sp.csc_array(
            (np.concatenate(r_vals), (np.concatenate(r_rows), np.concatenate(r_cols))),
            shape=(next_row, n_var),
        )
        col_lower = np.zeros(n_var)
        col_lower[:n_y] = fixed_open[site_cols].astype(float)
        col_upper = np.ones(n_var)
        integer = np.zeros(n_var, dtype=bool)
        integer[:n_y] = True
        start = None
        if start_open is not None:
            start = _start_vector(
                start_open, site_cols, rows_e, cols_e, cost_e, n, n_var, n_y, capacities
            )
        outcome = solve_milp(
            cost=obj,
            matrix=matrix,
            row_lower=np.concatenate([np.asarray(v, dtype=float) for v in lower]),
            row_upper=np.concatenate([np.asarray(v, dtype=float) for v in upper]),
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            time_limit=deadline - time.perf_counter(),
            start=start,
            mip_rel_gap=mip_rel_gap,
            heuristic_effort=heuristic_effort,
        )
        if outcome.infeasible:
            return ExactOutcome(None, np.inf, np.inf, True, False, rounds, entries_count, columns)
        best_dual = max(best_dual, outcome.dual_bound)
        found: BoolArray | None = None
        if outcome.x is not None:
            found = np.zeros(m + 1, dtype=bool)
            found[site_cols[outcome.x[:n_y] > 0.5]] = True
            found[m] = True
        if not outcome.optimal:
            return ExactOutcome(
                found,
                -np.inf,
                best_dual,
                False,
                outcome.time_limit_hit,
                rounds,
                entries_count,
                columns,
            )
        reduced_optimum = outcome.objective
        assert outcome.x is not None
        overflowed = overflow_rows[outcome.x[n_y + n_x :] > 1e-6]
        if overflowed.size == 0:
            return ExactOutcome(
                found,
                reduced_optimum,
                max(best_dual, outcome.dual_bound),
                True,
                False,
                rounds,
                entries_count,
                columns,
            )
        if time.perf_counter() > deadline:
            return ExactOutcome(
                found, reduced_optimum, best_dual, False, True, rounds, entries_count, columns
            )
        # Grow the lists of the rows that overflowed: double the number of usable entries kept.
        kept = within[overflowed].sum(axis=1)
        rank = np.cumsum(usable[overflowed], axis=1)
        target = np.maximum(2 * kept, kept + 4)
        enough = rank >= target[:, None]
        reach = enough.argmax(axis=1)
        radius[overflowed] = np.where(enough.any(axis=1), cost[overflowed, reach], np.inf)
        start_open = found


def _start_vector(
    is_open: BoolArray,
    site_cols: IntArray,
    rows_e: IntArray,
    cols_e: IntArray,
    cost_e: FloatArray,
    n: int,
    n_var: int,
    n_y: int,
    capacities: FloatArray | None,
) -> FloatArray | None:
    """The incumbent as a MILP point, or None when it does not fit the reduced model."""
    if capacities is not None:
        return None
    start = np.zeros(n_var)
    start[:n_y] = is_open[site_cols].astype(float)
    open_entry = is_open[cols_e]
    order = np.lexsort((cost_e, ~open_entry, rows_e))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows_e[order][1:] != rows_e[order][:-1]
    chosen = order[first & open_entry[order]]
    if np.unique(rows_e[chosen]).size != n:
        return None
    start[n_y + chosen] = 1.0
    return start
