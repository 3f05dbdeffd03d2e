"""Coverage models: maximal coverage, set covering and p-centre.

All three work on the cover matrix ``a_ij = 1 if c_ij ≤ threshold`` (a missing sparse entry is
never a cover).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp

from familyreach.locate import _kernels as kernels
from familyreach.locate._highs import solve_milp
from familyreach.locate._pmedian_methods import room_to_add
from familyreach.locate._problem import (
    BoolArray,
    Costs,
    FloatArray,
    IntArray,
    QuotaSpec,
    SiteRules,
    check_costs,
    check_p,
    check_problem,
    check_rules,
    check_weights,
)
from familyreach.locate._swap import aggregate_pairs, best_swap
from familyreach.locate.evaluate import nearest_open
from familyreach.locate.result import LocateResult, relative_gap

TOLERANCE = 1e-9


def _check_threshold(radius: Any, name: str = "radius") -> float:
    try:
        value = float(radius)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {radius!r}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {radius!r}")
    return value


def _check_site_costs(site_costs: Any, m: int) -> FloatArray:
    values = np.asarray(site_costs, dtype=np.float64)
    if values.ndim != 1 or values.size != m:
        raise ValueError(
            f"site_costs must have one value per candidate column: expected {m}, got {values.size}"
        )
    if np.isnan(values).any() or np.isinf(values).any() or (values < 0).any():
        raise ValueError("site_costs must be finite non-negative numbers")
    return values


def _cover_matrix(checked: Costs, radius: float, rules: SiteRules) -> sp.csr_array:
    cover = checked.within(radius)
    if not rules.allowed.all():
        cover = sp.csr_array(cover @ sp.diags_array(rules.allowed.astype(float)))
        cover.eliminate_zeros()
        cover = sp.csr_array(cover.astype(bool))
    return cover


def _merge_identical_rows(
    cover: sp.csr_array, weights: FloatArray
) -> tuple[sp.csr_array, FloatArray, IntArray]:
    """Rows with the same cover set act as one row of summed weight; rows nobody covers go."""
    counts = np.diff(cover.indptr)
    keep = np.flatnonzero(counts > 0)
    cover = sp.csr_array(cover[keep])
    cover.sort_indices()
    keys = [
        cover.indices[cover.indptr[k] : cover.indptr[k + 1]].tobytes() for k in range(keep.size)
    ]
    first: dict[bytes, int] = {}
    first_rows: list[int] = []
    group = np.empty(keep.size, dtype=np.int64)
    for k, key in enumerate(keys):
        label = first.setdefault(key, len(first))
        if label == len(first_rows):
            first_rows.append(k)
        group[k] = label
    representatives = np.asarray(first_rows, dtype=np.int64)
    merged_weights = np.bincount(group, weights=weights[keep])
    return sp.csr_array(cover[representatives]), merged_weights, keep[representatives]


def _coverage_state(cover: sp.csr_array, is_open: BoolArray) -> IntArray:
    counts: IntArray = (cover.astype(np.int64) @ is_open[: cover.shape[1]].astype(np.int64)).astype(
        np.int64
    )
    return counts


def _greedy_cover(
    cover: sp.csr_array,
    weights: FloatArray,
    rules: SiteRules,
    p: int | None,
    site_costs: FloatArray | None,
    budget: float | None,
) -> BoolArray:
    """Add the site covering most uncovered weight (per unit of site cost with a budget)."""
    m = rules.m
    cover_t = sp.csr_array(cover.T.astype(np.float64))
    is_open = np.zeros(m + 1, dtype=bool)
    is_open[:m] = rules.forced
    is_open[m] = True
    counts = _coverage_state(cover, is_open)
    spent = float(site_costs[rules.forced].sum()) if site_costs is not None else 0.0
    while True:
        opened = int(is_open[:m].sum())
        if p is not None and opened >= p:
            break
        gain = cover_t @ (weights * (counts == 0))
        candidates = rules.allowed & ~is_open[:m]
        if p is not None:
            candidates &= room_to_add(rules, is_open, p)
        elif rules.has_quotas:
            candidates &= rules.counts(is_open)[rules.group] < rules.group_max[rules.group]
        if site_costs is not None and budget is not None:
            candidates &= site_costs <= budget - spent + 1e-9
            score = gain / np.maximum(site_costs, 1e-12)
        else:
            score = gain
        if not candidates.any():
            break
        score = np.where(candidates, score, -np.inf)
        u = int(np.argmax(score))
        if gain[u] <= 0 and p is None:
            break
        is_open[u] = True
        counts += _column(cover, u)
        if site_costs is not None:
            spent += float(site_costs[u])
    return is_open


def _column(cover: sp.csr_array, u: int) -> IntArray:
    column: IntArray = (cover[:, [u]].toarray().ravel() > 0).astype(np.int64)
    return column


def _coverage_swap(
    cover: sp.csr_array,
    weights: FloatArray,
    rules: SiteRules,
    is_open: BoolArray,
    deadline: float,
    site_costs: FloatArray | None,
    budget: float | None,
) -> tuple[BoolArray, bool]:
    """Best-improvement swaps with Resende–Werneck gain/loss/extra for coverage."""
    m = rules.m
    is_open = is_open.copy()
    cover_t = sp.csr_array(cover.T.astype(np.float64))
    rows_of_entry = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    columns = cover.indices
    while time.perf_counter() < deadline:
        counts = _coverage_state(cover, is_open)
        gain = np.append(cover_t @ (weights * (counts == 0)), 0.0)
        single = counts[rows_of_entry] == 1
        sole_entry = single & is_open[columns]
        sole = np.full(cover.shape[0], m, dtype=np.int64)
        sole[rows_of_entry[sole_entry]] = columns[sole_entry]
        loss = np.bincount(sole, weights=weights * (counts == 1), minlength=m + 1)
        extra_mask = single & ~is_open[columns]
        extra_in, extra_out, extra_value = aggregate_pairs(
            columns[extra_mask].astype(np.int64),
            sole[rows_of_entry[extra_mask]],
            weights[rows_of_entry[extra_mask]],
            m + 1,
        )
        room = 0.0
        if site_costs is not None and budget is not None:
            room = budget - float(site_costs[is_open[:m]].sum())
        u, v, profit = best_swap(
            gain=gain,
            loss=loss,
            extra_in=extra_in,
            extra_out=extra_out,
            extra_value=extra_value,
            is_open=is_open,
            rules=rules,
            budget_cost=site_costs if budget is not None else None,
            budget_room=room,
        )
        if u < 0 or profit <= TOLERANCE * max(1.0, float(weights.sum())):
            return is_open, False
        is_open[u] = True
        is_open[v] = False
    return is_open, True


def _quota_rows(rules: SiteRules, columns: IntArray, first_row: int) -> tuple[list[Any], ...]:
    if not rules.has_quotas:
        return [], [], [], [], []
    return (
        [first_row + rules.group[columns]],
        [np.arange(columns.size)],
        [np.ones(columns.size)],
        [rules.group_min.astype(float)],
        [rules.group_max.astype(float)],
    )


def max_coverage(
    costs: Any,
    weights: Any,
    p: int | None = None,
    *,
    radius: float,
    site_costs: Any = None,
    budget: float | None = None,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    time_limit: float = 60.0,
    seed: int = 0,
    method: str = "auto",
    perturbation_rounds: int = 30,
) -> LocateResult:
    """Open sites to maximise the weight of demand within ``radius`` of an open site.

    Either ``p`` sites (exactly), or sites whose ``site_costs`` sum to at most ``budget`` (then
    ``p``, if also given, caps their number). ``bound`` is a proven upper bound on the covered
    weight. After greedy and swap local search, ``perturbation_rounds`` of iterated local
    search (random kicks drawn from ``seed``) run when ``p`` fixes the number of sites; then the
    LP relaxation gives a bound and HiGHS the MILP within the time limit.
    """
    started = time.perf_counter()
    deadline = started + float(time_limit)
    checked = check_costs(costs)
    w = check_weights(weights, checked.n)
    threshold = _check_threshold(radius)
    if p is None and budget is None:
        raise ValueError("max_coverage needs p (number of sites) or budget with site_costs")
    if p is not None:
        p = check_p(p, checked.m)
    costs_of_sites = None
    if budget is not None:
        if site_costs is None:
            raise ValueError("budget needs site_costs (one cost per candidate)")
        budget = _check_threshold(budget, "budget")
        costs_of_sites = _check_site_costs(site_costs, checked.m)
    elif site_costs is not None:
        raise ValueError(
            "site_costs without budget: give a budget (or use set_cover for least cost)"
        )
    rules = check_rules(
        m=checked.m,
        p=p if budget is None else None,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
    )
    if costs_of_sites is not None and budget is not None:
        forced_cost = float(costs_of_sites[rules.forced].sum())
        if forced_cost > budget + 1e-9:
            raise ValueError(f"forced sites cost {forced_cost:g}, above the budget {budget:g}")
        if p is not None and rules.forced.sum() > p:
            raise ValueError(f"{int(rules.forced.sum())} sites are forced open but p={p}")
    cover_full = _cover_matrix(checked, threshold, rules)
    cover, merged_w, _ = _merge_identical_rows(cover_full, w)
    exact_p = p if budget is None else None
    m_cols = checked.m

    methods = ["greedy"]
    incumbent = _greedy_cover(cover, merged_w, rules, p, costs_of_sites, budget)
    time_limit_hit = False
    if method != "exact-only":
        incumbent, stopped = _coverage_swap(
            cover, merged_w, rules, incumbent, deadline, costs_of_sites, budget
        )
        methods.append("swap")
        time_limit_hit |= stopped
    best = _covered(cover, merged_w, incumbent)
    bound = float(merged_w.sum())
    model = _coverage_model(cover, merged_w, rules, exact_p, p, costs_of_sites, budget)
    if method != "heuristic" and best < bound:
        # The LP relaxation first: a proven upper bound even if the MILP gets nowhere in time.
        relaxation = solve_milp(**model, time_limit=deadline - time.perf_counter(), relax=True)
        methods.append("lp-bound")
        if np.isfinite(relaxation.dual_bound):
            # Interior point without crossover: allow for its 1e-7 relative tolerance.
            bound = min(bound, relaxation.dual_bound * (1 + 1e-6))
        time_limit_hit |= relaxation.time_limit_hit
    tabu_iterations = 0
    if budget is None and best < bound and method != "exact":
        # Tabu search with incremental gains (compiled): most of the remaining time, as the
        # MILP rarely improves on it for large instances; it stops early once it stagnates.
        methods.append("tabu")
        remaining = deadline - time.perf_counter()
        incumbent, best, tabu_iterations = _coverage_tabu_search(
            cover,
            merged_w,
            rules,
            incumbent,
            best,
            bound,
            seed,
            time.perf_counter() + 0.8 * remaining,
        )
    if budget is None and perturbation_rounds and best < bound and method != "exact":
        methods.append("iterated-local-search")
        remaining = deadline - time.perf_counter()
        incumbent, best, _ = _coverage_perturb(
            cover,
            merged_w,
            rules,
            incumbent,
            best,
            perturbation_rounds,
            seed,
            time.perf_counter() + 0.5 * remaining,
        )
    details: dict[str, Any] = {
        "rows_after_merging": int(cover.shape[0]),
        "cover_entries": int(cover.nnz),
        "heuristic_objective": best,
        "tabu_iterations": tabu_iterations,
    }
    proven = best >= bound - TOLERANCE * max(1.0, bound)
    if not proven and method != "heuristic" and time.perf_counter() < deadline:
        start = np.concatenate(
            [
                incumbent[:m_cols].astype(float),
                (_coverage_state(cover, incumbent) > 0).astype(float),
            ]
        )
        outcome = solve_milp(**model, time_limit=deadline - time.perf_counter(), start=start)
        x = None if outcome.x is None else outcome.x[:m_cols] > 0.5
        methods.append("highs-milp")
        time_limit_hit |= outcome.time_limit_hit
        details["milp_nodes"] = outcome.nodes
        if x is not None:
            candidate = np.append(x, True)
            value = _covered(cover, merged_w, candidate)
            if value > best:
                incumbent, best = candidate, value
        if np.isfinite(outcome.dual_bound):
            bound = min(bound, max(outcome.dual_bound, best))
        proven = outcome.optimal or best >= bound - TOLERANCE * max(1.0, bound)
    sites = np.flatnonzero(incumbent[: checked.m]).astype(np.int64)
    assignment, assigned = nearest_open(checked, sites)
    assignment[assigned > threshold] = -1
    objective = float(w[assignment >= 0].sum())
    if proven:
        bound = objective
    return LocateResult(
        sites=sites,
        objective=objective,
        bound=float(bound),
        gap=relative_gap(objective, bound),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status="optimal" if proven else ("time_limit" if time_limit_hit else "feasible"),
        proven_optimal=bool(proven),
        method="+".join(methods),
        time_limit_hit=time_limit_hit,
        details=details,
    )


#: Tabu search stops after max(this, 100·p) iterations without a better solution (and at its
#: deadline, and at the bound).
TABU_STAGNATION = 3_000
TABU_CHUNK = 250


def _coverage_tabu_search(
    cover: sp.csr_array,
    weights: FloatArray,
    rules: SiteRules,
    incumbent: BoolArray,
    best: float,
    bound: float,
    seed: int,
    deadline: float,
    tenure: tuple[int, int] | None = None,
) -> tuple[BoolArray, float, int]:
    """Tabu search over swaps (see `kernels.coverage_tabu`), in chunks between deadline checks.

    Deterministic for a seed unless the deadline stops it (then the chunks done decide).
    """
    m = rules.m
    cover = sp.csr_array(cover.astype(bool))
    cover.sort_indices()
    by_column = sp.csc_array(cover)
    by_column.sort_indices()
    row_ptr = cover.indptr.astype(np.int64)
    row_cols = cover.indices.astype(np.int64)
    col_ptr = by_column.indptr.astype(np.int64)
    col_rows = by_column.indices.astype(np.int64)
    current = incumbent[:m].copy()
    best_open = current.copy()
    tabu_until = np.zeros(m, dtype=np.int64)
    p = int(current.sum())
    if tenure is None:
        tenure = (max(1, min(50, (int(rules.allowed.sum()) - p) // 4)), max(1, p // 4))
    iteration = 0
    last_best_at = 0
    chunk = 0
    patience = max(TABU_STAGNATION, 100 * p)
    while time.perf_counter() < deadline and iteration - last_best_at < patience:
        if best >= bound - TOLERANCE * max(1.0, bound):
            break
        value, _, reached = kernels.coverage_tabu(
            row_ptr,
            row_cols,
            col_ptr,
            col_rows,
            weights,
            current,
            best_open,
            best,
            rules.allowed,
            rules.forced,
            rules.group,
            rules.group_min,
            rules.group_max,
            tabu_until,
            iteration,
            TABU_CHUNK,
            tenure[0],
            tenure[1],
            seed * 1_000_003 + chunk,
        )
        chunk += 1
        if value > best + TOLERANCE * max(1.0, abs(best)):
            best = value
            last_best_at = iteration
        if reached < iteration + TABU_CHUNK:
            iteration = reached
            break  # no move allowed at all
        iteration = reached
    if best > _covered(cover, weights, incumbent):
        incumbent = np.append(best_open, True)
    return incumbent, _covered(cover, weights, incumbent), iteration


def _coverage_perturb(
    cover: sp.csr_array,
    weights: FloatArray,
    rules: SiteRules,
    incumbent: BoolArray,
    best: float,
    rounds: int,
    seed: int,
    deadline: float,
) -> tuple[BoolArray, float, bool]:
    """Iterated local search: close a few random open sites, open random closed ones of the
    same group (quotas stay met), re-run swap search, keep the result if it covers more."""
    rng = np.random.default_rng(seed)
    m = rules.m
    p = int(incumbent[:m].sum())
    for _ in range(rounds):
        if time.perf_counter() > deadline:
            return incumbent, best, True
        trial = incumbent.copy()
        movable = np.flatnonzero(trial[:m] & ~rules.forced)
        if movable.size == 0:
            break
        for v in rng.choice(movable, size=min(movable.size, max(2, p // 10)), replace=False):
            same = np.flatnonzero(rules.allowed & ~trial[:m] & (rules.group == rules.group[v]))
            if same.size:
                trial[v] = False
                trial[int(rng.choice(same))] = True
        trial, stopped = _coverage_swap(cover, weights, rules, trial, deadline, None, None)
        value = _covered(cover, weights, trial)
        if value > best:
            incumbent, best = trial, value
        if stopped:
            return incumbent, best, True
    return incumbent, best, False


def _covered(cover: sp.csr_array, weights: FloatArray, is_open: BoolArray) -> float:
    return float(weights[_coverage_state(cover, is_open) > 0].sum())


def _coverage_model(
    cover: sp.csr_array,
    weights: FloatArray,
    rules: SiteRules,
    exact_p: int | None,
    max_p: int | None,
    site_costs: FloatArray | None,
    budget: float | None,
) -> dict[str, Any]:
    """max Σ w_i z_i  s.t.  z_i ≤ Σ_{j covers i} y_j, site rules; y binary, z in [0, 1]."""
    n, m = cover.shape
    coo = sp.coo_array(cover)
    n_var = m + n
    rows: list[Any] = [coo.row, np.arange(n)]
    cols: list[Any] = [coo.col, m + np.arange(n)]
    vals: list[Any] = [-np.ones(coo.nnz), np.ones(n)]
    lower: list[Any] = [np.full(n, -np.inf)]
    upper: list[Any] = [np.zeros(n)]
    next_row = n
    all_cols = np.arange(m)
    if exact_p is not None or max_p is not None:
        rows.append(np.full(m, next_row))
        cols.append(all_cols)
        vals.append(np.ones(m))
        lower.append([float(exact_p) if exact_p is not None else 0.0])
        most = exact_p if exact_p is not None else max_p
        assert most is not None
        upper.append([float(most)])
        next_row += 1
    if site_costs is not None and budget is not None:
        rows.append(np.full(m, next_row))
        cols.append(all_cols)
        vals.append(site_costs)
        lower.append([-np.inf])
        upper.append([budget])
        next_row += 1
    if rules.has_quotas:
        rows.append(next_row + rules.group)
        cols.append(all_cols)
        vals.append(np.ones(m))
        lower.append(rules.group_min.astype(float))
        upper.append(rules.group_max.astype(float))
        next_row += rules.group_min.size
    matrix = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(next_row, n_var),
    )
    col_lower = np.zeros(n_var)
    col_lower[:m] = rules.forced
    col_upper = np.ones(n_var)
    col_upper[:m] = rules.allowed
    integer = np.zeros(n_var, dtype=bool)
    integer[:m] = True
    return {
        "cost": np.concatenate([np.zeros(m), weights]),
        "matrix": matrix,
        "row_lower": np.concatenate([np.asarray(v, dtype=float) for v in lower]),
        "row_upper": np.concatenate([np.asarray(v, dtype=float) for v in upper]),
        "col_lower": col_lower,
        "col_upper": col_upper,
        "integer": integer,
        "maximise": True,
    }


def set_cover(
    costs: Any,
    weights: Any = None,
    *,
    radius: float,
    site_costs: Any = None,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    time_limit: float = 60.0,
    seed: int = 0,
) -> LocateResult:
    """Fewest sites (or least total ``site_costs``) so that every demand row with positive
    weight (every row when ``weights`` is None) is within ``radius`` of an open site.

    ``objective`` is the number of sites (or their cost); ``bound`` a proven lower bound.
    """
    del seed  # deterministic
    started = time.perf_counter()
    deadline = started + float(time_limit)
    checked = check_costs(costs)
    w = check_weights(weights, checked.n)
    threshold = _check_threshold(radius)
    price = np.ones(checked.m) if site_costs is None else _check_site_costs(site_costs, checked.m)
    rules = check_rules(
        m=checked.m,
        p=None,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
    )
    cover_full = _cover_matrix(checked, threshold, rules)
    needed = w > 0
    stranded = np.flatnonzero(needed & (np.diff(cover_full.indptr) == 0))
    if stranded.size:
        shown = ", ".join(str(int(r)) for r in stranded[:20])
        more = f" … ({stranded.size} rows)" if stranded.size > 20 else ""
        raise ValueError(
            f"no allowed candidate within radius {threshold:g} of demand rows {shown}{more}"
        )
    cover, _, _ = _merge_identical_rows(sp.csr_array(cover_full[np.flatnonzero(needed)]), w[needed])
    n, m = cover.shape
    # Greedy by uncovered rows per unit cost, then drop redundant sites: a warm start.
    is_open = _greedy_set_cover(cover, rules, price)
    coo = sp.coo_array(cover)
    rows: list[Any] = [coo.row]
    cols: list[Any] = [coo.col]
    vals: list[Any] = [np.ones(coo.nnz)]
    lower: list[Any] = [np.ones(n)]
    upper: list[Any] = [np.full(n, np.inf)]
    next_row = n
    if rules.has_quotas:
        rows.append(next_row + rules.group)
        cols.append(np.arange(m))
        vals.append(np.ones(m))
        lower.append(rules.group_min.astype(float))
        upper.append(rules.group_max.astype(float))
        next_row += rules.group_min.size
    matrix = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(next_row, m)
    )
    start = is_open[:m].astype(float) if _feasible_cover(cover, rules, is_open) else None
    outcome = solve_milp(
        cost=price,
        matrix=matrix,
        row_lower=np.concatenate([np.asarray(v, dtype=float) for v in lower]),
        row_upper=np.concatenate([np.asarray(v, dtype=float) for v in upper]),
        col_lower=rules.forced.astype(float),
        col_upper=rules.allowed.astype(float),
        integer=np.ones(m, dtype=bool),
        time_limit=deadline - time.perf_counter(),
        start=start,
    )
    if outcome.infeasible:
        raise ValueError("no set of sites covers every demand row while meeting the group quotas")
    if outcome.x is not None:
        chosen = outcome.x > 0.5
    elif start is not None:
        chosen = is_open[:m]
    else:
        raise ValueError("set cover found no feasible solution within the time limit")
    sites = np.flatnonzero(chosen).astype(np.int64)
    objective = float(price[sites].sum())
    bound = max(0.0, float(outcome.dual_bound)) if np.isfinite(outcome.dual_bound) else 0.0
    if site_costs is None:
        bound = float(np.ceil(bound - 1e-6))
    proven = outcome.optimal or objective <= bound + TOLERANCE * max(1.0, objective)
    if proven:
        bound = objective
    assignment, assigned = nearest_open(checked, sites)
    assignment[assigned > threshold] = -1
    return LocateResult(
        sites=sites,
        objective=objective,
        bound=float(min(bound, objective)),
        gap=relative_gap(objective, min(bound, objective)),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status="optimal" if proven else ("time_limit" if outcome.time_limit_hit else "feasible"),
        proven_optimal=bool(proven),
        method="greedy+highs-milp",
        time_limit_hit=outcome.time_limit_hit,
        details={"rows_after_merging": int(n), "milp_nodes": outcome.nodes},
    )


def _greedy_set_cover(cover: sp.csr_array, rules: SiteRules, price: FloatArray) -> BoolArray:
    m = rules.m
    cover_t = sp.csr_array(cover.T.astype(np.float64))
    is_open = np.zeros(m + 1, dtype=bool)
    is_open[:m] = rules.forced
    for g, minimum in enumerate(rules.group_min):
        members = np.flatnonzero((rules.group == g) & rules.allowed & ~is_open[:m])
        short = int(minimum - is_open[:m][rules.group == g].sum())
        if short > 0:
            is_open[members[np.argsort(price[members], kind="stable")[:short]]] = True
    counts = _coverage_state(cover, is_open)
    while (counts == 0).any():
        gain = cover_t @ (counts == 0).astype(float)
        room = rules.counts(is_open)[rules.group] < rules.group_max[rules.group]
        candidates = rules.allowed & ~is_open[:m] & room & (gain > 0)
        if not candidates.any():
            break
        score = np.where(candidates, gain / np.maximum(price, 1e-12), -np.inf)
        u = int(np.argmax(score))
        is_open[u] = True
        counts += _column(cover, u)
    return is_open


def _feasible_cover(cover: sp.csr_array, rules: SiteRules, is_open: BoolArray) -> bool:
    counts = rules.counts(is_open)
    return bool(
        (_coverage_state(cover, is_open) > 0).all()
        and (counts >= rules.group_min).all()
        and (counts <= rules.group_max).all()
    )


def p_centre(
    costs: Any,
    weights: Any,
    p: int,
    *,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    time_limit: float = 60.0,
    seed: int = 0,
) -> LocateResult:
    """Open ``p`` sites minimising the worst cost from a demand row (with positive weight, or
    every row when ``weights`` is None) to its nearest open site.

    Binary search over the distinct costs; each step asks whether ``p`` sites (meeting the rules)
    can cover every row within that cost — greedy first, HiGHS when greedy fails.
    """
    del seed  # deterministic
    started = time.perf_counter()
    deadline = started + float(time_limit)
    checked, w, p_checked, rules = check_problem(
        costs,
        weights,
        p,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
    )
    assert p_checked is not None
    p = p_checked
    needed = np.flatnonzero(w > 0)
    if needed.size == 0:
        needed = np.arange(checked.n)
    if checked.dense is not None:
        sub = checked.dense[np.ix_(needed, np.flatnonzero(rules.allowed))]
        values = np.unique(sub)
        nearest = sub.min(axis=1)
    else:
        assert checked.sparse is not None
        rows_sparse = sp.csr_array(checked.sparse[needed][:, np.flatnonzero(rules.allowed)])
        if (np.diff(rows_sparse.indptr) == 0).any():
            stranded = needed[np.diff(rows_sparse.indptr) == 0]
            raise ValueError(f"demand rows with no allowed candidate: {stranded[:20].tolist()}")
        values = np.unique(rows_sparse.data)
        nearest = np.minimum.reduceat(rows_sparse.data, rows_sparse.indptr[:-1])
    lo = int(np.searchsorted(values, nearest.max()))
    hi = values.size - 1
    sub_costs = Costs(
        n=needed.size,
        m=checked.m,
        dense=checked.dense[needed] if checked.dense is not None else None,
        sparse=sp.csr_array(checked.sparse[needed]) if checked.sparse is not None else None,
    )
    best_sites: BoolArray | None = None
    time_limit_hit = False
    checks = 0
    # Invariant: values[hi] is feasible once a solution is known; values[< lo] are infeasible.
    while lo <= hi:
        if time.perf_counter() > deadline:
            time_limit_hit = True
            break
        mid = (lo + hi) // 2 if best_sites is not None else hi if checks == 0 else (lo + hi) // 2
        checks += 1
        found, decided = _centre_feasible(sub_costs, float(values[mid]), rules, p, deadline)
        if not decided:
            time_limit_hit = True
            break
        if found is not None:
            best_sites = found
            hi = mid - 1
            # Tighten to the solution's own worst cost.
            worst = _worst(sub_costs, found)
            hi = min(hi, int(np.searchsorted(values, worst)) - 1)
        else:
            lo = mid + 1
    if best_sites is None:
        raise ValueError("p-centre found no feasible solution within the time limit")
    sites = np.flatnonzero(best_sites[: checked.m]).astype(np.int64)
    assignment, assigned = nearest_open(checked, sites)
    objective = float(assigned[needed].max())
    bound = float(values[min(lo, values.size - 1)]) if lo <= values.size - 1 else objective
    bound = min(bound, objective)
    proven = objective <= bound + TOLERANCE * max(1.0, objective)
    return LocateResult(
        sites=sites,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status="optimal" if proven else ("time_limit" if time_limit_hit else "feasible"),
        proven_optimal=bool(proven),
        method="binary-search+greedy+highs-feasibility",
        time_limit_hit=time_limit_hit,
        details={"feasibility_checks": checks},
    )


def _worst(costs: Costs, is_open: BoolArray) -> float:
    _, assigned = nearest_open(costs, np.flatnonzero(is_open[: costs.m]).astype(np.int64))
    return float(assigned.max())


def _centre_feasible(
    costs: Costs, threshold: float, rules: SiteRules, p: int, deadline: float
) -> tuple[BoolArray | None, bool]:
    """Can ``p`` sites meeting the rules cover every row within ``threshold``?

    Returns (sites or None, decided); decided is False when the time limit cut the check short.
    """
    cover = _cover_matrix(costs, threshold, rules)
    if (np.diff(cover.indptr) == 0).any():
        return None, True
    unit = np.ones(cover.shape[0])
    greedy = _greedy_cover(cover, unit, rules, p, None, None)
    if (_coverage_state(cover, greedy) > 0).all():
        return greedy, True
    merged, _, _ = _merge_identical_rows(cover, unit)
    n, m = merged.shape
    coo = sp.coo_array(merged)
    rows: list[Any] = [coo.row, np.full(m, n)]
    cols: list[Any] = [coo.col, np.arange(m)]
    vals: list[Any] = [np.ones(coo.nnz), np.ones(m)]
    lower: list[Any] = [np.ones(n), [float(p)]]
    upper: list[Any] = [np.full(n, np.inf), [float(p)]]
    next_row = n + 1
    if rules.has_quotas:
        rows.append(next_row + rules.group)
        cols.append(np.arange(m))
        vals.append(np.ones(m))
        lower.append(rules.group_min.astype(float))
        upper.append(rules.group_max.astype(float))
        next_row += rules.group_min.size
    matrix = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(next_row, m)
    )
    outcome = solve_milp(
        cost=np.zeros(m),
        matrix=matrix,
        row_lower=np.concatenate([np.asarray(v, dtype=float) for v in lower]),
        row_upper=np.concatenate([np.asarray(v, dtype=float) for v in upper]),
        col_lower=rules.forced.astype(float),
        col_upper=rules.allowed.astype(float),
        integer=np.ones(m, dtype=bool),
        time_limit=deadline - time.perf_counter(),
    )
    if outcome.infeasible:
        return None, True
    if outcome.x is not None:
        found = np.append(outcome.x > 0.5, True)
        return found, True
    return None, False
