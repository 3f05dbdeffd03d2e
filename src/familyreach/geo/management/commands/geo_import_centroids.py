from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.centroids import import_centroids
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Move areas to population-weighted centroids. Reads the ONS LSOA 2011 population-"
        "weighted centroids (lsoa11cd, X/Y or lat/long)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            count = import_centroids(options["file"], scope=scope, progress=options["progress"])
            return f"{count} areas placed at their population-weighted centroids"

        self.run_import(options, action)
