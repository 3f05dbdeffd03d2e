"""Capacitated p-median (demand may be split between sites): heuristic, Lagrangian bound, exact.

    min Σ_i Σ_j w_i c_ij x_ij  s.t.  Σ_j x_ij = 1 ∀i,  x_ij ≤ y_j,  Σ_i w_i x_ij ≤ Q_j y_j,
                                    y ∈ Y (p, forced/excluded sites, quotas),  y binary, x ≥ 0

Bound: relax the assignment constraints ``Σ_j x_ij = 1`` with multipliers λ_i (Lagrangian
relaxation, as for the uncapacitated model). What is left splits by site: site j, if open, takes
the rows that are cheaper than their multiplier, most negative ``c_ij − λ_i`` first, until its
capacity is full — a continuous knapsack whose greedy fill is optimal — worth ``ρ_j ≤ 0``. Then
the p sites of least ρ allowed by the rules (matroid greedy). ``L(λ) = Σ_i w_i λ_i + Σ_{j open}
ρ_j`` is a lower bound for every λ; its best value equals the LP bound of the strong model
above (the knapsack has the integrality property only in y, which the rules keep), far above
the uncapacitated bound when capacities bind. λ follows subgradient ascent with Polyak steps.
See docs/locate.md ("Capacitated p-median").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp

from familyreach.locate import _branch as branching
from familyreach.locate import _pmedian_methods as core
from familyreach.locate._highs import solve_milp
from familyreach.locate._problem import (
    BoolArray,
    Costs,
    FloatArray,
    IntArray,
    SiteRules,
)
from familyreach.locate.evaluate import nearest_open
from familyreach.locate.result import LocateResult, relative_gap

# Site states shared with the branch and bound (its `_select` is compiled here too).
FREE = branching.FREE
OPEN = branching.OPEN
CLOSED = branching.CLOSED
#: Relative gap at which a result counts as proven optimal (HiGHS's own MIP gap is 1e-7).
OPTIMALITY_TOLERANCE = 1e-7
#: Subgradient steps per compiled chunk (deadline checks and primal pricing between chunks).
CHUNK = 100
#: Full assignment lists in the exact MILP when rows × sites left stays below this.
FULL_LISTS_ENTRIES = 150_000
#: Kernel search: each row's nearest this many kernel sites (more when it overflows).
KERNEL_LIST = 8
#: CPU-seconds the kernel search needs to pay off (Norfolk p = 7 at 1.3× capacities).
KERNEL_MIN_CPU_SECONDS = 2.0
#: Dual-guided swap search: swaps priced exactly per move, most promising first (on Norfolk
#: 1.3× the same moves as with 12 tries, for 0.3 fewer CPU-seconds in 500 ascent steps).
DUAL_SWAP_TRIES = 4


# The matroid greedy of the branch and bound, compiled here as a plain numba function: numba
# code (`_ascent`) cannot call `_branch._select` itself, an ahead-of-time/lazy placeholder
# (`_jit.Kernel`), but it can compile the same Python source.
_select = numba.njit(cache=True, nogil=True)(branching._select.py_func)


@numba.njit(cache=True, nogil=True)
def _site_values(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    capacities: FloatArray,
    status: np.ndarray,
    lam: FloatArray,
    start: IntArray,
    bucket_value: FloatArray,
    bucket_row: IntArray,
    rho: FloatArray,
) -> None:  # pragma: no cover - compiled
    """ρ_j for every site: its continuous knapsack over the rows with ``c_ij < λ_i``, most
    negative ``c_ij − λ_i`` first until the capacity is full (greedy is optimal for a
    continuous knapsack). Rows' lists are sorted by cost, so each row walks only the prefix
    below its λ_i. Leaves each site's rows sorted in ``bucket_*[start[j]:start[j + 1]]``."""
    n, width = index.shape
    m = capacities.size
    start[:] = 0
    for i in range(n):
        if weights[i] <= 0.0:
            continue
        for k in range(width):
            if cost[i, k] >= lam[i]:
                break
            j = index[i, k]
            if j < m and status[j] != CLOSED:
                start[j + 1] += 1
    for j in range(m):
        start[j + 1] += start[j]
    fill = start[:m].copy()
    for i in range(n):
        if weights[i] <= 0.0:
            continue
        for k in range(width):
            if cost[i, k] >= lam[i]:
                break
            j = index[i, k]
            if j < m and status[j] != CLOSED:
                bucket_value[fill[j]] = cost[i, k] - lam[i]
                bucket_row[fill[j]] = i
                fill[j] += 1
    for j in range(m):
        lo, hi = start[j], start[j + 1]
        rho[j] = 0.0
        if hi - lo == 0:
            continue
        total = 0.0
        for t in range(lo, hi):
            total += weights[bucket_row[t]]
        if total <= capacities[j]:
            # Everything fits: no order needed, the site takes every row below its λ.
            for t in range(lo, hi):
                rho[j] += weights[bucket_row[t]] * bucket_value[t]
            continue
        if hi - lo > 1:
            order = np.argsort(bucket_value[lo:hi]) + lo
            bucket_value[lo:hi] = bucket_value[order]
            bucket_row[lo:hi] = bucket_row[order]
        room = capacities[j]
        for t in range(lo, hi):
            if room <= 0.0:
                break
            take = min(weights[bucket_row[t]], room)
            rho[j] += take * bucket_value[t]
            room -= take


@numba.njit(cache=True, nogil=True)
def _ascent(
    index: IntArray,
    cost: FloatArray,
    weights: FloatArray,
    capacities: FloatArray,
    status: np.ndarray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    p: int,
    lam: FloatArray,
    upper: float,
    steps: int,
    patience: int,
    state: FloatArray,
    best_lam: FloatArray,
    best_chosen: BoolArray,
    best_rho: FloatArray,
) -> bool:  # pragma: no cover - compiled
    """``steps`` subgradient steps. ``state`` = [step factor θ, steps without a better bound,
    best bound, 1 when the Lagrangian solution served every row exactly once]."""
    n = weights.size
    m = capacities.size
    rho = np.zeros(m)
    chosen = np.zeros(m, dtype=np.bool_)
    served = np.zeros(n)
    start = np.zeros(m + 1, dtype=np.int64)
    bucket_value = np.empty(index.size)
    bucket_row = np.empty(index.size, dtype=np.int64)
    for _ in range(steps):
        _site_values(
            index, cost, weights, capacities, status, lam, start, bucket_value, bucket_row, rho
        )
        if not _select(rho, status, group, group_min, group_max, p, chosen):
            return False
        bound = 0.0
        for i in range(n):
            bound += weights[i] * lam[i]
        for j in range(m):
            if chosen[j]:
                bound += rho[j]
        if bound > state[2] + 1e-12 * max(1.0, abs(bound)):
            state[2] = bound
            state[1] = 0.0
            best_lam[:] = lam
            best_chosen[:] = chosen
            best_rho[:] = rho
        else:
            state[1] += 1.0
            if state[1] >= patience:
                state[0] *= 0.5
                state[1] = 0.0
        served[:] = 0.0
        for j in range(m):
            if not chosen[j]:
                continue
            room = capacities[j]
            for t in range(start[j], start[j + 1]):
                if room <= 0.0:
                    break
                i = bucket_row[t]
                take = min(weights[i], room)
                served[i] += take / weights[i]
                room -= take
        norm = 0.0
        for i in range(n):
            g = weights[i] * (1.0 - served[i])
            norm += g * g
        if norm <= 1e-18:
            state[3] = 1.0  # every row served exactly once: optimal for the relaxation
            return True
        step = state[0] * max(upper - bound, 1e-9 * max(1.0, abs(upper))) / norm
        for i in range(n):
            lam[i] += step * weights[i] * (1.0 - served[i])
        if state[0] < 1e-5:
            return True
    return True


def rules_status(rules: SiteRules) -> np.ndarray:
    status = np.zeros(rules.m, dtype=np.int8)
    status[~rules.allowed] = CLOSED
    status[rules.forced] = OPEN
    return status


def fix_from_values(
    rho: FloatArray, rules: SiteRules, p: int, bound: float, upper: float
) -> tuple[BoolArray, BoolArray]:
    """Sites closed / open in every solution cheaper than ``upper``, from site values ρ at
    which the Lagrangian bound is ``bound`` (one matroid exchange, as in the uncapacitated
    reduced-cost fixing: forcing a closed site j in costs ``ρ_j − max ρ_s`` over the open sites
    s it may replace)."""
    chosen = np.zeros(rules.m, dtype=bool)
    _select(rho, rules_status(rules), rules.group, rules.group_min, rules.group_max, p, chosen)
    return core.exchange_fixing(rho, chosen, rules, bound, upper)


def solve_capacitated(
    checked: Costs,
    w: FloatArray,
    p: int,
    rules: SiteRules,
    caps: FloatArray,
    index: IntArray,
    cost: FloatArray,
    started: float,
    deadline: float,
    method: str,
    seed: int,
    uncapacitated: Callable[..., LocateResult],
) -> LocateResult:
    """Capacitated p-median (demand may be split between sites). ``uncapacitated`` is the plain
    p-median, passed in by `p_median` (which calls this module) so imports run one way.

    1. Heuristic: the uncapacitated solution (greedy, swap, Lagrangian), made able to carry the
       demand if needed, then swap search where each candidate choice of sites is priced
       exactly by the transportation LP (`transport_cost`), the swaps ranked by its duals
       (`dual_swap_search`).
    2. Bound: the capacitated Lagrangian bound (module docstring); the dual-guided swap search
       runs from every distinct Lagrangian site choice. Then, if the CPU share the process has
       had leaves a CPU-second or two (`KERNEL_MIN_CPU_SECONDS`), a kernel search (HiGHS over
       the sites the Lagrangian kept choosing) and a second ascent; else the ascent and its
       searches go on. A short swap search from the best choice found ends the heuristic.
    3. Exact (unless ``method="heuristic"``), when the bound has not closed the gap: sites
       fixed by the Lagrangian values, then HiGHS on the strong model over the sites left.
    """
    m = checked.m
    limit = deadline - started
    cpu_started = time.process_time()
    details: dict[str, Any] = {}
    methods = ["greedy", "swap", "lagrangian", "transport-swap"]
    plain = uncapacitated(
        _costs_argument(checked),
        w,
        p,
        forced_open=np.flatnonzero(rules.forced),
        excluded=np.flatnonzero(~rules.allowed),
        groups=rules.group if rules.has_quotas else None,
        group_min=dict(enumerate(rules.group_min.tolist())) if rules.has_quotas else None,
        group_max=dict(enumerate(rules.group_max.tolist())) if rules.has_quotas else None,
        time_limit=max(0.05, 0.05 * limit),
        method="heuristic",
        seed=seed,
    )
    lower = plain.bound
    details["uncapacitated_objective"] = plain.objective
    details["uncapacitated_bound"] = lower
    # A first price (and a repair when the uncapacitated sites cannot carry the demand): the
    # swap search pays off more from the Lagrangian's site choices (below).
    search_deadline = time.perf_counter() + 0.02 * max(0.0, deadline - time.perf_counter())
    sites, upper, moves = capacitated_search(
        checked, w, p, rules, caps, plain.sites, search_deadline
    )
    if sites is not None:
        # Then the dual-guided swaps to a local optimum: a few LPs, a few tenths of a CPU-second.
        better, value, dual_moves = dual_swap_search(
            checked, w, p, rules, caps, index, cost, sites, deadline
        )
        if better is not None and value < upper:
            sites, upper = better, value
        moves += dual_moves
    details["transport_swaps"] = moves
    details["heuristic_objective"] = upper
    details["seconds_first_price"] = time.perf_counter() - started
    if sites is None:
        raise ValueError(
            "no capacitated solution found: no choice of sites tried carries the demand"
        )
    time_limit_hit = False

    # Capacitated Lagrangian bound, pricing each new Lagrangian site choice on the way.
    status = rules_status(rules)
    assignment, assigned = nearest_open(checked, sites)
    lam = np.where(np.isfinite(assigned), assigned, 0.0).astype(np.float64)
    best_lam = lam.copy()
    best_chosen = np.zeros(m, dtype=bool)
    best_rho = np.zeros(m)
    state = np.array([2.0, 0.0, -np.inf, 0.0])
    priced: set[bytes] = {np.sort(sites).tobytes()}
    iterations = 0
    seen = np.zeros(m, dtype=bool)
    methods.append("capacitated-lagrangian")

    def ascend(until: float, search: bool = True) -> None:
        """Subgradient chunks until ``until``, pricing each new Lagrangian site choice (with
        ``search``, the dual-guided swaps from it: worth their CPU while the incumbent is still
        poor, not once the kernel search has run)."""
        nonlocal sites, upper, iterations
        while iterations < 5000 and time.perf_counter() < until:
            feasible = _ascent(
                index,
                cost,
                w,
                caps,
                status,
                rules.group,
                rules.group_min,
                rules.group_max,
                p,
                lam,
                float(upper),
                CHUNK,
                30,
                state,
                best_lam,
                best_chosen,
                best_rho,
            )
            iterations += CHUNK
            if not feasible:
                raise ValueError("no feasible site to add: the quotas cannot be met")
            choice = np.flatnonzero(best_chosen).astype(np.int64)
            key = choice.tobytes()
            if choice.size == p and key not in priced:
                priced.add(key)
                # A Lagrangian choice overloads some sites (its transport cost is often 2-3×
                # the optimum) but lies near good solutions: the dual-guided swaps from it
                # reach them, where pricing the choice alone rarely helped.
                if search:
                    found_sites, value, _ = dual_swap_search(
                        checked, w, p, rules, caps, index, cost, choice, until
                    )
                else:
                    found = transport_cost(checked, w, caps, choice)
                    found_sites, value = (choice, found[0]) if found else (None, np.inf)
                if found_sites is not None and value < upper - 1e-9 * max(1.0, upper):
                    sites, upper = found_sites, value
            seen[:] |= best_chosen
            if state[3] or state[0] < 1e-5:
                return
            if upper - state[2] <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper)):
                return

    # A first ascent (30 % of the limit) gathers the sites for the kernel search; a second one
    # continues from the best multipliers once the kernel search has found a better incumbent
    # (Polyak steps aim at the incumbent: a poor one makes them too long).
    ascend(started + (0.3 if method != "heuristic" else 0.9) * limit)
    capacitated_bound = float(state[2])
    lower = max(lower, min(capacitated_bound, upper))
    details["capacitated_lagrangian_bound"] = capacitated_bound
    details["capacitated_lagrangian_iterations"] = iterations
    details["lagrangian_choices_priced"] = len(priced) - 1
    details["seconds_lagrangian"] = time.perf_counter() - started
    # The kernel search needs a CPU-second or two to find anything the swaps have not. With
    # less than that left at the CPU share the process has had so far (a busy machine), the
    # time goes to the ascent and its dual-guided swaps instead.
    cpu_share = (time.process_time() - cpu_started) / max(1e-9, time.perf_counter() - started)
    cpu_left = cpu_share * (deadline - time.perf_counter())
    details["cpu_share"] = cpu_share
    if cpu_left < KERNEL_MIN_CPU_SECONDS:
        ascend(started + 0.9 * limit)
        capacitated_bound = float(state[2])
        lower = max(lower, min(capacitated_bound, upper))
        details["capacitated_lagrangian_bound"] = capacitated_bound
        details["capacitated_lagrangian_iterations"] = iterations
    elif deadline - time.perf_counter() > 0.2 * limit:
        # Kernel search: the exact model over the sites the Lagrangian ever chose, the
        # incumbent's and those of least ρ. Its optimum is a solution of the full model.
        kernel = seen.copy()
        kernel[sites] = True
        kernel[np.argsort(best_rho, kind="stable")[: 3 * p]] = True
        kernel &= rules.allowed
        # Each row keeps its nearest kernel sites only (a row beyond them overflows at the next
        # cost, and the lists of rows that overflow grow): a model HiGHS solves in a fraction
        # of the time of full lists, and every answer is priced exactly below anyway.
        in_kernel = np.append(kernel, False)[index]
        rank = np.cumsum(in_kernel, axis=1)
        reach = np.minimum((rank >= KERNEL_LIST).argmax(axis=1), index.shape[1] - 1)
        kernel_radius = np.where(
            rank[:, -1] >= KERNEL_LIST, cost[np.arange(checked.n), reach], np.inf
        )
        kernel_outcome = core.exact_reduced(
            index,
            cost,
            w,
            rules,
            p,
            fixed_closed=~kernel,
            fixed_open=rules.forced.copy(),
            incumbent=None,
            radius=kernel_radius,
            deadline=min(deadline, time.perf_counter() + 0.3 * limit),
            capacities=caps,
        )
        methods.append("kernel-milp")
        details["kernel_sites"] = int(kernel.sum())
        if kernel_outcome.is_open is not None:
            found_sites = np.flatnonzero(kernel_outcome.is_open[:m]).astype(np.int64)
            found = transport_cost(checked, w, caps, found_sites)
            if found is not None and found[0] < upper - 1e-9 * max(1.0, upper):
                sites, upper = found_sites, found[0]
                state[0], state[1] = max(state[0], 0.5), 0.0
                lam[:] = best_lam
        ascend(started + 0.75 * limit, search=False)
        capacitated_bound = float(state[2])
        lower = max(lower, min(capacitated_bound, upper))
        details["capacitated_lagrangian_bound"] = capacitated_bound
        details["capacitated_lagrangian_iterations"] = iterations
    # A short transport swap search from the best choice found so far.
    polish_deadline = min(deadline, time.perf_counter() + 0.1 * limit)
    polished, value, more = dual_swap_search(
        checked, w, p, rules, caps, index, cost, sites, polish_deadline
    )
    if polished is not None and value < upper:
        sites, upper = polished, value
    polished, value, swaps = capacitated_search(checked, w, p, rules, caps, sites, polish_deadline)
    more += swaps
    if polished is not None and value < upper:
        sites, upper = polished, value
    details["transport_swaps"] = moves + more
    details["seconds_to_bound"] = time.perf_counter() - started

    proven = upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    # HiGHS checks its limit only once the model is built and presolved: with less than a
    # tenth of the limit left, starting it would overrun the limit rather than help.
    if not proven and method != "heuristic" and deadline - time.perf_counter() > 0.1 * limit:
        fixed_closed, fixed_open = fix_from_values(best_rho, rules, p, capacitated_bound, upper)
        left = int((~fixed_closed).sum())
        details["fixed_closed"] = int((fixed_closed & rules.allowed).sum())
        details["fixed_open"] = int((fixed_open & ~rules.forced).sum())
        if checked.n * left <= FULL_LISTS_ENTRIES:
            radius = np.full(checked.n, np.inf)
        else:
            keep = min(index.shape[1] - 2, max(10, 3 * int(np.ceil(m / p))))
            radius = cost[:, max(keep - 1, 0)].copy()
        exact = core.exact_reduced(
            index,
            cost,
            w,
            rules,
            p,
            fixed_closed=fixed_closed,
            fixed_open=fixed_open,
            incumbent=None,
            radius=radius,
            deadline=deadline,
            capacities=caps,
        )
        methods.append("highs-capacitated-milp")
        details.update(exact_rounds=exact.rounds, exact_entries=exact.entries, exact_columns=left)
        time_limit_hit = exact.time_limit_hit
        if exact.is_open is not None:
            found_sites = np.flatnonzero(exact.is_open[:m]).astype(np.int64)
            found = transport_cost(checked, w, caps, found_sites)
            if found is not None and found[0] < upper:
                sites, upper = found_sites, found[0]
        if exact.proven:
            # The reduced optimum used no overflow: it is the optimum among solutions cheaper
            # than the incumbent (fixing removed only dearer ones), so the best of the two is.
            lower = max(lower, min(upper, exact.reduced_optimum))
            proven = True
        elif np.isfinite(exact.dual_bound):
            lower = max(lower, min(upper, exact.dual_bound))
            proven = upper - lower <= OPTIMALITY_TOLERANCE * max(1.0, abs(upper))
    elif not proven and method != "heuristic":
        time_limit_hit = True  # too little time was left for the exact stage
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


def transport_cost(
    checked: Costs, w: FloatArray, caps: FloatArray, sites: IntArray
) -> tuple[float, FloatArray] | None:
    """Least cost of serving all demand from ``sites`` within their capacities (demand may be
    split): the transportation LP, solved by HiGHS. None when the sites cannot carry it.

    Returns the cost and each row's price per unit of weight (the LP's dual of its assignment
    row divided by its weight; 0 for rows of no weight): Lagrangian multipliers at which the
    capacitated Lagrangian of these sites equals their cost (`dual_swap_search`)."""
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
        return 0.0, np.zeros(checked.n)
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
        # Presolve costs more than it saves on these small LPs (13 against 16 ms each on
        # Norfolk p = 7); the search solves hundreds of them.
        presolve=False,
    )
    if solved.x is None or not solved.optimal:
        return None
    prices = np.zeros(checked.n)
    if solved.row_dual is not None:
        prices[n_rows] = solved.row_dual[: n_rows.size] / w[n_rows]
    return float(solved.objective), prices


def dual_swap_search(
    checked: Costs,
    w: FloatArray,
    p: int,
    rules: SiteRules,
    caps: FloatArray,
    index: IntArray,
    cost: FloatArray,
    start: IntArray,
    deadline: float,
    tries: int = DUAL_SWAP_TRIES,
) -> tuple[IntArray | None, float, int]:
    """Swap search guided by the transportation LP's duals; each swap tried is priced exactly.

    With λ the row prices of the current sites S (`transport_cost`), the capacitated Lagrangian
    of S at λ equals the cost of S (LP duality), and that of S + u − v is that value plus
    ``ρ_u − ρ_v`` (site values at λ, `_site_values`): a lower bound on the swap's exact cost.
    Swaps are tried in order of that bound, the ``tries`` most promising, the first that
    improves is taken. One LP per swap tried, so it finds the capacitated neighbourhood's good
    moves at a small share of the CPU of pricing swaps by distance (`capacitated_search`):
    what keeps the 10 s target within reach when the process gets little CPU.
    """
    m = checked.m
    is_open = np.zeros(m, dtype=bool)
    is_open[start] = True
    priced = transport_cost(checked, w, caps, np.flatnonzero(is_open))
    if priced is None:
        return None, float("inf"), 0
    value, lam = priced
    moves = 0
    status = np.where(rules.allowed, FREE, CLOSED).astype(np.int8)
    rho = np.zeros(m)
    starts = np.zeros(m + 1, dtype=np.int64)
    bucket_value = np.empty(index.size)
    bucket_row = np.empty(index.size, dtype=np.int64)
    while time.perf_counter() < deadline:
        # Rows' lists hold only the nearer candidates: a row whose price lies beyond its list
        # (rare once its own sites are in it) is simply left out of the estimate.
        _site_values(index, cost, w, caps, status, lam, starts, bucket_value, bucket_row, rho)
        closed = np.flatnonzero(rules.allowed & ~is_open)
        movable = np.flatnonzero(is_open & ~rules.forced)
        if closed.size == 0 or movable.size == 0:
            break
        estimate = rho[closed][:, None] - rho[movable][None, :]
        order = np.argsort(estimate, axis=None, kind="stable")
        counts = rules.counts(is_open)
        improved = False
        tried = 0
        for flat in order:
            if tried >= tries or time.perf_counter() >= deadline:
                break
            u, v = int(closed[flat // movable.size]), int(movable[flat % movable.size])
            if value + estimate.flat[flat] >= value - 1e-9 * max(1.0, value):
                break  # no swap left that could improve, even by its bound
            gu, gv = rules.group[u], rules.group[v]
            if gu != gv and (
                counts[gu] >= rules.group_max[gu] or counts[gv] <= rules.group_min[gv]
            ):
                continue
            tried += 1
            trial = is_open.copy()
            trial[u], trial[v] = True, False
            found = transport_cost(checked, w, caps, np.flatnonzero(trial))
            if found is not None and found[0] < value - 1e-9 * max(1.0, value):
                is_open, (value, lam) = trial, found
                moves += 1
                improved = True
                break
        if not improved:
            break
    return np.flatnonzero(is_open), value, moves


def capacitated_search(
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
    priced = transport_cost(checked, w, caps, np.flatnonzero(is_open))
    repairs = 0
    while priced is None and repairs < m and time.perf_counter() < deadline:
        swap = capacity_repair(is_open, rules, caps)
        if swap is None:
            break
        is_open[swap[0]], is_open[swap[1]] = True, False
        repairs += 1
        priced = transport_cost(checked, w, caps, np.flatnonzero(is_open))
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
                priced = transport_cost(checked, w, caps, np.flatnonzero(trial))
                if priced is not None and priced[0] < value - 1e-9 * max(1.0, value):
                    is_open, value = trial, priced[0]
                    moves += 1
                    improved = True
                    break
            if improved:
                break
    return np.flatnonzero(is_open), value, moves


def capacity_repair(
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
