"""Exact p-median by the radius (covering) formulation, with distance levels added lazily.

Elloumi (2010) and García, Labbé & Marín (2011) write the p-median over each demand's sorted
distinct distances ``D_i^1 < D_i^2 < …`` instead of one variable per (demand, site) pair:
``z_i^k = 1`` when no open site lies within ``D_i^k``, and row i costs
``D_i^1 + Σ_k (D_i^{k+1} − D_i^k) z_i^k``. We use the chained form of the covering rows,

    z_i^1 + Σ_{j: c_ij = D_i^1} y_j ≥ 1,    z_i^k − z_i^{k−1} + Σ_{j: c_ij = D_i^k} y_j ≥ 0,

whose sum over k = 1..K gives Elloumi's ``z_i^K + Σ_{j: c_ij ≤ D_i^K} y_j ≥ 1``; with z ≥ 0 the
two describe the same LP, and the chain has one coefficient per (demand, site) pair within
reach instead of one per pair and level. Its LP bound is the classic one.

Only the levels up to a per-row radius are kept. The last kept level's ``z`` is priced at the
step to the next distance left out, so the truncated model counts a row served beyond its
radius at that next distance, never more than its true cost: it is a **relaxation** and its
optimum (or HiGHS's dual bound) is a lower bound. When its optimum serves every row within its
radius (every last ``z`` is 0), that solution costs the same in the full model, so it is
optimal. Otherwise the radius of the rows that overflowed grows and the model is solved again
(García et al.'s lazy levels; they also merge levels, which costs-per-pair integer distances do
not need).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from familyreach.locate._highs import solve_milp
from familyreach.locate._problem import BoolArray, FloatArray, IntArray, SiteRules

#: Relative tolerance for two costs to count as one distance level.
LEVEL_TOLERANCE = 1e-12


@dataclass(frozen=True)
class RadiusOutcome:
    """``is_open`` (m + 1 entries, the dummy column last) is None when HiGHS found nothing."""

    is_open: BoolArray | None
    dual_bound: float
    proven: bool
    time_limit_hit: bool
    rounds: int
    entries: int
    levels: int


def radius_exact(
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
) -> RadiusOutcome:
    """Solve the p-median over rows' sorted candidate lists ``index``/``cost`` (see the module).

    ``radius`` is each row's first cut-off (e.g. the incumbent's second-nearest open cost);
    ``fixed_closed``/``fixed_open`` come from reduced-cost fixing and never cut off a solution
    better than the incumbent.
    """
    m = rules.m
    n, width = index.shape
    usable_col = np.zeros(m + 1, dtype=bool)
    usable_col[:m] = ~fixed_closed
    fixed_open_ext = np.append(fixed_open, False)
    usable = usable_col[index] & (weights[:, None] > 0)
    # Nothing beyond a row's nearest fixed-open site is ever used.
    is_fixed = fixed_open_ext[index] & usable
    positions = np.arange(width)[None, :]
    first_fixed = np.where(is_fixed.any(axis=1), is_fixed.argmax(axis=1), width)
    usable &= positions <= first_fixed[:, None]
    site_cols = np.flatnonzero(~fixed_closed)
    site_var = np.full(m + 1, -1, dtype=np.int64)
    site_var[site_cols] = np.arange(site_cols.size)
    n_y = site_cols.size
    radius = radius.astype(np.float64).copy()
    rounds = 0
    best_dual = -np.inf
    start_open = incumbent
    entries = 0
    levels_count = 0
    while True:
        rounds += 1
        within = usable & (cost <= radius[:, None])
        # A row always keeps its nearest usable entry, so it has at least one level.
        first_usable = usable.argmax(axis=1)
        within[np.arange(n), first_usable] |= usable[np.arange(n), first_usable]
        beyond = usable & ~within
        has_next = beyond.any(axis=1)
        next_cost = np.where(has_next, cost[np.arange(n), beyond.argmax(axis=1)], np.inf)
        rows_e, pos_e = np.nonzero(within)  # row-major: sorted by row, then by cost
        cost_e = cost[rows_e, pos_e]
        cols_e = index[rows_e, pos_e]
        entries = rows_e.size
        # Distance levels: a new level starts where the row changes or the cost rises.
        new_level = np.ones(entries, dtype=bool)
        same_row = rows_e[1:] == rows_e[:-1]
        rises = cost_e[1:] > cost_e[:-1] * (1 + LEVEL_TOLERANCE) + LEVEL_TOLERANCE
        new_level[1:] = ~same_row | rises
        level_of_entry = np.cumsum(new_level) - 1
        level_starts = np.flatnonzero(new_level)
        n_z = level_starts.size
        levels_count = n_z
        level_row = rows_e[level_starts]
        level_cost = cost_e[level_starts]
        first_level_of_row = np.ones(n_z, dtype=bool)
        first_level_of_row[1:] = level_row[1:] != level_row[:-1]
        last_level_of_row = np.ones(n_z, dtype=bool)
        last_level_of_row[:-1] = level_row[1:] != level_row[:-1]
        # Step from each level to the next: the next kept level, or for the last kept level the
        # next distance left out (infinite when none is left: then z must be 0).
        step = np.empty(n_z)
        step[:-1] = level_cost[1:] - level_cost[:-1]
        step[last_level_of_row] = (
            next_cost[level_row[last_level_of_row]] - level_cost[last_level_of_row]
        )
        closed_last = last_level_of_row & ~np.isfinite(step)
        step[closed_last] = 0.0
        constant = float(weights[level_row[first_level_of_row]] @ level_cost[first_level_of_row])
        objective = np.concatenate([np.zeros(n_y), weights[level_row] * step])
        # Rows of the model: one covering row per level, then Σ y = p, then quotas.
        z_ids = n_y + np.arange(n_z)
        previous = np.flatnonzero(~first_level_of_row)
        r_rows = [level_of_entry, np.arange(n_z), previous]
        r_cols = [site_var[cols_e], z_ids, z_ids[previous - 1]]
        r_vals = [np.ones(entries), np.ones(n_z), -np.ones(previous.size)]
        row_lower = [first_level_of_row.astype(float)]
        row_upper = [np.full(n_z, np.inf)]
        count_row = n_z
        r_rows.append(np.full(n_y, count_row))
        r_cols.append(np.arange(n_y))
        r_vals.append(np.ones(n_y))
        row_lower.append(np.array([float(p)]))
        row_upper.append(np.array([float(p)]))
        total_rows = count_row + 1
        if rules.has_quotas:
            r_rows.append(total_rows + rules.group[site_cols])
            r_cols.append(np.arange(n_y))
            r_vals.append(np.ones(n_y))
            row_lower.append(rules.group_min.astype(float))
            row_upper.append(rules.group_max.astype(float))
            total_rows += rules.group_min.size
        n_var = n_y + n_z
        import scipy.sparse as sp

        matrix = sp.csc_array(
            (np.concatenate(r_vals), (np.concatenate(r_rows), np.concatenate(r_cols))),
            shape=(total_rows, n_var),
        )
        col_lower = np.zeros(n_var)
        col_lower[:n_y] = fixed_open[site_cols].astype(float)
        col_upper = np.ones(n_var)
        col_upper[n_y + np.flatnonzero(closed_last)] = 0.0
        integer = np.zeros(n_var, dtype=bool)
        integer[:n_y] = True
        start = None
        if start_open is not None:
            start = _start(start_open, site_cols, index, cost, level_row, level_cost, n_y)
        outcome = solve_milp(
            cost=objective,
            matrix=matrix,
            row_lower=np.concatenate(row_lower),
            row_upper=np.concatenate(row_upper),
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            time_limit=deadline - time.perf_counter(),
            start=start,
        )
        if outcome.infeasible:
            return RadiusOutcome(None, np.inf, True, False, rounds, entries, levels_count)
        dual = outcome.dual_bound + constant
        best_dual = max(best_dual, dual)
        found: BoolArray | None = None
        if outcome.x is not None:
            found = np.zeros(m + 1, dtype=bool)
            found[site_cols[outcome.x[:n_y] > 0.5]] = True
            found[m] = True
        if not outcome.optimal:
            return RadiusOutcome(
                found, best_dual, False, outcome.time_limit_hit, rounds, entries, levels_count
            )
        assert outcome.x is not None
        last_z = outcome.x[n_y:][last_level_of_row]
        overflowed = level_row[last_level_of_row][last_z > 1e-6]
        if overflowed.size == 0:
            return RadiusOutcome(found, best_dual, True, False, rounds, entries, levels_count)
        if time.perf_counter() > deadline:
            return RadiusOutcome(found, best_dual, False, True, rounds, entries, levels_count)
        # Grow the rows that overflowed: double the usable entries they keep (at least 4 more).
        kept = within[overflowed].sum(axis=1)
        rank = np.cumsum(usable[overflowed], axis=1)
        target = np.maximum(2 * kept, kept + 4)
        enough = rank >= target[:, None]
        reach = enough.argmax(axis=1)
        radius[overflowed] = np.where(enough.any(axis=1), cost[overflowed, reach], np.inf)
        start_open = found


def _start(
    is_open: BoolArray,
    site_cols: IntArray,
    index: IntArray,
    cost: FloatArray,
    level_row: IntArray,
    level_cost: FloatArray,
    n_y: int,
) -> FloatArray | None:
    """The incumbent as a MILP point: ``z_i^k = 1`` while its nearest open site is beyond D_i^k."""
    if not is_open[site_cols].any():
        return None
    open_entry = is_open[index]
    open_entry[:, -1] = True  # the padding (dummy column) always closes a row's list
    nearest = cost[np.arange(index.shape[0]), open_entry.argmax(axis=1)]
    start = np.zeros(n_y + level_row.size)
    start[:n_y] = is_open[site_cols].astype(float)
    start[n_y:] = (nearest[level_row] > level_cost).astype(float)
    return start
