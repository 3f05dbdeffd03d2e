"""The p-median model: open p sites to minimise total weighted travel."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from familyreach.locate import _branch as branching
from familyreach.locate import _pmedian_methods as core
from familyreach.locate import _radius
from familyreach.locate._problem import (
    BoolArray,
    Costs,
    FloatArray,
    QuotaSpec,
    SiteRules,
    check_problem,
)
from familyreach.locate.evaluate import nearest_open
from familyreach.locate.result import LocateResult, relative_gap

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
    p: int | None,
    *,
    forced_open: Iterable[int] | None = None,
    excluded: Iterable[int] | None = None,
    groups: Any = None,
    group_min: QuotaSpec = None,
    group_max: QuotaSpec = None,
    capacities: Any = None,
    site_costs: Any = None,
    budget: float | None = None,
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
            between sites.
        site_costs, budget: with a budget, open sites whose ``site_costs`` add up to at most
            ``budget``; ``p`` may then be None (as many sites as serve best within it).
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
    if budget is not None or site_costs is not None:
        if budget is None:
            raise ValueError("site_costs need a budget")
        if capacities is not None:
            raise ValueError("capacities and a budget together are not supported")
        # Imported here so the plain model's import stays as light as it is.
        from familyreach.locate._budget import budget_p_median

        return budget_p_median(
            costs,
            weights,
            p,
            site_costs=site_costs,
            budget=budget,
            forced_open=forced_open,
            excluded=excluded,
            groups=groups,
            group_min=group_min,
            group_max=group_max,
            time_limit=time_limit,
            method=method,
            uncapacitated=p_median,
        )
    if p is None:
        raise ValueError("p must be an integer (it may be None only with a budget)")
    checked, w, p_checked, rules = check_problem(
        costs,
        weights,
        p,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
        time_limit=time_limit,
    )
    assert p_checked is not None
    p = p_checked
    _check_rows_reachable(checked, rules)
    index, cost = checked.neighbour_lists(rules.allowed)
    if capacities is not None:
        caps = _check_capacities(capacities, checked.m, w, p, rules)
        # Imported here: the capacitated kernels compile on first use, and most calls never
        # need them (keeps the import of this module light).
        from familyreach.locate._capacitated import solve_capacitated

        return solve_capacitated(
            checked,
            w,
            p,
            rules,
            caps,
            index,
            cost,
            started,
            deadline,
            method,
            seed,
            uncapacitated=p_median,
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
    width = int(min(index.shape[1] - 2, max(16, 2 * int(_percentile_99(near.pos2)) + 2)))
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


def _percentile_99(values: np.ndarray) -> float:
    """``np.percentile(values, 99)`` (linear method, numpy's own interpolation) by partition.

    ``np.percentile`` imports ``numpy.ma`` on first use, 10–70 ms of a fresh process's first
    solve (more when bytecode is not cached) for one number (docs/locate.md, "Cold start").
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    position = (flat.size - 1) * 0.99
    low = int(np.floor(position))
    high = min(low + 1, flat.size - 1)
    part = np.partition(flat, [low, high])
    a, b = float(part[low]), float(part[high])
    t = position - low
    # numpy's _lerp: from the upper end when t >= 0.5, for the same rounding.
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t


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
