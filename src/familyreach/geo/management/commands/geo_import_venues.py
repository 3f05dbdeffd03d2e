from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.venues import import_venues
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import venues from a generic CSV. Columns reference, name, kind, address, town, "
        "postcode, latitude, longitude, status, capacity, annual_running_cost, …: see "
        "docs/geo.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source", required=True, help="Name of the list, e.g. village-halls-2026"
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            result = import_venues(
                options["file"], scope=scope, source=options["source"], progress=options["progress"]
            )
            return (
                f"{result.total} venues: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged; {result.skipped_outside_scope} outside the scope skipped"
            )

        self.run_import(options, action)
