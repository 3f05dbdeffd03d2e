"""Planning on the real Norfolk data: run each demo scenario, then time "what if" recomputes.

Self-contained: an in-memory SQLite database, migrated and loaded with data/norfolk/. Prints
figures; asserts nothing about time (see docs/benchmarks.md, "planning").

    uv run python benchmarks/bench_planning.py
"""

import os
import statistics
import sys
import time
from io import StringIO


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from familyreach.geo.norfolk import load_norfolk
    from familyreach.planning import demo, engine, inputs
    from familyreach.planning.models import Scenario
    from familyreach.planning.services import scenario_run_now

    load_norfolk()
    demo.load(StringIO())
    print(f"{'scenario':45} {'seconds':>8} {'status':>9} {'gap':>8}")
    for scenario in Scenario.objects.order_by("pk"):
        started = time.perf_counter()
        run = scenario_run_now(scenario=scenario, user=None)
        seconds = time.perf_counter() - started
        gap = "–" if run.gap is None else f"{run.gap * 100:.3f}%"
        print(f"{scenario.name:45} {seconds:8.2f} {run.optimiser_status:>9} {gap:>8}")

    scenario = Scenario.objects.get(name=demo.FIFTEEN)
    run = scenario.latest_finished_run
    assert run is not None
    from familyreach.geo.models import Venue

    bases = list(Venue.objects.filter(pk__in=run.bases).select_related("district"))
    outreach = [
        engine.OutreachPoint(venue=venue, sessions_per_week=2, chosen_by="planner")
        for venue in Venue.objects.filter(pk__in=[row["venue"] for row in run.outreach])
    ]
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        plan = engine.evaluate_sites(
            scenario=scenario, area_data=inputs.load_areas(), bases=bases[1:], outreach=outreach
        )
        plan.summary(scenario)
        timings.append(time.perf_counter() - started)
    print(
        f"what-if (remove one of 15 bases, {len(outreach)} outreach venues, "
        f"{len(plan.area_data.areas)} areas): median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {len(timings)}"
    )


if __name__ == "__main__":
    sys.exit(main())
