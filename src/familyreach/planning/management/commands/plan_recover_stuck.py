"""`familyreach plan recover-stuck`: mark failed the scenario runs whose worker died (run it
every few minutes from the scheduler, beside `db_worker`)."""

from typing import Any

from django.core.management.base import BaseCommand

from familyreach.planning.services import scenario_runs_recover_stuck


class Command(BaseCommand):
    help = "Mark failed the runs whose worker died. Runs still 'running' past their time limit."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = scenario_runs_recover_stuck()
        for run in recovered:
            self.stdout.write(f"Marked failed: run {run.pk} of '{run.scenario.name}'")
        self.stdout.write(f"{len(recovered)} stuck run(s) recovered")
