from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.population import import_population
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import ONS small-area population estimates. By single year of age (LSOA Code, All "
        "Ages, 0, 1, …): true under-fives replace the estimate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="Mid-year of the estimates")
        parser.add_argument("--source", default="", help="Release name, e.g. SAPE22DT2")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            result = import_population(
                options["file"],
                scope=scope,
                year=options["year"],
                source=options["source"],
                progress=options["progress"],
            )
            return f"{result.areas_updated} areas now have counted under-fives (mid-{options['year']}); {result.skipped} rows skipped"

        self.run_import(options, action)
