"""Capacities and budgets in familyreach.locate, on the real Norfolk data.

    uv run python benchmarks/bench_locate_budgets.py            # both parts
    uv run python benchmarks/bench_locate_budgets.py --capacities-only

1. Capacitated p-median: 538 LSOA centroids × 512 libraries and schools (straight-line km,
   children 0–15), p = 7, every site's capacity 1.3× an equal share of the demand ("tight"), and
   1.1× ("tighter"), with a 10 s limit. Prints the proven bound, the gap, the old bound (the
   uncapacitated one) and the seconds.
2. Budgets: the four demo planning scenarios (in-memory SQLite, data/norfolk/), each run through
   `planning.engine.optimise` as the planner's run does, then "budget only" variants (no number
   of bases; a building budget that binds), proving the budget model's optimum or showing its gap.

Prints figures; asserts nothing about time (docs/benchmarks.md, "locate: capacities and budgets").
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from familyreach.locate import p_median
from locate_instances import norfolk


def capacities() -> None:
    costs, weights, _, _ = norfolk()
    # Warm-up: the compiled kernels (loaded from numba's cache) on a tiny instance.
    small = costs[:40, :12]
    p_median(small, weights[:40], 3, capacities=np.full(12, weights[:40].sum() / 2.5))
    # The old bound: capacities only remove solutions, so the uncapacitated optimum bounds the
    # capacitated one — the best the uncapacitated bound could ever be.
    uncapacitated = p_median(costs, weights, 7)
    print(f"Capacitated p-median, Norfolk {costs.shape[0]} × {costs.shape[1]}, p = 7, 10 s limit")
    print(
        f"uncapacitated optimum (the old bound at best): {uncapacitated.objective:,.0f} "
        f"({uncapacitated.status})"
    )
    print(
        f"{'capacity':>22} {'objective':>12} {'bound':>12} {'gap %':>7} {'old gap %':>9} "
        f"{'status':>10} {'s':>6} {'load':>5}  stages"
    )
    for share, limit in ((1.3, 10.0), (1.1, 10.0), (1.3, 60.0)):
        caps = np.full(costs.shape[1], share * weights.sum() / 7)
        started = time.perf_counter()
        cpu = time.process_time()
        result = p_median(costs, weights, 7, capacities=caps, time_limit=limit)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        old = (result.objective - uncapacitated.objective) / result.objective
        print(
            f"{f'{share}× equal share':>22} {result.objective:12,.0f} {result.bound:12,.0f} "
            f"{result.gap * 100:7.3f} {old * 100:9.1f} {result.status:>10} {seconds:6.1f} "
            f"{os.getloadavg()[0]:5.1f}  limit {limit:g} s, CPU {cpu:.1f} s, {result.method}"
        )
        print(
            "    "
            + ", ".join(
                f"{key} {value:,.2f}" if isinstance(value, float) else f"{key} {value}"
                for key, value in result.details.items()
            )
        )


def budgets() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from familyreach.geo.norfolk import load_norfolk
    from familyreach.planning import costs, demo, engine
    from familyreach.planning.models import Scenario

    load_norfolk()
    demo.load(StringIO(), run=False)
    print()
    print("Budget model (planning.engine.optimise: bases within what the budget leaves)")
    print(
        f"{'scenario':58} {'bases':>5} {'buildings £':>12} {'for bases £':>12} {'gap %':>8} "
        f"{'status':>8} {'s':>6} {'load':>5}"
    )

    def run(label: str, scenario: Any) -> None:
        started = time.perf_counter()
        plan = engine.optimise(scenario)
        seconds = time.perf_counter() - started
        result = plan.optimisation
        spent = sum(costs.building_cost(venue, scenario)[0] for venue in plan.bases)
        room = engine._building_budget(scenario)
        gap = "–" if result.gap is None else f"{result.gap * 100:.4f}"
        print(
            f"{label:58} {len(plan.bases):5d} {spent:12,.0f} "
            f"{'–' if room is None else f'{room:,.0f}':>12} {gap:>8} {result.status:>8} "
            f"{seconds:6.1f} {os.getloadavg()[0]:5.1f}"
        )
        print(f"    stages: {result.method}")

    for name in (demo.CURRENT, demo.HALF, demo.SEVEN, demo.FIFTEEN):
        run(name, Scenario.objects.get(name=name))
    # Budget only: no number of bases, so the budget decides how many and which.
    for name, budget in ((demo.SEVEN, 560_000), (demo.FIFTEEN, 600_000)):
        scenario = Scenario.objects.get(name=name)
        scenario.number_of_bases = None
        scenario.budget = budget
        run(f"{name[:30]}, no number, £{budget:,}", scenario)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--capacities-only", action="store_true")
    parser.add_argument("--budgets-only", action="store_true")
    arguments = parser.parse_args()
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if not arguments.budgets_only:
        capacities()
    if not arguments.capacities_only:
        budgets()
    return 0


if __name__ == "__main__":
    sys.exit(main())
