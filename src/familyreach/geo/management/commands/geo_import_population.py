from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from familyreach.geo.importers.population import import_population
from familyreach.geo.importers.scope import Scope
from familyreach.geo.management.importing import ImportCommand

# How many area codes without a count to name before "and N more".
NAMED_WITHOUT_COUNT = 10


class Command(ImportCommand):
    help = (
        "Import ONS small-area population estimates. By single year of age (SAPE: "
        '"LSOA Code", "All Ages", "0", "1", … or lsoa11_code, all_ages, age_0 … age_4, '
        "e.g. data/england/lsoa_population_0_4_mid2019.csv): counted under-fives replace the "
        "estimate in the council's areas; other LSOAs are skipped; all or nothing."
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
            message = (
                f"{result.areas_updated:,} areas now have counted under-fives "
                f"({result.under_fives:,} aged 0 to 4, mid-{options['year']}); "
                f"{result.skipped:,} rows for other areas skipped"
            )
            missing = result.areas_without_count
            if missing:
                named = ", ".join(missing[:NAMED_WITHOUT_COUNT])
                more = len(missing) - NAMED_WITHOUT_COUNT
                message += (
                    f"; {len(missing):,} areas are not in the file and keep the estimate "
                    f"(labelled): {named}{f' and {more:,} more' if more > 0 else ''}"
                )
            return message

        self.run_import(options, action)
