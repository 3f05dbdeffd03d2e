from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.postcodes import import_codepoint
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import postcodes from OS Code-Point Open. One or more CSVs (e.g. nr.csv pe.csv); areas"
        " inferred."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", type=Path, nargs="+")
        parser.add_argument(
            "--no-header",
            action="store_true",
            help="The files have no header row (as OS ships them)",
        )
        parser.add_argument(
            "--source", default="", help="Edition, e.g. 'OS Code-Point Open 2026-02'"
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        def action(scope: Scope) -> str:
            count = import_codepoint(
                list(options["files"]),
                scope=scope,
                header_row=not options["no_header"],
                source=options["source"],
                progress=options["progress"],
            )
            return f"{count} postcodes imported or updated (areas inferred: nearest centroid in the district)"

        self.run_import(options, action)
