from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.deprivation import import_deprivation
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import IoD2019 deprivation for a council. File 1, 3, 5, 6 or 7, by official headers, "
        "for a council's districts; creates districts and areas (new areas need --centroids)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--centroids", type=Path, default=None, help="ONS LSOA 2011 PWC file")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            result = import_deprivation(
                options["file"],
                scope=scope,
                centroids=options["centroids"],
                progress=options["progress"],
            )
            return (
                f"{result.districts} districts; {result.areas_created} areas created, "
                f"{result.areas_updated} updated; {result.skipped_outside_scope} rows outside the scope skipped"
            )

        self.run_import(options, action)
