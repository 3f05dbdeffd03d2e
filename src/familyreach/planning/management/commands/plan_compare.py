"""`familyreach plan compare A B ...`: scenarios side by side in the terminal (latest finished
runs), with the differences in plain English."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.planning import outputs
from familyreach.planning.models import Scenario
from familyreach.planning.selectors import latest_finished_runs, scenario_find


class Command(BaseCommand):
    help = "Compare 2 to 5 scenarios (by name or id) side by side."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenarios", nargs="+", help="Scenario names (quoted) or ids")

    def handle(self, *args: Any, **options: Any) -> None:
        references: list[str] = options["scenarios"]
        if not 2 <= len(references) <= 5:
            raise CommandError("Give between 2 and 5 scenarios to compare")
        scenarios = []
        for reference in references:
            try:
                scenarios.append(scenario_find(reference))
            except Scenario.DoesNotExist as error:
                raise CommandError(str(error)) from error
        runs = latest_finished_runs(scenarios)
        missing = [s.name for s in scenarios if s.pk not in runs]
        if missing:
            raise CommandError(
                "These scenarios have no finished run yet (run them first): " + ", ".join(missing)
            )
        pairs = [(scenario, runs[scenario.pk]) for scenario in scenarios]
        self.stdout.write(outputs.text_table(outputs.comparison_table(pairs)))
        self.stdout.write("")
        for sentence in outputs.differences(pairs):
            self.stdout.write(f"- {sentence}")
