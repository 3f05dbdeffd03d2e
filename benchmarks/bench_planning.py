"""Planning on the real Norfolk data: run each demo scenario, then time "what if" recomputes.

Self-contained: an in-memory SQLite database, migrated and loaded with data/norfolk/. Prints
figures; asserts nothing about time (see docs/benchmarks.md, "planning"). After the timings it
prints each option's headline figures (the ones docs/planning.md quotes).

    uv run python benchmarks/bench_planning.py
    uv run python benchmarks/bench_planning.py --under-fives estimate   # the old 0–15 × 0.335

`--under-fives estimate` loads data/norfolk/ without the ONS single-year file, so every area is
on the labelled estimate, as before real counts were loaded: the figures before and after.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from typing import Any


def print_figures(scenarios: list[Any]) -> None:
    """Each option's headline figures from its latest run, in the words of docs/planning.md."""
    for scenario in scenarios:
        m = scenario.latest_finished_run.measures
        service = m["service"]["30"]
        base = m["base"]["30"]
        print(
            f"{scenario.name}: {m['bases']} bases, {m['outreach_venues']} outreach venues; "
            f"within 30 min of any service point {service['share'] * 100:.1f}% "
            f"({service['under_fives']:,.0f} of {m['under_fives']:,.0f} under-fives), of a base "
            f"{base['share'] * 100:.1f}%; greatest-need areas {service['greatest_need_share'] * 100:.1f}% "
            f"({service['greatest_need_areas_beyond']} areas, "
            f"{service['greatest_need_beyond_under_fives']:,.0f} under-fives beyond 30 min); mean "
            f"travel {m['service_mean_minutes']:.1f} min"
        )
    print(
        f"under-fives source: {scenarios[0].latest_finished_run.measures.get('under_fives_source')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--under-fives", choices=["counted", "estimate"], default="counted")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from familyreach.geo.norfolk import load_norfolk
    from familyreach.planning import demo, engine, inputs
    from familyreach.planning.models import Scenario
    from familyreach.planning.services import scenario_run_now

    if arguments.under_fives == "estimate":
        from familyreach.geo.norfolk import SINGLE_YEAR_FILE, norfolk_data_dir

        with tempfile.TemporaryDirectory() as folder:
            for file in norfolk_data_dir().glob("*.csv"):
                if file.name != SINGLE_YEAR_FILE:
                    shutil.copy(file, Path(folder) / file.name)
            load_norfolk(Path(folder))
    else:
        load_norfolk()
    demo.load(StringIO(), run=False)
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
    print_figures(list(Scenario.objects.order_by("pk")))


if __name__ == "__main__":
    sys.exit(main())
