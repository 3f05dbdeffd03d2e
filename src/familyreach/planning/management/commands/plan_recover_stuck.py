"""`familyreach plan recover-stuck`: take back the scenario runs whose worker is gone (queue them
again, or fail them with a message). The scheduler does this every few minutes; the command is
for a shell, e.g. after restarting the workers."""

from typing import Any

from django.core.management.base import BaseCommand

from familyreach.planning.services import scenario_runs_recover


class Command(BaseCommand):
    help = "Take back the runs whose worker is gone. Queues them again, or marks them failed."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = scenario_runs_recover()
        for run in recovered:
            detail = run.error or run.progress_message
            self.stdout.write(
                f"Run {run.pk} of '{run.scenario.name}': {run.get_status_display()}. {detail}"
            )
        self.stdout.write(f"{len(recovered)} stuck run(s) recovered")
