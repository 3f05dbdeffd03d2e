"""`familyreach insight refresh [--as-of YYYY-MM-DD]`: recompute the reach snapshot."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.insight.services import reach_snapshot_refresh


class Command(BaseCommand):
    help = "Recompute reach counts from families and contacts. Dashboards read the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="Reference date (default today, Europe/London)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError("--as-of must be a date like 2026-06-30") from error
        snapshot = reach_snapshot_refresh(as_of=as_of)
        self.stdout.write(
            f"Reach as of {snapshot.as_of.isoformat()} computed in {snapshot.seconds:.2f} s."
        )
