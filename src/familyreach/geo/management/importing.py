"""The shared shape of the `familyreach geo import-*` commands: scope options, progress, and
turning an `ImportFailed` into a clear error (exit status 1) that says nothing was imported."""

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.scope import Scope, resolve_scope


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--council", default="", help="Upper-tier council code, e.g. E10000020 (Norfolk)"
        )
        parser.add_argument(
            "--council-name", default="", help="The council's name, when its districts are new"
        )
        parser.add_argument(
            "--districts", default="", help="District codes, comma separated: E07000145,E07000148"
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Always show the progress bar (default: only on a terminal)",
        )

    def scope(self, options: dict[str, Any]) -> Scope:
        return resolve_scope(
            council=options["council"],
            districts=options["districts"],
            council_name=options["council_name"],
        )

    def run_import(self, options: dict[str, Any], action: Callable[[Scope], str]) -> None:
        started = time.perf_counter()
        try:
            message = action(self.scope(options))
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        self.stdout.write(f"{message} ({time.perf_counter() - started:.1f} s)")
