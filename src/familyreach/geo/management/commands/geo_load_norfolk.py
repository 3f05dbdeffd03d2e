import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.norfolk import load_norfolk, norfolk_data_dir


class Command(BaseCommand):
    help = (
        "Load Norfolk's open data from data/norfolk/. Districts, areas (IMD/IDACI 2019, "
        "population), postcodes, libraries and schools. All or nothing; safe to rerun (updates,"
        " never duplicates)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"Folder holding the Norfolk files (default: {norfolk_data_dir()})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            load_norfolk(options["data_dir"], stdout=self.stdout, progress=None)  # type: ignore[arg-type]
        except ImportFailed as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        self.stdout.write(f"Loaded Norfolk in {time.perf_counter() - started:.1f} s")
