"""Compiled inner loops (numba) for coverage search. The p-median's compiled loops (the
Lagrangian ascent and branch and bound) are in `_branch`."""

from __future__ import annotations

import numpy as np

from familyreach.locate._jit import kernel
from familyreach.locate._problem import BoolArray, FloatArray, IntArray


@kernel
def _coverage_tabu(
    row_ptr: IntArray,
    row_cols: IntArray,
    col_ptr: IntArray,
    col_rows: IntArray,
    weights: FloatArray,
    is_open: BoolArray,
    best_open: BoolArray,
    best_value: float,
    allowed: BoolArray,
    forced: BoolArray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    tabu_until: IntArray,
    first_iteration: int,
    iterations: int,
    tenure_in: int,
    tenure_out: int,
    seed: int,
) -> tuple[float, float, int]:  # pragma: no cover - compiled
    """Tabu search over swaps for maximal coverage, with incremental gains.

    ``is_open`` (current) and ``best_open`` are updated in place. Each iteration takes the best
    swap (open u, close v) whose sites are not tabu (unless it beats the best), even when it
    loses coverage, then forbids re-opening v for ``tenure_in`` (+ random 0..tenure_in) and
    re-closing u for ``tenure_out`` (+ random 0..tenure_out) iterations. Returns (best value, current value, iteration reached).
    """
    np.random.seed(seed)
    n = row_ptr.size - 1
    m = col_ptr.size - 1
    counts = np.zeros(n, dtype=np.int64)
    for j in range(m):
        if is_open[j]:
            for k in range(col_ptr[j], col_ptr[j + 1]):
                counts[col_rows[k]] += 1
    gain = np.zeros(m)
    current = 0.0
    for i in range(n):
        if counts[i] == 0:
            for k in range(row_ptr[i], row_ptr[i + 1]):
                gain[row_cols[k]] += weights[i]
        else:
            current += weights[i]
    groups = group_min.size
    group_count = np.zeros(groups, dtype=np.int64)
    for j in range(m):
        if is_open[j]:
            group_count[group[j]] += 1
    extra = np.zeros(m)
    open_list = np.empty(m, dtype=np.int64)
    closed_list = np.empty(m, dtype=np.int64)
    touched = np.empty(col_rows.size + 1, dtype=np.int64)
    iteration = first_iteration
    for iteration in range(first_iteration, first_iteration + iterations):
        n_open = 0
        for j in range(m):
            if is_open[j]:
                open_list[n_open] = j
                n_open += 1
        best_delta = -np.inf
        best_u = -1
        best_v = -1
        ties = 0
        # Closed allowed sites by decreasing gain: for a given v, an untouched u (extra 0) beats
        # every later one, so each v scans only its touched sites and a prefix of this order.
        n_closed = 0
        for j in range(m):
            if allowed[j] and not is_open[j]:
                closed_list[n_closed] = j
                n_closed += 1
        order = closed_list[:n_closed][np.argsort(-gain[closed_list[:n_closed]], kind="mergesort")]
        for t in range(n_open):
            v = open_list[t]
            if forced[v]:
                continue
            loss = 0.0
            n_touched = 0
            for k in range(col_ptr[v], col_ptr[v + 1]):
                i = col_rows[k]
                if counts[i] == 1:
                    loss += weights[i]
                    for q in range(row_ptr[i], row_ptr[i + 1]):
                        c = row_cols[q]
                        if extra[c] == 0.0:
                            touched[n_touched] = c
                            n_touched += 1
                        extra[c] += weights[i]
            v_tabu = tabu_until[v] > iteration
            gv = group[v]
            for step in range(n_touched + n_closed):
                if step < n_touched:
                    u = touched[step]
                    if is_open[u] or not allowed[u]:
                        continue
                else:
                    u = order[step - n_touched]
                    if extra[u] > 0.0:
                        continue  # already seen among the touched
                gu = group[u]
                if gu != gv and (
                    group_count[gu] >= group_max[gu] or group_count[gv] <= group_min[gv]
                ):
                    continue
                delta = gain[u] + extra[u] - loss
                is_tabu = v_tabu or tabu_until[u] > iteration
                if is_tabu and current + delta <= best_value + 1e-9:
                    continue  # tabu, and not better than the best (aspiration)
                if delta > best_delta + 1e-12:
                    best_delta = delta
                    best_u = u
                    best_v = v
                    ties = 1
                elif delta > best_delta - 1e-12:
                    # Break ties at random (reservoir sampling), so the search does not cycle.
                    ties += 1
                    if np.random.randint(0, ties) == 0:
                        best_u = u
                        best_v = v
                if step >= n_touched:
                    break  # the first admissible untouched site is the best untouched one
            for k in range(n_touched):
                extra[touched[k]] = 0.0
        if best_u < 0:
            break
        u = best_u
        v = best_v
        for k in range(col_ptr[u], col_ptr[u + 1]):
            i = col_rows[k]
            if counts[i] == 0:
                current += weights[i]
                for q in range(row_ptr[i], row_ptr[i + 1]):
                    gain[row_cols[q]] -= weights[i]
            counts[i] += 1
        for k in range(col_ptr[v], col_ptr[v + 1]):
            i = col_rows[k]
            counts[i] -= 1
            if counts[i] == 0:
                current -= weights[i]
                for q in range(row_ptr[i], row_ptr[i + 1]):
                    gain[row_cols[q]] += weights[i]
        is_open[u] = True
        is_open[v] = False
        group_count[group[u]] += 1
        group_count[group[v]] -= 1
        tabu_until[v] = iteration + tenure_in + np.random.randint(0, tenure_in + 1)
        tabu_until[u] = iteration + tenure_out + np.random.randint(0, tenure_out + 1)
        if current > best_value + 1e-9:
            best_value = current
            for j in range(m):
                best_open[j] = is_open[j]
    return best_value, current, iteration + 1


def coverage_tabu(
    row_ptr: IntArray,
    row_cols: IntArray,
    col_ptr: IntArray,
    col_rows: IntArray,
    weights: FloatArray,
    is_open: BoolArray,
    best_open: BoolArray,
    best_value: float,
    allowed: BoolArray,
    forced: BoolArray,
    group: IntArray,
    group_min: IntArray,
    group_max: IntArray,
    tabu_until: IntArray,
    first_iteration: int,
    iterations: int,
    tenure_in: int,
    tenure_out: int,
    seed: int,
) -> tuple[float, float, int]:
    """Typed entry to `_coverage_tabu` (see there)."""
    best, current, reached = _coverage_tabu(
        row_ptr,
        row_cols,
        col_ptr,
        col_rows,
        weights,
        is_open,
        best_open,
        best_value,
        allowed,
        forced,
        group,
        group_min,
        group_max,
        tabu_until,
        first_iteration,
        iterations,
        tenure_in,
        tenure_out,
        seed,
    )
    return float(best), float(current), int(reached)
