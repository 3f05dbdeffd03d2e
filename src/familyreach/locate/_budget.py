"""p-median under a budget: open sites whose costs fit the budget, minimising weighted travel.

    min Σ_i Σ_j w_i c_ij x_ij  s.t.  Σ_j x_ij = 1 ∀i,  x_ij ≤ y_j,  Σ_j f_j y_j ≤ B,
                                    Σ_j y_j = p (or free),  quotas, forced/excluded sites

A cheap site and a dear one are weighed by what each saves in travel against what it costs:
the number of sites is whatever the budget buys best when ``p`` is not given.

Stages: a greedy by travel saved per pound; a Lagrangian bound relaxing both the assignment
constraints (λ_i) and the budget (μ ≥ 0), whose inner problem is the cheapest choice of sites
by ``ρ_j + μ f_j`` under the rules; then the exact MILP with HiGHS (full candidate lists when
small enough, else each row's nearest candidates plus an overflow variable priced at the next
cost — a relaxation, proven exact when no overflow is used). See docs/locate.md ("p-median
under a budget").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp

from familyreach.locate._highs import solve_milp
from familyreach.locate._problem import (
    BoolArray,
    FloatArray,
    IntArray,
    QuotaSpec,
    SiteRules,
    check_problem,
    select_cheapest,
)
from familyreach.locate.evaluate import nearest_open
from familyreach.locate.result import LocateResult, relative_gap

OPTIMALITY_TOLERANCE = 1e-7
#: Rows × candidates up to which the exact MILP keeps every candidate in every row's list.
FULL_LISTS_ENTRIES = 400_000
#: The budget model works on the dense matrix: rows × candidates up to this.
MAX_ENTRIES = 20_000_000


def budget_p_median(
    costs: Any,
    weights: Any,
    p: int | None,
    *,
    site_costs: Any,
    budget: float,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    time_limit: float = 60.0,
    method: str = "auto",
    uncapacitated: Callable[..., LocateResult],
) -> LocateResult:
    """Minimise weighted travel over sites whose total cost is within ``budget``.

    ``uncapacitated`` is the plain p-median (passed in by `p_median`, which calls this module,
    so the engine's modules import each other one way only).

    ``p`` fixes the number of sites; ``None`` leaves it to the budget. ``details`` carries
    ``site_cost`` (what the chosen sites cost) and ``budget``.
    """
    started = time.perf_counter()
    deadline = started + float(time_limit)
    checked, w, p, rules = check_problem(
        costs,
        weights,
        p,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
        time_limit=time_limit,
        p_may_be_none=True,
    )
    if p is None and rules.has_quotas:
        # Quotas can fix the number of sites (one per district: minimum = maximum): then it is
        # a p-median with a budget, and the p-median without the budget bounds it (below).
        available = np.bincount(rules.group[rules.allowed], minlength=rules.group_min.size)
        if int(rules.group_min.sum()) == int(np.minimum(rules.group_max, available).sum()):
            p = int(rules.group_min.sum())
    prices = _check_site_costs(site_costs, checked.m)
    money = float(budget)
    if not np.isfinite(money) or money < 0:
        raise ValueError(f"budget must be a non-negative number, got {budget!r}")
    forced_cost = float(prices[rules.forced].sum())
    if forced_cost > money + 1e-9 * max(1.0, money):
        raise ValueError(
            f"the sites forced open cost {forced_cost:g}, more than the budget of {money:g}"
        )
    if checked.n * checked.m > MAX_ENTRIES:
        raise ValueError(
            f"a budget is supported up to {MAX_ENTRIES:,} rows × candidates; this instance has "
            f"{checked.n * checked.m:,}"
        )
    if checked.dense is not None:
        dense = checked.dense
    else:
        assert checked.sparse is not None
        # A missing sparse entry is not allowed: price it out of reach.
        dense = np.full((checked.n, checked.m), np.inf)
        coo = sp.coo_array(checked.sparse)
        dense[coo.row, coo.col] = coo.data
    details: dict[str, Any] = {"budget": money}
    methods = ["greedy-per-cost"]
    is_open = _greedy(dense, w, prices, money, rules, p)
    upper = _travel(dense, w, is_open) if is_open is not None else np.inf
    details["heuristic_objective"] = upper

    lower = -np.inf
    if p is not None:
        # Without the budget row the model is a relaxation, solved fast by the p-median's own
        # stages: its bound holds here, and when its answer fits the budget it is the answer.
        free = uncapacitated(
            costs,
            w,
            p,
            forced_open=np.flatnonzero(rules.forced),
            excluded=np.flatnonzero(~rules.allowed),
            groups=rules.group if rules.has_quotas else None,
            group_min=dict(enumerate(rules.group_min.tolist())) if rules.has_quotas else None,
            group_max=dict(enumerate(rules.group_max.tolist())) if rules.has_quotas else None,
            time_limit=max(0.05, 0.4 * float(time_limit)),
            method=method,
        )
        methods.append("p-median-without-budget")
        lower = max(lower, free.bound)
        details["without_budget_bound"] = free.bound
        free_open = np.zeros(checked.m, dtype=bool)
        free_open[free.sites] = True
        if prices[free_open].sum() <= money + 1e-9 * max(1.0, money):
            value = _travel(dense, w, free_open)
            if value < upper:
                is_open, upper = free_open, value
    if is_open is not None and upper - lower > OPTIMALITY_TOLERANCE * max(1.0, abs(upper)):
        methods.append("lagrangian")
        bound, iterations = _lagrangian(
            dense,
            w,
            prices,
            money,
            rules,
            p,
            upper,
            start=dense[:, is_open].min(axis=1),
            deadline=time.perf_counter() + 0.2 * float(time_limit),
        )
        lower = max(lower, bound)
        details["lagrangian_bound"] = bound
        details["lagrangian_iterations"] = iterations
    proven = bool(
        is_open is not None and upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    )
    time_limit_hit = False
    if not proven and method != "heuristic":
        methods.append("highs-budget-milp")
        exact = _exact(dense, w, prices, money, rules, p, is_open, deadline)
        details.update(exact_rounds=exact["rounds"], exact_entries=exact["entries"])
        time_limit_hit = bool(exact["time_limit_hit"])
        if exact["infeasible"] and is_open is None:
            raise ValueError(f"no choice of sites meets the rules within the budget of {money:g}")
        found = exact["is_open"]
        if found is not None:
            value = _travel(dense, w, found)
            if value < upper:
                is_open, upper = found, value
        if exact["proven"]:
            lower = max(lower, min(upper, exact["optimum"]))
            proven = True
        elif np.isfinite(exact["dual_bound"]):
            lower = max(lower, min(upper, exact["dual_bound"]))
            proven = upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    if is_open is None:
        raise ValueError(
            "no choice of sites meeting the rules within the budget was found"
            + (" within the time limit" if time_limit_hit else "")
        )
    sites = np.flatnonzero(is_open).astype(np.int64)
    assignment, _ = nearest_open(checked, sites)
    if proven:
        lower = upper
    details["site_cost"] = float(prices[sites].sum())
    details["sites_open"] = int(sites.size)
    return LocateResult(
        sites=sites,
        objective=float(upper),
        bound=float(min(lower, upper)),
        gap=relative_gap(float(upper), float(min(lower, upper))),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status="optimal" if proven else ("time_limit" if time_limit_hit else "feasible"),
        proven_optimal=proven,
        method="+".join(methods),
        time_limit_hit=time_limit_hit,
        details=details,
    )


def _check_site_costs(site_costs: Any, m: int) -> FloatArray:
    if site_costs is None:
        raise ValueError("a budget needs site_costs: one cost per candidate column")
    prices = np.asarray(site_costs, dtype=np.float64)
    if prices.ndim != 1 or prices.size != m:
        raise ValueError(
            f"site_costs must have one value per candidate column: expected {m}, got {prices.size}"
        )
    if not np.isfinite(prices).all() or (prices < 0).any():
        raise ValueError("site_costs must be finite non-negative numbers")
    return prices


def _travel(dense: FloatArray, w: FloatArray, is_open: BoolArray) -> float:
    nearest = dense[:, is_open].min(axis=1)
    positive = w > 0
    return float(w[positive] @ nearest[positive])


def _greedy(
    dense: FloatArray,
    w: FloatArray,
    prices: FloatArray,
    money: float,
    rules: SiteRules,
    p: int | None,
) -> BoolArray | None:
    """Add, one at a time, the site that saves most travel per pound (per unit when free),
    keeping the quotas and ``p`` reachable within what is left; None when it gets stuck."""
    m = rules.m
    is_open = rules.forced.copy()
    spent = float(prices[is_open].sum())
    big = float(np.nanmax(np.where(np.isfinite(dense), dense, 0.0))) * 10.0 + 1.0
    nearest = dense[:, is_open].min(axis=1) if is_open.any() else np.full(dense.shape[0], np.inf)
    nearest = np.where(np.isfinite(nearest), nearest, big)
    target = p if p is not None else m
    while int(is_open.sum()) < target:
        counts = rules.counts(is_open)
        short = np.maximum(rules.group_min - counts, 0)
        room = (counts < rules.group_max)[rules.group]
        candidates = rules.allowed & ~is_open & room
        if short.sum() > 0:
            candidates &= (short > 0)[rules.group]
        left = money - spent
        # Keep p reachable: after this site, the cheapest others still needed must fit.
        needed = (p - int(is_open.sum()) - 1) if p is not None else max(int(short.sum()) - 1, 0)
        closed_prices = np.sort(prices[rules.allowed & ~is_open])
        reserve = float(closed_prices[:needed].sum()) if needed > 0 else 0.0
        candidates &= prices <= left - reserve + 1e-9 * max(1.0, money)
        if not candidates.any():
            break
        columns = np.flatnonzero(candidates)
        block = np.where(np.isfinite(dense[:, columns]), dense[:, columns], big)
        saving = w @ np.maximum(nearest[:, None] - block, 0.0)
        if p is None and short.sum() == 0 and is_open.any() and saving.max() <= 0:
            break
        per_cost = saving / np.maximum(prices[columns], 1e-9 * max(1.0, money) + 1e-12)
        pick = int(columns[int(np.argmax(per_cost))])
        is_open[pick] = True
        spent += float(prices[pick])
        nearest = np.minimum(nearest, np.where(np.isfinite(dense[:, pick]), dense[:, pick], big))
    counts = rules.counts(is_open)
    if (counts < rules.group_min).any() or (counts > rules.group_max).any():
        return None
    if (p is not None and int(is_open.sum()) != p) or not is_open.any():
        return None
    if not np.isfinite(dense[:, is_open].min(axis=1)[w > 0]).all():
        return None
    return is_open


def _choose(score: FloatArray, rules: SiteRules, p: int | None) -> BoolArray:
    """Sites of least total score under the rules: exactly p, or any number when p is None
    (forced, each group's cheapest up to its minimum, then every negative score with room)."""
    if p is not None:
        return select_cheapest(score, rules, p)
    chosen = rules.forced.copy()
    counts = rules.counts(chosen)
    order = np.flatnonzero(rules.allowed & ~chosen)
    order = order[np.argsort(score[order], kind="stable")]
    for j in order:
        g = rules.group[j]
        if counts[g] < rules.group_min[g]:
            chosen[j] = True
            counts[g] += 1
    for j in order:
        g = rules.group[j]
        if score[j] >= 0:
            break
        if not chosen[j] and counts[g] < rules.group_max[g]:
            chosen[j] = True
            counts[g] += 1
    return chosen


def _lagrangian(
    dense: FloatArray,
    w: FloatArray,
    prices: FloatArray,
    money: float,
    rules: SiteRules,
    p: int | None,
    upper: float,
    *,
    start: FloatArray,
    deadline: float,
    max_iterations: int = 1500,
    patience: int = 30,
) -> tuple[float, int]:
    """Subgradient ascent on ``L(λ, μ) = Σ_i w_i λ_i − μ B + min_{y∈Y} Σ_j (ρ_j + μ f_j) y_j``,
    ``ρ_j = Σ_i w_i min(0, c_ij − λ_i)``: a lower bound for every λ and every μ ≥ 0."""
    finite = dense
    # From each row's cost in the incumbent: near the optimal multipliers for most rows.
    lam = np.where(np.isfinite(start), start, 0.0)
    mu = 0.0
    # The budget's subgradient is in pounds, the travel's in weighted cost: scale μ's step
    # so both move at comparable rates.
    scale = float(w.sum() * max(finite[np.isfinite(finite)].mean(), 1e-9)) / max(money, 1.0)
    theta = 2.0
    best = -np.inf
    stall = 0
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        diff = np.minimum(finite - lam[:, None], 0.0)
        rho = w @ diff
        chosen = _choose(rho + mu * prices, rules, p)
        bound = float(w @ lam - mu * money + (rho + mu * prices)[chosen].sum())
        if bound > best + 1e-12 * max(1.0, abs(bound)):
            best, stall = bound, 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
        served = (diff[:, chosen] < 0).sum(axis=1)
        g = w * (1.0 - served)
        g_mu = (float(prices[chosen].sum()) - money) / scale
        if mu <= 0 and g_mu < 0:
            g_mu = 0.0
        norm = float(g @ g + g_mu * g_mu)
        if norm <= 1e-18 or theta < 1e-5 or time.perf_counter() > deadline:
            break
        if upper - best <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper)):
            break
        step = theta * max(upper - bound, 1e-9 * max(1.0, abs(upper))) / norm
        lam = lam + step * g
        mu = max(0.0, mu + step * g_mu / scale)
    return best, iterations


def _exact(
    dense: FloatArray,
    w: FloatArray,
    prices: FloatArray,
    money: float,
    rules: SiteRules,
    p: int | None,
    incumbent: BoolArray | None,
    deadline: float,
) -> dict[str, Any]:
    """HiGHS on the budget model. Each row keeps its candidates up to a radius plus an overflow
    variable priced at the next cost (a relaxation); lists of rows that overflow are doubled."""
    n, m = dense.shape
    sites = np.flatnonzero(rules.allowed)
    block = dense[:, sites]
    order = np.argsort(block, axis=1, kind="stable")
    sorted_cost = np.take_along_axis(block, order, axis=1)
    usable = np.isfinite(sorted_cost)
    if n * sites.size <= FULL_LISTS_ENTRIES:
        keep = np.full(n, sites.size)
    else:
        keep = np.full(n, min(sites.size, max(20, 3 * sites.size // max(p or 10, 1))))
    rounds = 0
    best_dual = -np.inf
    positions = np.arange(sites.size)[None, :]
    while True:
        rounds += 1
        within = usable & (positions < keep[:, None])
        beyond = usable & ~within
        has_next = beyond.any(axis=1)
        next_cost = np.where(has_next, sorted_cost[np.arange(n), beyond.argmax(axis=1)], 0.0)
        rows_e, pos_e = np.nonzero(within)
        cols_e = order[rows_e, pos_e]  # position in `sites`
        cost_e = sorted_cost[rows_e, pos_e]
        over = np.flatnonzero(has_next)
        n_y, n_x, n_z = sites.size, rows_e.size, over.size
        objective = np.concatenate([np.zeros(n_y), w[rows_e] * cost_e, w[over] * next_cost[over]])
        x_ids = n_y + np.arange(n_x)
        z_ids = n_y + n_x + np.arange(n_z)
        link = n + np.arange(n_x)
        count_row = n + n_x
        budget_row = count_row + 1
        r_rows = [rows_e, over, link, link, np.full(n_y, count_row), np.full(n_y, budget_row)]
        r_cols = [x_ids, z_ids, x_ids, cols_e, np.arange(n_y), np.arange(n_y)]
        r_vals = [np.ones(n_x), np.ones(n_z), np.ones(n_x), -np.ones(n_x), np.ones(n_y)]
        r_vals.append(prices[sites])
        lower = [np.ones(n), np.full(n_x, -np.inf), [p if p is not None else 1], [-np.inf]]
        upper = [np.ones(n), np.zeros(n_x), [p if p is not None else n_y], [money]]
        next_row = budget_row + 1
        if rules.has_quotas:
            r_rows.append(next_row + rules.group[sites])
            r_cols.append(np.arange(n_y))
            r_vals.append(np.ones(n_y))
            lower.append(rules.group_min.astype(float))
            upper.append(rules.group_max.astype(float))
            next_row += rules.group_min.size
        matrix = sp.csc_array(
            (np.concatenate(r_vals), (np.concatenate(r_rows), np.concatenate(r_cols))),
            shape=(next_row, n_y + n_x + n_z),
        )
        col_lower = np.zeros(n_y + n_x + n_z)
        col_lower[:n_y] = rules.forced[sites].astype(float)
        integer = np.zeros(n_y + n_x + n_z, dtype=bool)
        integer[:n_y] = True
        start = _start(incumbent, sites, rows_e, cols_e, cost_e, n, n_y + n_x + n_z)
        outcome = solve_milp(
            cost=objective,
            matrix=matrix,
            row_lower=np.concatenate([np.asarray(v, dtype=float) for v in lower]),
            row_upper=np.concatenate([np.asarray(v, dtype=float) for v in upper]),
            col_lower=col_lower,
            col_upper=np.ones(n_y + n_x + n_z),
            integer=integer,
            time_limit=deadline - time.perf_counter(),
            start=start,
        )
        found: BoolArray | None = None
        if outcome.x is not None:
            found = np.zeros(m, dtype=bool)
            found[sites[outcome.x[:n_y] > 0.5]] = True
        best_dual = max(best_dual, outcome.dual_bound)
        result = {
            "is_open": found,
            "rounds": rounds,
            "entries": n_x,
            "infeasible": outcome.infeasible,
            "time_limit_hit": outcome.time_limit_hit,
            "dual_bound": best_dual,
            "proven": False,
            "optimum": np.inf,
        }
        if outcome.infeasible or not outcome.optimal or outcome.x is None:
            return result
        overflowed = over[outcome.x[n_y + n_x :] > 1e-6]
        if overflowed.size == 0:
            result.update(proven=True, optimum=outcome.objective)
            return result
        if time.perf_counter() > deadline:
            result["time_limit_hit"] = True
            return result
        keep[overflowed] = np.minimum(sites.size, 2 * keep[overflowed])
        incumbent = found


def _start(
    is_open: BoolArray | None,
    sites: IntArray,
    rows_e: IntArray,
    cols_e: IntArray,
    cost_e: FloatArray,
    n: int,
    size: int,
) -> FloatArray | None:
    """The incumbent as a MILP point (each row at its nearest open listed site), or None."""
    if is_open is None:
        return None
    start = np.zeros(size)
    n_y = sites.size
    start[:n_y] = is_open[sites].astype(float)
    open_entry = is_open[sites][cols_e]
    order = np.lexsort((cost_e, ~open_entry, rows_e))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows_e[order][1:] != rows_e[order][:-1]
    chosen = order[first & open_entry[order]]
    if np.unique(rows_e[chosen]).size != n:
        return None
    start[n_y + chosen] = 1.0
    return start
