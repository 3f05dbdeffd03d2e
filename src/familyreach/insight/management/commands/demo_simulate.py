"""`familyreach demo simulate --families N --months M --seed S`: simulated families over the real
areas, calibrated to leave about a quarter of greatest-need families unreached."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.insight.services import reach_snapshot_refresh, simulated_population_write
from familyreach.insight.simulate import Assumptions, default_family_count, simulate_population
from familyreach.insight.simulation_database import (
    as_of_default,
    gather_inputs,
    population_summary_lines,
)


class Command(BaseCommand):
    help = (
        "Simulate families, children and contacts (labelled). Over the real areas, replacing "
        "the previous simulation; then works out the reach figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=int,
            help="Families with under-fives to simulate (default: as many as the estimated "
            "under-fives imply, so rates compare with the estimates)",
        )
        parser.add_argument("--months", type=int, default=24, help="Months of history (24)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1)")
        parser.add_argument("--as-of", help="Last simulated day (default today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Simulate and print, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        assumptions = Assumptions()
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else as_of_default()
            inputs = gather_inputs(assumptions=assumptions)
            families = options["families"] or default_family_count(
                inputs.simulation_areas, assumptions
            )
            population = simulate_population(
                inputs.simulation_areas,
                inputs.points,
                families=families,
                months=options["months"],
                seed=options["seed"],
                as_of=as_of,
                minutes_matrix=inputs.minutes,
                assumptions=assumptions,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for line in population_summary_lines(population, inputs):
            self.stdout.write(line)
        self.stdout.write("Assumptions (SIMULATED data, not measured):")
        for line in assumptions.lines():
            self.stdout.write(f"  - {line}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        run = simulated_population_write(population=population, inputs=inputs)
        snapshot = reach_snapshot_refresh(as_of=as_of)
        self.stdout.write(
            f"Wrote simulation {run.pk}: {int(population.registered.sum()):,} registered families "
            f"(labelled simulated); reach worked out as of {snapshot.as_of:%-d %B %Y}."
        )
