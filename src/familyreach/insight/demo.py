"""Demo step: a simulated population over the real Norfolk areas (labelled simulated), then the
reach figures. Idempotent: an existing simulation is kept and only the figures are refreshed."""

from familyreach.core.output import Output
from familyreach.insight.models import SimulationRun
from familyreach.insight.services import (
    reach_snapshot_refresh,
    reach_year_end_snapshots_ensure,
    simulated_population_write,
)
from familyreach.insight.simulate import Assumptions, default_family_count, simulate_population
from familyreach.insight.simulation_database import (
    as_of_default,
    gather_inputs,
    population_summary_lines,
)

DEMO_SEED = 1
DEMO_MONTHS = 24


def load(stdout: Output) -> None:
    if not SimulationRun.objects.exists():
        assumptions = Assumptions()
        inputs = gather_inputs(assumptions=assumptions)
        population = simulate_population(
            inputs.simulation_areas,
            inputs.points,
            families=default_family_count(inputs.simulation_areas, assumptions),
            months=DEMO_MONTHS,
            seed=DEMO_SEED,
            as_of=as_of_default(),
            minutes_matrix=inputs.minutes,
            assumptions=assumptions,
        )
        simulated_population_write(population=population, inputs=inputs)
        for line in population_summary_lines(population, inputs):
            stdout.write(f"{line}\n")
    snapshot = reach_snapshot_refresh()
    stdout.write(f"Reach figures worked out as of {snapshot.as_of:%-d %B %Y} (simulated data).\n")
    # The public annual report reads the figures as at each 31 March (the last two complete
    # financial years): worked out here as the scheduled job would.
    for year_end in reach_year_end_snapshots_ensure():
        stdout.write(f"Reach figures for the annual report as of {year_end.as_of:%-d %B %Y}.\n")
