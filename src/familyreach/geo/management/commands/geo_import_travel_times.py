from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.travel_times import import_travel_times
from familyreach.geo.models import TravelMode


class Command(BaseCommand):
    help = (
        "Import a travel-time matrix (CSV or Parquet). Columns: origin area code, venue id or "
        "reference, minutes. Imported times replace the model for those pairs. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mode", choices=TravelMode.values, required=True)
        parser.add_argument("--source", default="", help="Where the times came from (tool, date)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = import_travel_times(
                options["file"], mode=options["mode"], source=options["source"]
            )
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        self.stdout.write(f"Imported {count} {options['mode']} travel times from {options['file']}")
