from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.postcodes import import_postcode_directory
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import postcodes from the ONS Postcode Directory. Live postcodes only (pcds, lsoa11, "
        "lat, long, oslaua, osward): exact areas."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Release name, e.g. ONSPD_FEB_2024")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            count = import_postcode_directory(
                options["file"], scope=scope, source=options["source"], progress=options["progress"]
            )
            return f"{count} postcodes imported or updated"

        self.run_import(options, action)
