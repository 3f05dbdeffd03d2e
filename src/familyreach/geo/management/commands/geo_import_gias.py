from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.venues import import_gias
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import open schools from a DfE GIAS extract. Columns URN, EstablishmentName, Easting, "
        "Northing, LSOA (code), …"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            result = import_gias(options["file"], scope=scope, progress=options["progress"])
            return f"{result.total} schools: {result.created} new, {result.updated} updated, {result.unchanged} unchanged"

        self.run_import(options, action)
