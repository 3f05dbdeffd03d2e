import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from familyreach.geo.selectors import geography_summary


class Command(BaseCommand):
    help = "Count the districts, areas, postcodes and venues. Venues are counted by kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = geography_summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"Districts: {summary['districts']}")
        self.stdout.write(f"Areas: {summary['areas']}")
        self.stdout.write(f"Postcodes: {summary['postcodes']}")
        for kind, count in summary["venues"].items():
            self.stdout.write(f"Venues ({kind}): {count}")
