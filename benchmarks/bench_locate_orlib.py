"""familyreach.locate on Beasley's OR-Library p-median instances, beside HiGHS on the full model.

    uv run --group bench python benchmarks/bench_locate_orlib.py [--all] [--highs-limit S]
        [--no-highs] [--limit S] [pmed numbers ...]

Default: the 21 instances with p ≥ n/10 (the large-p set). Our call is the default one,
`p_median(costs, ones, p)` (60 s limit); HiGHS solves the classic model (one x per pair,
x_ij ≤ y_j) with all n² assignment variables, in a child process, with its own limit.
Last line: large_p_proven=<k>/<n> max_seconds=<s> total_seconds=<s> all_optimal=<true|false>.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from familyreach.locate import p_median
from orlib_pmed import OPTIMUM, large_p, load


def highs_full_child(number: int, limit: float) -> None:
    """The classic p-median MILP over all pairs, by HiGHS; prints seconds, objective, bound, status."""
    from familyreach.locate._highs import solve_milp

    costs, weights, p = load(number)
    started = time.perf_counter()
    n, m = costs.shape
    pairs = n * m
    x = m + np.arange(pairs)
    rows_i = np.repeat(np.arange(n), m)
    cols_j = np.tile(np.arange(m), n)
    # Rows: Σ_j x_ij = 1 (n); x_ij − y_j ≤ 0 (pairs); Σ y = p (1).
    r = np.concatenate([rows_i, n + np.arange(pairs), n + np.arange(pairs), np.full(m, n + pairs)])
    c = np.concatenate([x, x, cols_j, np.arange(m)])
    v = np.concatenate([np.ones(pairs), np.ones(pairs), -np.ones(pairs), np.ones(m)])
    matrix = sp.csc_array((v, (r, c)), shape=(n + pairs + 1, m + pairs))
    lower = np.concatenate([np.ones(n), np.full(pairs, -np.inf), [p]])
    upper = np.concatenate([np.ones(n), np.zeros(pairs), [p]])
    outcome = solve_milp(
        cost=np.concatenate([np.zeros(m), (weights[:, None] * costs).ravel()]),
        matrix=matrix,
        row_lower=lower,
        row_upper=upper,
        col_lower=np.zeros(m + pairs),
        col_upper=np.ones(m + pairs),
        integer=np.concatenate([np.ones(m, dtype=bool), np.zeros(pairs, dtype=bool)]),
        time_limit=limit,
    )
    seconds = time.perf_counter() - started
    status = "optimal" if outcome.optimal else ("time_limit" if outcome.time_limit_hit else "other")
    print(json.dumps([seconds, outcome.objective, outcome.dual_bound, status]))


def run_highs(number: int, limit: float) -> tuple[float, float, float, str] | None:
    command = [sys.executable, __file__, "--highs-child", str(number), str(limit)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=2 * limit + 300, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    if not lines:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    seconds, value, bound, status = json.loads(lines[-1])
    return float(seconds), float(value), float(bound), str(status)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("numbers", nargs="*", type=int)
    parser.add_argument("--all", action="store_true", help="all 40 instances")
    parser.add_argument("--limit", type=float, default=60.0, help="our time limit (default 60 s)")
    parser.add_argument("--highs-limit", type=float, default=60.0)
    parser.add_argument("--no-highs", action="store_true")
    parser.add_argument("--highs-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.highs_child:
        highs_full_child(int(args.highs_child[0]), float(args.highs_child[1]))
        return 0
    numbers = args.numbers or [k for k in range(1, 41) if args.all or large_p(k)]
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    # Warm up the compiled kernels (numba cache) so the figures are for a running process.
    p_median(*load(1)[:2], 20)
    total = 0.0
    worst = 0.0
    proven = 0
    all_optimal = True
    header = f"{'instance':8s} {'n':>4s} {'p':>4s} {'load':>5s} {'ours s':>7s} {'objective':>9s} {'optimum':>7s} {'status':10s} {'method':52s} | HiGHS full model"
    print(header)
    for number in numbers:
        costs, weights, p = load(number)
        started = time.perf_counter()
        result = p_median(costs, weights, p, time_limit=args.limit)
        seconds = time.perf_counter() - started
        total += seconds
        worst = max(worst, seconds)
        proven += int(result.proven_optimal)
        all_optimal &= result.proven_optimal and round(result.objective) == OPTIMUM[number]
        highs = "-"
        if not args.no_highs:
            outcome = run_highs(number, args.highs_limit)
            if outcome is None:
                highs = "no answer (killed)"
            else:
                h_seconds, h_value, h_bound, h_status = outcome
                h_gap = abs(h_value - h_bound) / max(abs(h_value), 1e-9)
                highs = f"{h_seconds:6.1f} s  {h_value:8.0f}  bound {h_bound:8.1f}  gap {100 * h_gap:.3f} %  {h_status}"
        print(
            f"pmed{number:<4d} {costs.shape[0]:4d} {p:4d} {os.getloadavg()[0]:5.2f} {seconds:7.2f} "
            f"{result.objective:9.0f} {OPTIMUM[number]:7d} {result.status:10s} {result.method:52s} | {highs}",
            flush=True,
        )
    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"large_p_proven={proven}/{len(numbers)} max_seconds={worst:.2f} total_seconds={total:.2f} "
        f"all_optimal={'true' if all_optimal else 'false'}"
    )
    return 0


if __name__ == "__main__":
    main()
