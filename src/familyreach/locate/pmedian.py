"""The p-median model: open p sites to minimise total weighted travel."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from familyreach.locate import _branch as branching
from familyreach.locate import _pmedian as core
from familyreach.locate import _radius
from familyreach.locate._highs import solve_milp
from familyreach.locate._problem import (
    BoolArray,
    Costs,
    FloatArray,
    IntArray,
    QuotaSpec,
    SiteRules,
    check_costs,
    check_p,
    check_rules,
    check_weights,
)
from familyreach.locate.evaluate import nearest_open
from familyreach.locate.result import LocateResult, relative_gap

if TYPE_CHECKING:
    pass

METHODS = ("auto", "exact", "radius", "heuristic")
MAX_EXACT_ENTRIES = 3_000_000
#: Lagrangian branch and bound runs when at most this many candidates are left after fixing
#: (above it, the reduced HiGHS MILP runs instead).
BRANCH_MAX_COLUMNS = 600
#: ... and when rows × those candidates stay below this (its lists and node stack fit in memory).
BRANCH_MAX_ENTRIES = 5_000_000
#: "auto" solves the radius formulation with HiGHS instead of the branch and bound when p is at
#: least this share of the allowed candidates (many sites, each serving few rows: the
#: Lagrangian search then branches a lot while the radius model stays small; docs/locate.md).
RADIUS_FROM_SHARE = 0.1
#: ... after at most this many chunks of 50 branch-and-bound nodes.
BRANCH_CHUNKS_BEFORE_RADIUS = 20
#: Rounds of subgradient ascent, each followed by local search from the Lagrangian choices
#: (one when the branch and bound follows for certain).
LAGRANGIAN_ROUNDS = 4
#: Relative gap at which a result counts as proven optimal (HiGHS's own MIP gap is 1e-7).
OPTIMALITY_TOLERANCE = 1e-7


def p_median(
    costs: Any,
    weights: Any,
    p: int,
    *,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    capacities: Any = None,
    time_limit: float = 60.0,
    seed: int = 0,
    method: str = "auto",
    perturbation_rounds: int = 0,
) -> LocateResult:
    """Open ``p`` sites minimising ``Σ_i w_i · min_{j open} c_ij``.

    Args:
        costs: demand rows × candidate columns, dense array or scipy sparse matrix (a missing
            sparse entry means that demand may not use that candidate, e.g. the k-nearest lists).
        weights: one non-negative weight per demand row (None for all ones).
        p: number of sites to open.
        forced_open: columns that must open (count towards p).
        excluded: columns that may not open.
        groups: one label per candidate column (e.g. its district code), for quotas.
        group_min, group_max: sites per group, an int for every group or a mapping label → int.
        capacities: optional per-column capacity in weight units; demand may then be split
            between sites (solved by MILP only).
        time_limit: seconds; the result says whether it was hit.
        seed: seeds the perturbation of iterated local search (``perturbation_rounds``).
        method: "auto" (heuristic, bound, then the branch and bound; for large p the radius
            formulation with HiGHS if that has not finished in 1,000 nodes; the reduced MILP
            for many candidates), "exact" (always the reduced MILP), "radius" (always the
            radius formulation, `_radius`), "heuristic" (no exact stage).
        perturbation_rounds: rounds of iterated local search after the first local optimum.

    Returns:
        A `LocateResult`; ``bound`` is a proven lower bound, ``proven_optimal`` is True only when
        the bound meets the objective.
    """
    started = time.perf_counter()
    deadline = started + float(time_limit)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    checked = check_costs(costs)
    w = check_weights(weights, checked.n)
    p = check_p(p, checked.m)
    rules = check_rules(
        m=checked.m,
        p=p,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
    )
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    _check_rows_reachable(checked, rules)
    index, cost = checked.neighbour_lists(rules.allowed)
    if capacities is not None:
        caps = _check_capacities(capacities, checked.m, w, p, rules)
        return _capacitated(
            checked, w, p, rules, caps, index, cost, started, deadline, method, seed
        )

    details: dict[str, Any] = {}
    methods = ["greedy", "swap"]
    incumbent = core.greedy(index, cost, w, rules, p)
    # Leave time for the bound: the first local search may use 60 % of the limit.
    search_deadline = started + 0.6 * float(time_limit)
    incumbent, upper, swaps, stopped = core.local_search(
        index, cost, w, rules, incumbent, search_deadline
    )
    details["swaps"] = swaps
    details["seconds_search"] = time.perf_counter() - started
    time_limit_hit = stopped
    if perturbation_rounds:
        methods.append("iterated-local-search")
        incumbent, upper, stopped = _perturb(
            index, cost, w, rules, p, incumbent, upper, perturbation_rounds, seed, deadline
        )
        time_limit_hit |= stopped

    near = core.nearest_two(index, cost, incumbent)
    width = int(min(index.shape[1] - 2, max(16, 2 * int(np.percentile(near.pos2, 99)) + 2)))
    width = max(width, 1)
    # Rounds of subgradient ascent; after each, local search from the Lagrangian site choices,
    # which often beats the incumbent and sharpens the next round's step target.
    multipliers = near.d1
    lower = -np.inf
    iterations = 0
    tried: set[bytes] = set()
    methods.append("lagrangian")
    # When the branch and bound will take over for certain (few enough candidates), one round
    # is enough: its own root ascent and node bounds do the rest, faster than more rounds here.
    small = checked.m <= BRANCH_MAX_COLUMNS and checked.n * checked.m <= BRANCH_MAX_ENTRIES
    rounds = 1 if method == "auto" and small else LAGRANGIAN_ROUNDS
    for _ in range(rounds):
        lagrangian = core.lagrangian_bound(
            index,
            cost,
            w,
            rules,
            p,
            upper=upper,
            start=multipliers,
            width=width,
            deadline=deadline,
            max_iterations=1000,
        )
        iterations += lagrangian.iterations
        multipliers = lagrangian.multipliers
        lower = max(lower, lagrangian.bound)
        improved_any = False
        # On large instances the bound needs the time more: restart only from the last choice.
        restarts = lagrangian.candidates if p < core.BATCH_FROM_P else lagrangian.candidates[-1:]
        for candidate in restarts:
            key = np.flatnonzero(candidate).tobytes()
            if key in tried:
                continue  # the same Lagrangian choice again: its local optimum is known
            tried.add(key)
            # Each restart gets a tenth of the limit, so the bound keeps most of the time.
            restart_deadline = min(deadline, time.perf_counter() + 0.1 * float(time_limit))
            improved, value, _, stopped = core.local_search(
                index, cost, w, rules, np.append(candidate, True), restart_deadline
            )
            time_limit_hit |= stopped
            if value < upper - 1e-9 * max(1.0, upper):
                incumbent, upper, improved_any = improved, value, True
        if upper - lower <= 1e-9 * max(1.0, abs(upper)) or time.perf_counter() > deadline:
            break
        if not improved_any and lagrangian.iterations < 1000:
            break
    details["lagrangian_iterations"] = iterations
    details["seconds_to_bound"] = time.perf_counter() - started
    details["lagrangian_bound"] = lower
    details["heuristic_objective"] = upper

    proven = upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    if not proven and method != "heuristic" and time.perf_counter() < deadline:
        fixed_closed, fixed_open, _ = core.reduced_cost_fixing(
            index[:, :width], cost[:, :width], w, rules, p, multipliers, upper
        )
        details["fixed_closed"] = int((fixed_closed & rules.allowed).sum())
        details["fixed_open"] = int((fixed_open & ~rules.forced).sum())
        near = core.nearest_two(index, cost, incumbent)
        estimate = int(((~np.append(fixed_closed, True))[index] & (cost <= near.d2[:, None])).sum())
        details["exact_entries_estimate"] = estimate
        candidates_left = int((~fixed_closed).sum())
        # Many sites, each serving few rows (p at least a tenth of the candidates): the radius
        # formulation stays small and HiGHS proves it in seconds where the branch and bound may
        # need tens of thousands of nodes; a short branch and bound first still settles the
        # easy ones faster (docs/locate.md, "Large p").
        large_p = p >= RADIUS_FROM_SHARE * int(rules.allowed.sum())
        use_radius = method == "radius" or (method == "auto" and large_p)
        if (
            method == "auto"
            and candidates_left <= BRANCH_MAX_COLUMNS
            and checked.n * candidates_left <= BRANCH_MAX_ENTRIES
        ):
            # Lagrangian branch and bound over the sites left after fixing: the bound at each
            # node is the Lagrangian one, warm-started from the parent (see docs/locate.md).
            status = np.zeros(checked.m, dtype=np.int8)
            status[fixed_closed] = branching.CLOSED
            status[fixed_open] = branching.OPEN
            chunks = [0]
            budget_spent = [False]

            def stop() -> bool:
                # Called between chunks of nodes: the deadline, and with the radius stage to
                # follow a node budget (counted, so the result does not depend on the clock).
                if time.perf_counter() > deadline:
                    return True
                chunks[0] += 1
                if use_radius and chunks[0] > BRANCH_CHUNKS_BEFORE_RADIUS:
                    budget_spent[0] = True
                    return True
                return False

            searched = branching.branch_and_bound(
                index,
                cost,
                w,
                group=rules.group,
                group_min=rules.group_min,
                group_max=rules.group_max,
                p=p,
                status=status,
                multipliers=multipliers,
                root_bound=lower,
                upper=upper,
                deadline_check=stop,
            )
            methods.append("lagrangian-branch-and-bound")
            details["branch_nodes"] = searched.nodes
            details["branch_columns"] = candidates_left
            if searched.is_open is not None:
                candidate = np.append(searched.is_open, True)
                value = core.objective_of(index, cost, w, candidate)
                if value < upper:
                    incumbent, upper = candidate, value
            lower = max(lower, min(upper, searched.bound))
            time_limit_hit |= not searched.finished and not budget_spent[0]
            proven = searched.finished or upper - lower <= OPTIMALITY_TOLERANCE * max(
                1.0, abs(upper)
            )
            use_radius = use_radius and budget_spent[0] and not proven
        elif not use_radius and (method == "exact" or estimate <= MAX_EXACT_ENTRIES):
            exact = core.exact_reduced(
                index,
                cost,
                w,
                rules,
                p,
                fixed_closed=fixed_closed,
                fixed_open=fixed_open,
                incumbent=incumbent,
                radius=near.d2,
                deadline=deadline,
            )
            methods.append("highs-reduced-milp")
            details["exact_rounds"] = exact.rounds
            details["exact_entries"] = exact.entries
            details["exact_columns"] = exact.columns
            time_limit_hit |= exact.time_limit_hit
            if exact.is_open is not None:
                value = core.objective_of(index, cost, w, exact.is_open)
                if value < upper:
                    incumbent, upper = exact.is_open, value
            lower = max(lower, min(upper, exact.dual_bound))
            proven = exact.proven or upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
        if use_radius and not proven and time.perf_counter() < deadline:
            near = core.nearest_two(index, cost, incumbent)
            radius = _radius.radius_exact(
                index,
                cost,
                w,
                rules,
                p,
                fixed_closed=fixed_closed,
                fixed_open=fixed_open,
                incumbent=incumbent,
                radius=near.d2,
                deadline=deadline,
            )
            methods.append("highs-radius")
            details["radius_rounds"] = radius.rounds
            details["radius_entries"] = radius.entries
            details["radius_levels"] = radius.levels
            details["radius_columns"] = candidates_left
            time_limit_hit |= radius.time_limit_hit
            if radius.is_open is not None:
                value = core.objective_of(index, cost, w, radius.is_open)
                if value < upper:
                    incumbent, upper = radius.is_open, value
            lower = max(lower, min(upper, radius.dual_bound))
            proven = radius.proven or upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
        elif use_radius and not proven:
            time_limit_hit = True
    elif not proven:
        time_limit_hit |= time.perf_counter() >= deadline
    return _result(
        checked,
        w,
        incumbent,
        min(lower, upper),
        proven,
        time_limit_hit,
        "+".join(methods),
        started,
        details,
    )


def _result(
    checked: Costs,
    w: FloatArray,
    is_open: BoolArray,
    lower: float,
    proven: bool,
    time_limit_hit: bool,
    method: str,
    started: float,
    details: dict[str, Any],
) -> LocateResult:
    sites = np.flatnonzero(is_open[: checked.m]).astype(np.int64)
    assignment, assigned = nearest_open(checked, sites)
    positive = w > 0
    objective = (
        float("inf")
        if np.isinf(assigned[positive]).any()
        else float(w[positive] @ assigned[positive])
    )
    if proven:
        lower = min(lower, objective)
        status = "optimal"
    else:
        status = "time_limit" if time_limit_hit else "feasible"
    return LocateResult(
        sites=sites,
        objective=objective,
        bound=float(lower),
        gap=relative_gap(objective, lower),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status=status,
        proven_optimal=proven,
        method=method,
        time_limit_hit=time_limit_hit,
        details=details,
    )


def _check_rows_reachable(checked: Costs, rules: SiteRules) -> None:
    if checked.sparse is None:
        return
    allowed_entries = rules.allowed[checked.sparse.indices]
    per_row = np.add.reduceat(
        np.append(allowed_entries, False).astype(np.int64), checked.sparse.indptr[:-1]
    )
    per_row[np.diff(checked.sparse.indptr) == 0] = 0
    stranded = np.flatnonzero(per_row == 0)
    if stranded.size:
        raise ValueError(
            f"demand rows with no allowed candidate in the sparse cost matrix: {_row_list(stranded)}"
        )


def _row_list(rows: np.ndarray, limit: int = 20) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (f" … ({rows.size} rows)" if rows.size > limit else "")


def _check_capacities(
    capacities: Any, m: int, w: FloatArray, p: int, rules: SiteRules
) -> FloatArray:
    caps = np.asarray(capacities, dtype=np.float64)
    if caps.ndim != 1 or caps.size != m:
        raise ValueError(
            f"capacities must have one value per candidate column: expected {m}, got {caps.size}"
        )
    if np.isnan(caps).any() or (caps < 0).any():
        raise ValueError("capacities must be non-negative numbers (no NaN)")
    top = np.sort(np.where(rules.allowed, caps, 0.0))[::-1][:p].sum()
    if top < w.sum() - 1e-9:
        raise ValueError(
            f"capacities cannot serve all demand: the {p} largest allowed capacities sum to {top:g} "
            f"but the demand weights sum to {w.sum():g}"
        )
    return caps


def _capacitated(
    checked: Costs,
    w: FloatArray,
    p: int,
    rules: SiteRules,
    caps: FloatArray,
    index: np.ndarray,
    cost: np.ndarray,
    started: float,
    deadline: float,
    method: str,
    seed: int,
) -> LocateResult:
    """Capacitated p-median (demand may be split between sites).

    1. Heuristic: the uncapacitated solution (greedy, swap, Lagrangian), made capacity-feasible
       if needed, then swap search where each candidate choice of sites is priced exactly by
       the transportation LP (`_transport`).
    2. Bound: the uncapacitated Lagrangian bound (capacities only remove solutions, so it is a
       lower bound here too), raised by the reduced MILP's dual bound when that runs.
    3. Exact (unless ``method="heuristic"``): the reduced MILP with HiGHS (lists of about
       3·m/p nearest, grown on overflow, which consumes no capacity: still a relaxation).
    """
    m = checked.m
    limit = deadline - started
    details: dict[str, Any] = {}
    methods = ["greedy", "swap", "lagrangian", "transport-swap"]
    uncapacitated = p_median(
        _costs_argument(checked),
        w,
        p,
        forced_open=np.flatnonzero(rules.forced),
        excluded=np.flatnonzero(~rules.allowed),
        groups=rules.group if rules.has_quotas else None,
        group_min=dict(enumerate(rules.group_min.tolist())) if rules.has_quotas else None,
        group_max=dict(enumerate(rules.group_max.tolist())) if rules.has_quotas else None,
        time_limit=max(0.05, 0.2 * limit),
        method="heuristic",
        seed=seed,
    )
    lower = uncapacitated.bound
    details["uncapacitated_objective"] = uncapacitated.objective
    details["uncapacitated_bound"] = lower
    heuristic_deadline = time.perf_counter() + (0.6 if method == "heuristic" else 0.25) * max(
        0.0, deadline - time.perf_counter()
    )
    sites, upper, moves = _capacitated_search(
        checked, w, p, rules, caps, uncapacitated.sites, heuristic_deadline
    )
    details["transport_swaps"] = moves
    details["heuristic_objective"] = upper
    proven = upper <= lower + OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    time_limit_hit = False
    if not proven and method != "heuristic":
        keep = min(index.shape[1] - 2, max(10, 3 * int(np.ceil(m / p))))
        radius = cost[:, max(keep - 1, 0)].copy()
        exact = core.exact_reduced(
            index,
            cost,
            w,
            rules,
            p,
            fixed_closed=~rules.allowed,
            fixed_open=rules.forced.copy(),
            incumbent=None,
            radius=radius,
            deadline=deadline,
            capacities=caps,
        )
        methods.append("highs-reduced-milp-capacitated")
        details.update(exact_rounds=exact.rounds, exact_entries=exact.entries)
        time_limit_hit = exact.time_limit_hit
        if exact.is_open is not None:
            found = np.flatnonzero(exact.is_open[:m]).astype(np.int64)
            priced = _transport(checked, w, caps, found)
            if priced is not None and priced[0] < upper:
                sites, upper = found, priced[0]
        if exact.proven:
            # The reduced optimum used no overflow: it is the optimum, and its sites (priced
            # above by the full transportation LP, never dearer) are optimal.
            lower = max(lower, min(upper, exact.reduced_optimum))
            proven = True
        elif np.isfinite(exact.dual_bound):
            lower = max(lower, min(upper, exact.dual_bound))
            proven = upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    elif not proven:
        time_limit_hit = time.perf_counter() >= deadline
    if sites is None:
        raise ValueError(
            "no capacitated solution found"
            + (" within the time limit" if time.perf_counter() >= deadline else "")
        )
    assignment, _ = nearest_open(checked, sites)
    if proven:
        lower = upper
    return LocateResult(
        sites=np.sort(sites),
        objective=float(upper),
        bound=float(min(lower, upper)),
        gap=relative_gap(upper, min(lower, upper)),
        assignment=assignment,
        seconds=time.perf_counter() - started,
        status="optimal" if proven else ("time_limit" if time_limit_hit else "feasible"),
        proven_optimal=bool(proven),
        method="+".join(methods),
        time_limit_hit=time_limit_hit,
        details=details,
    )


def _costs_argument(checked: Costs) -> Any:
    return checked.dense if checked.dense is not None else checked.sparse


def _transport(
    checked: Costs, w: FloatArray, caps: FloatArray, sites: IntArray
) -> tuple[float, FloatArray] | None:
    """Least cost of serving all demand from ``sites`` within their capacities (demand may be
    split): the transportation LP, solved by HiGHS. None when the sites cannot carry it."""
    import scipy.sparse as sp

    sites = np.asarray(sites, dtype=np.int64)
    if checked.dense is not None:
        block = checked.dense[:, sites]
        rows, cols = np.nonzero(np.ones_like(block, dtype=bool))
        values = block[rows, cols]
    else:
        assert checked.sparse is not None
        block_sparse = sp.coo_array(checked.sparse[:, sites])
        rows, cols, values = block_sparse.row, block_sparse.col, block_sparse.data
    positive = w > 0
    keep = positive[rows]
    rows, cols, values = rows[keep], cols[keep], values[keep]
    n_rows = np.flatnonzero(positive)
    renumber = np.full(checked.n, -1)
    renumber[n_rows] = np.arange(n_rows.size)
    if n_rows.size == 0:
        return 0.0, np.zeros(0)
    if np.setdiff1d(np.arange(n_rows.size), renumber[rows]).size:
        return None  # some demand has no allowed assignment to these sites
    variables = np.arange(rows.size)
    equality = sp.csr_array(
        (np.ones(rows.size), (renumber[rows], variables)), shape=(n_rows.size, rows.size)
    )
    capacity = sp.csr_array((w[rows], (cols, variables)), shape=(sites.size, rows.size))
    # All columns continuous: HiGHS solves it as an LP (simplex, so the cost is exact).
    solved = solve_milp(
        cost=w[rows] * values,
        matrix=sp.vstack([equality, capacity]).tocsc(),
        row_lower=np.concatenate([np.ones(n_rows.size), np.full(sites.size, -np.inf)]),
        row_upper=np.concatenate([np.ones(n_rows.size), caps[sites]]),
        col_lower=np.zeros(rows.size),
        col_upper=np.full(rows.size, np.inf),
        integer=np.zeros(rows.size, dtype=bool),
        time_limit=60.0,
    )
    if solved.x is None or not solved.optimal:
        return None
    return float(solved.objective), solved.x


def _capacitated_search(
    checked: Costs,
    w: FloatArray,
    p: int,
    rules: SiteRules,
    caps: FloatArray,
    start: IntArray,
    deadline: float,
) -> tuple[IntArray | None, float, int]:
    """Swap search priced by the transportation LP, from the uncapacitated solution.

    If the start cannot carry the demand, the open site of least capacity is swapped for the
    closed site of most capacity that keeps the rules, until it can. Then, while time lasts,
    first-improvement swaps: each open site v (most loaded relative to its capacity first)
    against the closed sites that serve v's demand most cheaply.
    """
    m = checked.m
    is_open = np.zeros(m, dtype=bool)
    is_open[start] = True
    priced = _transport(checked, w, caps, np.flatnonzero(is_open))
    repairs = 0
    while priced is None and repairs < m and time.perf_counter() < deadline:
        swap = _capacity_repair(is_open, rules, caps)
        if swap is None:
            break
        is_open[swap[0]], is_open[swap[1]] = True, False
        repairs += 1
        priced = _transport(checked, w, caps, np.flatnonzero(is_open))
    if priced is None:
        return None, float("inf"), 0
    value = priced[0]
    moves = 0
    dense = checked.dense if checked.dense is not None else None
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        open_sites = np.flatnonzero(is_open & ~rules.forced)
        nearest, _ = nearest_open(checked, np.flatnonzero(is_open))
        for v in open_sites:
            served = nearest == v
            closed = np.flatnonzero(rules.allowed & ~is_open)
            if closed.size == 0 or not served.any():
                continue
            if dense is not None:
                score = (w[served, None] * dense[np.ix_(served, closed)]).sum(axis=0)
            else:
                assert checked.sparse is not None
                sub = checked.sparse[served][:, closed].toarray()
                score = (w[served, None] * np.where(sub > 0, sub, np.inf)).sum(axis=0)
            for u in closed[np.argsort(score, kind="stable")[:5]]:
                if time.perf_counter() >= deadline:
                    return np.flatnonzero(is_open), value, moves
                gu, gv = rules.group[u], rules.group[v]
                counts = rules.counts(is_open)
                if gu != gv and (
                    counts[gu] >= rules.group_max[gu] or counts[gv] <= rules.group_min[gv]
                ):
                    continue
                trial = is_open.copy()
                trial[u], trial[v] = True, False
                priced = _transport(checked, w, caps, np.flatnonzero(trial))
                if priced is not None and priced[0] < value - 1e-9 * max(1.0, value):
                    is_open, value = trial, priced[0]
                    moves += 1
                    improved = True
                    break
            if improved:
                break
    return np.flatnonzero(is_open), value, moves


def _capacity_repair(
    is_open: BoolArray, rules: SiteRules, caps: FloatArray
) -> tuple[int, int] | None:
    """(open u, close v): the largest closed capacity for the smallest open one, by the rules."""
    counts = rules.counts(is_open)
    closed = np.flatnonzero(rules.allowed & ~is_open)
    movable = np.flatnonzero(is_open & ~rules.forced)
    for v in movable[np.argsort(caps[movable], kind="stable")]:
        for u in closed[np.argsort(-caps[closed], kind="stable")]:
            if caps[u] <= caps[v]:
                break
            gu, gv = rules.group[u], rules.group[v]
            if gu == gv or (counts[gu] < rules.group_max[gu] and counts[gv] > rules.group_min[gv]):
                return int(u), int(v)
    return None


def _perturb(
    index: np.ndarray,
    cost: np.ndarray,
    w: FloatArray,
    rules: SiteRules,
    p: int,
    incumbent: BoolArray,
    upper: float,
    rounds: int,
    seed: int,
    deadline: float,
) -> tuple[BoolArray, float, bool]:
    """Iterated local search: swap a few random open sites for random closed ones in the same
    group (keeps quotas), re-optimise, keep if better."""
    rng = np.random.default_rng(seed)
    m = rules.m
    for _ in range(rounds):
        if time.perf_counter() > deadline:
            return incumbent, upper, True
        trial = incumbent.copy()
        movable = np.flatnonzero(trial[:m] & ~rules.forced)
        kicks = min(movable.size, max(1, p // 10))
        for v in rng.choice(movable, size=kicks, replace=False):
            same = np.flatnonzero(rules.allowed & ~trial[:m] & (rules.group == rules.group[v]))
            if same.size:
                trial[v] = False
                trial[int(rng.choice(same))] = True
        trial, value, _, stopped = core.local_search(index, cost, w, rules, trial, deadline)
        if value < upper - 1e-9 * max(1.0, upper):
            incumbent, upper = trial, value
        if stopped:
            return incumbent, upper, True
    return incumbent, upper, False
