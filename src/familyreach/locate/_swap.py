"""The pieces of swap-based local search shared by the p-median and coverage models.

Resende & Werneck (2007): the profit of opening ``u`` and closing ``v`` is
``gain[u] - loss[v] + extra[u, v]``, where ``extra`` is sparse and non-negative. The best swap is
therefore either a pair with a non-zero ``extra`` or the best ``gain - loss`` pair, which needs no
look at ``extra`` at all.
"""

from __future__ import annotations

import numpy as np

from familyreach.locate._problem import BoolArray, FloatArray, IntArray, SiteRules


def aggregate_pairs(
    first: IntArray, second: IntArray, values: FloatArray, size: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Sum ``values`` over equal (first, second) pairs, both in ``0..size-1``."""
    if first.size == 0:
        return first, second, values
    keys = first * size + second
    if size * size <= 4_000_000:
        totals = np.bincount(keys, weights=values, minlength=size * size)
        nonzero = np.flatnonzero(totals)
        return nonzero // size, nonzero % size, totals[nonzero]
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.bincount(inverse, weights=values)
    return unique // size, unique % size, totals


def best_swap(
    *,
    gain: FloatArray,
    loss: FloatArray,
    extra_in: IntArray,
    extra_out: IntArray,
    extra_value: FloatArray,
    is_open: BoolArray,
    rules: SiteRules,
    budget_cost: FloatArray | None = None,
    budget_room: float = 0.0,
) -> tuple[int, int, float]:
    """The feasible swap (open ``u``, close ``v``) of largest profit, and that profit.

    Returns ``(-1, -1, -inf)`` when no swap is feasible. Swaps respect excluded and forced sites
    and group quotas.
    """
    m = rules.m
    open_real = is_open[:m]
    can_in = rules.allowed & ~open_real
    can_out = open_real & ~rules.forced
    if not can_in.any() or not can_out.any():
        return -1, -1, float("-inf")
    group = rules.group
    groups = rules.group_min.size
    counts = np.bincount(group[open_real], minlength=groups)
    # Which (group in, group out) pairs keep every quota.
    room_in = counts < rules.group_max
    room_out = counts > rules.group_min
    pair_ok = np.outer(room_in, room_out)
    np.fill_diagonal(pair_ok, True)

    best_u, best_v, best_profit = -1, -1, float("-inf")
    if budget_cost is None:
        # Best gain per group among closing candidates, least loss per group among open sites.
        in_cols = np.flatnonzero(can_in)
        out_cols = np.flatnonzero(can_out)
        top_gain = np.full(groups, -np.inf)
        np.maximum.at(top_gain, group[in_cols], gain[in_cols])
        low_loss = np.full(groups, np.inf)
        np.minimum.at(low_loss, group[out_cols], loss[out_cols])
        table = np.where(pair_ok, top_gain[:, None] - low_loss[None, :], -np.inf)
        g_in, g_out = np.unravel_index(int(np.argmax(table)), table.shape)
        value = float(table[g_in, g_out])
        if np.isfinite(value):
            u_candidates = in_cols[group[in_cols] == g_in]
            v_candidates = out_cols[group[out_cols] == g_out]
            best_u = int(u_candidates[np.argmax(gain[u_candidates])])
            best_v = int(v_candidates[np.argmin(loss[v_candidates])])
            best_profit = value
    else:
        # With a budget, enumerate all pairs (only used for small candidate sets).
        in_cols = np.flatnonzero(can_in)
        out_cols = np.flatnonzero(can_out)
        table = gain[in_cols][:, None] - loss[out_cols][None, :]
        ok = pair_ok[group[in_cols]][:, group[out_cols]]
        ok &= budget_cost[in_cols][:, None] - budget_cost[out_cols][None, :] <= budget_room + 1e-9
        table = np.where(ok, table, -np.inf)
        if extra_in.size:
            lookup_in = np.full(m + 1, -1)
            lookup_in[in_cols] = np.arange(in_cols.size)
            lookup_out = np.full(m + 1, -1)
            lookup_out[out_cols] = np.arange(out_cols.size)
            a = lookup_in[extra_in]
            b = lookup_out[extra_out]
            keep = (a >= 0) & (b >= 0)
            np.add.at(table, (a[keep], b[keep]), extra_value[keep])
        flat = int(np.argmax(table))
        row, column = np.unravel_index(flat, table.shape)
        if np.isfinite(table[row, column]):
            return int(in_cols[row]), int(out_cols[column]), float(table[row, column])
        return -1, -1, float("-inf")

    if extra_in.size:
        keep = (extra_in < m) & (extra_out < m)
        u = extra_in[keep]
        v = extra_out[keep]
        value_extra = extra_value[keep]
        keep = can_in[u] & can_out[v] & pair_ok[group[u], group[v]]
        if keep.any():
            u, v = u[keep], v[keep]
            profit = gain[u] - loss[v] + value_extra[keep]
            k = int(np.argmax(profit))
            if profit[k] > best_profit:
                best_u, best_v, best_profit = int(u[k]), int(v[k]), float(profit[k])
    return best_u, best_v, best_profit
