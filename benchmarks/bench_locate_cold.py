"""Cold start: the first p-median solve in a fresh process, imports included, ours and spopt's.

    uv run --group bench python benchmarks/bench_locate_cold.py [--runs 5] [--no-spopt]

Instance: random Euclidean 800 × 160, p = 8 (locate_instances.random_euclidean, seed 1), built
in the child with numpy only so that building it imports nothing the solver would not.
"cold" = from spawning the Python process to the end of its first solve (wall), and the CPU
time the process used by then (user + sys, getrusage): on a shared 2-core machine the CPU time
is the steadier figure. "warm" = a second solve in the same process. Ours runs three ways: as
installed (ahead-of-time kernels when built), with ``FAMILYREACH_LOCATE_JIT=1`` (numba's JIT
with its cache warm) and spopt + PuLP + HiGHS (its own process, its imports included).
Last line: cold_ratio_vs_spopt=<spopt cold wall / our median cold wall> objective_match=<…>.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD_OURS = """
import resource, sys, time
import numpy as np
from familyreach.locate import p_median
rng = np.random.default_rng(1)
demand = rng.uniform(0, 50, (800, 2)); sites = rng.uniform(0, 50, (160, 2))
costs = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1))
weights = rng.integers(1, 100, 800).astype(float)
result = p_median(costs, weights, 8)
end = time.time(); usage = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter(); again = p_median(costs, weights, 8); warm = time.perf_counter() - started
print(json.dumps([end, usage.ru_utime + usage.ru_stime, warm, result.objective, result.status,
                  again.objective, "numba" in sys.modules, "scipy.sparse" in sys.modules]))
""".replace("import resource", "import json, resource")

CHILD_SPOPT = """
import json, resource, time
import numpy as np
rng = np.random.default_rng(1)
demand = rng.uniform(0, 50, (800, 2)); sites = rng.uniform(0, 50, (160, 2))
costs = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1))
weights = rng.integers(1, 100, 800).astype(float)
import contextlib, pulp
from spopt.locate import PMedian
model = PMedian.from_cost_matrix(costs, weights, p_facilities=8)
# spopt raises when PuLP reports anything but "Optimal" (e.g. its time limit): keep the status.
with contextlib.suppress(RuntimeError):
    model.solve(pulp.HiGHS(msg=False, timeLimit=LIMIT), results=False)
end = time.time(); usage = resource.getrusage(resource.RUSAGE_SELF)
value = model.problem.objective.value() or float("nan"); status = pulp.LpStatus[model.problem.status]
started = time.perf_counter()
again = PMedian.from_cost_matrix(costs, weights, p_facilities=8)
with contextlib.suppress(RuntimeError):
    again.solve(pulp.HiGHS(msg=False, timeLimit=LIMIT), results=False)
warm = time.perf_counter() - started
print(json.dumps([end, usage.ru_utime + usage.ru_stime, warm, value, status,
                  again.problem.objective.value() or float("nan"), False, False]))
"""


def run(
    code: str, env: dict[str, str]
) -> tuple[float, float, float, float, str, float, bool, bool]:
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    if not lines:
        raise RuntimeError(done.stderr[-3000:])
    end, cpu, warm, value, status, again, numba, sparse = json.loads(lines[-1])
    return end - spawned, cpu, warm, value, status, again, numba, sparse


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument("--no-warm-spopt", action="store_true", help="one spopt solve only")
    parser.add_argument("--spopt-limit", type=float, default=300.0)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    base = dict(os.environ)
    base.pop("FAMILYREACH_LOCATE_JIT", None)
    # Bytecode caches as any installed program has them after its first run (the warm-up run
    # below writes them); with PYTHONDONTWRITEBYTECODE set every run would compile numpy's (and
    # spopt's) sources again, about 0.15 s for numpy alone.
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = []
    for label, env in (
        ("familyreach (as installed)", base),
        ("familyreach (numba JIT, cache warm)", {**base, "FAMILYREACH_LOCATE_JIT": "1"}),
    ):
        run(CHILD_OURS, env)  # fills numba's cache if needed; not counted
        samples = [run(CHILD_OURS, env) for _ in range(args.runs)]
        cold = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        warm = statistics.median(s[2] for s in samples)
        first = samples[0]
        rows.append((label, cold, cpu, warm, first[3], first[4]))
        print(
            f"{label:38s} cold {cold:6.3f} s wall (runs {', '.join(f'{s[0]:.3f}' for s in samples)}), "
            f"{cpu:.3f} s CPU; warm {warm:.3f} s; objective {first[3]:,.1f} {first[4]}; "
            f"numba imported: {first[6]}; scipy.sparse imported: {first[7]}; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    ours_cold = rows[0][1]
    ours_objective = rows[0][4]
    if args.no_spopt:
        print("cold_ratio_vs_spopt=nan objective_match=nan")
        return 0
    code = CHILD_SPOPT.replace("LIMIT", str(args.spopt_limit))
    if args.no_warm_spopt:
        code = code.replace(
            "started = time.perf_counter()\nagain",
            "started = time.perf_counter()\nraise SystemExit(print(json.dumps([end, usage.ru_utime + usage.ru_stime, float('nan'), value, status, float('nan'), False, False])))\nagain",
        )
    spopt = run(code, base)
    from importlib.metadata import version

    label = f"spopt {version('spopt')} + PuLP + HiGHS"
    print(
        f"{label:38s} cold {spopt[0]:6.3f} s wall, {spopt[1]:.3f} s CPU; "
        f"warm {spopt[2]:.3f} s; objective {spopt[3]:,.1f} PuLP '{spopt[4]}'; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    match = abs(spopt[3] - ours_objective) <= 1e-6 * abs(ours_objective)
    print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"cold_ratio_vs_spopt={spopt[0] / ours_cold:.1f} cpu_ratio={spopt[1] / rows[0][2]:.1f} "
        f"warm_ratio={spopt[2] / rows[0][3]:.1f} objective_match={'true' if match else 'false'}"
    )
    return 0


if __name__ == "__main__":
    main()
